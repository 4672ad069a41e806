/**
 * CRD mode: the SpiffeID custom resource ({@link org.spireregistrar.crd.SpiffeIdCrd}), the
 * SpiffeID, pod, node and Endpoints controllers ({@link org.spireregistrar.crd.CrdMode}, one sync
 * thread over reconcile mode's work queue and batch writer) and, in {@code
 * org.spireregistrar.crd.webhook}, the SpiffeID validating webhook with its SPIRE-minted serving
 * certificate. {@link org.spireregistrar.crd.CrdRegistrar} assembles them.
 */
package org.spireregistrar.crd;
