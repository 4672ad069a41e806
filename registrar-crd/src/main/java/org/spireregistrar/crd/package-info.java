/**
 * crd mode: {@link org.spireregistrar.crd.CrdMode} runs the SpiffeID, pod/node and Endpoints
 * controllers ({@code SpiffeIdController}, {@code PodController}, {@code CrdCache}) on one work
 * queue; {@link org.spireregistrar.crd.SpiffeIdClient} writes SpiffeIDs, and entries it creates
 * carry the {@link org.spireregistrar.crd.EntryIdPrefix}.
 */
package org.spireregistrar.crd;
