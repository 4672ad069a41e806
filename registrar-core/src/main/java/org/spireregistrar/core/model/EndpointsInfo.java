package org.spireregistrar.core.model;

import java.util.List;
import java.util.Objects;

/**
 * A Kubernetes-free view of an Endpoints object: all subsets' addresses flattened.
 *
 * @param namespace {@code metadata.namespace}
 * @param name {@code metadata.name} (the Service name)
 * @param ready {@code subsets[].addresses[]}
 * @param notReady {@code subsets[].notReadyAddresses[]}
 */
public record EndpointsInfo(
    String namespace, String name, List<Address> ready, List<Address> notReady) {

  public EndpointsInfo {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    ready = List.copyOf(Objects.requireNonNullElse(ready, List.of()));
    notReady = List.copyOf(Objects.requireNonNullElse(notReady, List.of()));
  }

  /**
   * One endpoint address.
   *
   * @param ip {@code ip}
   * @param hostname {@code hostname}; empty when unset
   * @param targetKind {@code targetRef.kind}; empty when there is no targetRef
   * @param targetNamespace {@code targetRef.namespace}
   * @param targetName {@code targetRef.name}
   * @param targetUid {@code targetRef.uid}
   */
  public record Address(
      String ip,
      String hostname,
      String targetKind,
      String targetNamespace,
      String targetName,
      String targetUid) {

    public Address {
      ip = Objects.requireNonNullElse(ip, "");
      hostname = Objects.requireNonNullElse(hostname, "");
      targetKind = Objects.requireNonNullElse(targetKind, "");
      targetNamespace = Objects.requireNonNullElse(targetNamespace, "");
      targetName = Objects.requireNonNullElse(targetName, "");
      targetUid = Objects.requireNonNullElse(targetUid, "");
    }

    /** Whether this address targets the pod {@code namespace/name}. */
    public boolean targetsPod(String namespace, String name) {
      return "Pod".equals(targetKind)
          && targetName.equals(name)
          && targetNamespace.equals(namespace);
    }
  }
}
