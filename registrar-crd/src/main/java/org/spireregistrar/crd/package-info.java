/**
 * CRD mode: the SpiffeID custom resource ({@link org.spireregistrar.crd.SpiffeIdCrd}) and, in
 * {@code org.spireregistrar.crd.webhook}, its validating webhook and the webhook's SPIRE-minted
 * serving certificate. The controllers are not built yet; {@code plan} computes crd-mode entries
 * with the core's {@code CrdEntries}.
 */
package org.spireregistrar.crd;
