package org.spireregistrar.kubernetes;

import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * Where the informers deliver what they see, as the core's Kubernetes-free views. Called from
 * informer threads.
 */
public interface ClusterEvents {
  void podUpserted(Workload pod);

  void podDeleted(String namespace, String name);

  void nodeUpserted(NodeInfo node);

  void nodeDeleted(String name);

  void endpointsUpserted(EndpointsInfo endpoints);

  void endpointsDeleted(String namespace, String name);

  /** Every informer has listed its objects once. */
  void cachesSynced();

  /**
   * Whether this sink takes objects while the first lists are still being read. If so, each object
   * of an informer's first list is delivered (as an upsert) as soon as its page is decoded, and
   * again when the informer processes the whole list; an object delivered by a list that failed
   * part way and missing from the one that succeeded is delivered as deleted. {@link #partlySynced}
   * then tells when acting on the objects delivered so far is safe. Default: no.
   */
  default boolean takesObjectsWhileListing() {
    return false;
  }

  /**
   * For a sink that {@link #takesObjectsWhileListing takes objects while listing}: every object a
   * pod's or node's entries read besides the pod or node itself (the Endpoints, when watched) has
   * been listed, so the objects delivered so far may be acted on: an entry they call for may be
   * created or updated. Their absence still means nothing until {@link #cachesSynced}: an object
   * not delivered yet may simply not have been read. Called once, before {@link #cachesSynced}.
   */
  default void partlySynced() {}
}
