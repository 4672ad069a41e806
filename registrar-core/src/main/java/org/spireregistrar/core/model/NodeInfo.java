package org.spireregistrar.core.model;

import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes-free view of a Node.
 *
 * @param name {@code metadata.name}
 * @param uid {@code metadata.uid}; empty when unknown
 * @param annotations {@code metadata.annotations}
 */
public record NodeInfo(String name, String uid, Map<String, String> annotations) {

  public NodeInfo {
    Objects.requireNonNull(name, "name");
    uid = Objects.requireNonNullElse(uid, "");
    annotations = Map.copyOf(Objects.requireNonNullElse(annotations, Map.of()));
  }
}
