package org.spireregistrar.core.entry;

import java.util.List;
import java.util.Objects;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;

/**
 * The Kubernetes objects a {@link Planner} reads; each list may be empty.
 *
 * @param pods Pods
 * @param nodes Nodes
 * @param endpoints Endpoints (for DNS names)
 * @param spiffeIds SpiffeID custom resources (crd mode)
 */
public record ClusterObjects(
    List<Workload> pods,
    List<NodeInfo> nodes,
    List<EndpointsInfo> endpoints,
    List<SpiffeIdResource> spiffeIds) {

  public ClusterObjects {
    pods = List.copyOf(Objects.requireNonNull(pods, "pods"));
    nodes = List.copyOf(Objects.requireNonNull(nodes, "nodes"));
    endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
    spiffeIds = List.copyOf(Objects.requireNonNull(spiffeIds, "spiffeIds"));
  }

  /** No objects at all. */
  public static final ClusterObjects EMPTY =
      new ClusterObjects(List.of(), List.of(), List.of(), List.of());
}
