/**
 * crd mode: {@link org.spireregistrar.crd.CrdMode} runs the SpiffeID, pod/node and Endpoints
 * controllers ({@code SpiffeIdController}, {@code PodController}, {@code CrdCache}) on one sync
 * thread over reconcile mode's work queue and batch writer; entries it creates carry the {@link
 * org.spireregistrar.crd.EntryIdPrefix}. The SpiffeID custom resource is {@link
 * org.spireregistrar.crd.SpiffeIdCrd}; {@code org.spireregistrar.crd.webhook} holds the SpiffeID
 * validating webhook and its SPIRE-minted certificate; {@link org.spireregistrar.crd.CrdRegistrar}
 * assembles them.
 */
package org.spireregistrar.crd;
