/**
 * Desired registration entries per mode (webhook, reconcile, crd), which existing entries a
 * registrar owns, the pure entry diff, and the offline planner behind {@code plan}.
 */
package org.spireregistrar.core.entry;
