package org.spireregistrar.core.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes-free view of a {@code spiffeid.spiffe.io/v1beta1} SpiffeID custom resource. Strings
 * are kept raw; they are validated when turned into an entry.
 *
 * @param namespace {@code metadata.namespace}
 * @param name {@code metadata.name}
 * @param labels {@code metadata.labels}
 * @param spec {@code spec}
 * @param entryId {@code status.entryId}; empty when unset
 */
public record SpiffeIdResource(
    String namespace, String name, Map<String, String> labels, Spec spec, String entryId) {

  public SpiffeIdResource {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(Objects.requireNonNullElse(labels, Map.of()));
    Objects.requireNonNull(spec, "spec");
    entryId = Objects.requireNonNullElse(entryId, "");
  }

  /** {@code spec} of a SpiffeID. */
  public record Spec(
      String parentId,
      String spiffeId,
      Selector selector,
      boolean downstream,
      List<String> dnsNames,
      List<String> federatesWith) {

    public Spec {
      parentId = Objects.requireNonNullElse(parentId, "");
      spiffeId = Objects.requireNonNullElse(spiffeId, "");
      selector = Objects.requireNonNullElse(selector, Selector.EMPTY);
      dnsNames = List.copyOf(Objects.requireNonNullElse(dnsNames, List.of()));
      federatesWith = List.copyOf(Objects.requireNonNullElse(federatesWith, List.of()));
    }
  }

  /** {@code spec.selector} of a SpiffeID; empty strings mean unset. */
  public record Selector(
      String cluster,
      String agentNodeUid,
      Map<String, String> podLabel,
      String podName,
      String podUid,
      String namespace,
      String serviceAccount,
      String containerImage,
      String containerName,
      String nodeName,
      List<String> arbitrary) {

    public static final Selector EMPTY =
        new Selector("", "", Map.of(), "", "", "", "", "", "", "", List.of());

    public Selector {
      cluster = Objects.requireNonNullElse(cluster, "");
      agentNodeUid = Objects.requireNonNullElse(agentNodeUid, "");
      podLabel = Map.copyOf(Objects.requireNonNullElse(podLabel, Map.of()));
      podName = Objects.requireNonNullElse(podName, "");
      podUid = Objects.requireNonNullElse(podUid, "");
      namespace = Objects.requireNonNullElse(namespace, "");
      serviceAccount = Objects.requireNonNullElse(serviceAccount, "");
      containerImage = Objects.requireNonNullElse(containerImage, "");
      containerName = Objects.requireNonNullElse(containerName, "");
      nodeName = Objects.requireNonNullElse(nodeName, "");
      arbitrary = List.copyOf(Objects.requireNonNullElse(arbitrary, List.of()));
    }
  }
}
