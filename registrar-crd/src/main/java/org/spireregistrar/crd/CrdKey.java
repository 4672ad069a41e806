package org.spireregistrar.crd;

/** A unit of work of crd mode's controllers: one SpiffeID, Pod or Node by name. */
sealed interface CrdKey {

  /** A SpiffeID {@code namespace/name}: the SpiffeID controller links it to its entry. */
  record SpiffeIdKey(String namespace, String name) implements CrdKey {}

  /** A Pod {@code namespace/name}: the pod controller keeps its SpiffeID. */
  record PodKey(String namespace, String name) implements CrdKey {}

  /** A Node: the node controller keeps its SpiffeID in the registrar namespace. */
  record NodeKey(String name) implements CrdKey {}
}
