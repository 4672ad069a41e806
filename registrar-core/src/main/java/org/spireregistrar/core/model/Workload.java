package org.spireregistrar.core.model;

import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes-free view of a Pod: what the ID policies and DNS-name rules read.
 *
 * @param namespace {@code metadata.namespace}
 * @param name {@code metadata.name}
 * @param uid {@code metadata.uid}; empty when unknown
 * @param serviceAccount {@code spec.serviceAccountName}, else {@code spec.serviceAccount}, else
 *     {@code default} (as the API server defaults it)
 * @param nodeName {@code spec.nodeName}; empty while unscheduled
 * @param hostname {@code spec.hostname}; empty when unset
 * @param podIp {@code status.podIP}; empty until assigned
 * @param labels {@code metadata.labels}
 * @param annotations {@code metadata.annotations}
 * @param terminating whether {@code metadata.deletionTimestamp} is set
 */
public record Workload(
    String namespace,
    String name,
    String uid,
    String serviceAccount,
    String nodeName,
    String hostname,
    String podIp,
    Map<String, String> labels,
    Map<String, String> annotations,
    boolean terminating) {

  public Workload {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    uid = Objects.requireNonNullElse(uid, "");
    serviceAccount = Objects.requireNonNullElse(serviceAccount, "");
    nodeName = Objects.requireNonNullElse(nodeName, "");
    hostname = Objects.requireNonNullElse(hostname, "");
    podIp = Objects.requireNonNullElse(podIp, "");
    labels = Map.copyOf(Objects.requireNonNullElse(labels, Map.of()));
    annotations = Map.copyOf(Objects.requireNonNullElse(annotations, Map.of()));
  }

  public boolean scheduled() {
    return !nodeName.isEmpty();
  }

  /** {@code namespace/name}. */
  public String ref() {
    return namespace + "/" + name;
  }
}
