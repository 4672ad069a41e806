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
}
