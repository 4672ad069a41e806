/**
 * CRD mode: the SpiffeID custom resource, its controllers and validating webhook (not built yet;
 * {@code plan} computes crd-mode entries with the core's {@code CrdEntries}).
 */
package org.spireregistrar.crd;
