package org.spireregistrar.core;

import java.util.Objects;

/**
 * A Kubernetes object the policy cannot turn into an entry: a label that is not a valid ID segment,
 * an invalid federation annotation, a template that fails for this pod. The message reads {@code
 * <kind> <namespace>/<name>: <reason>} ({@code <kind> <name>: <reason>} for cluster-scoped
 * objects).
 */
public class RejectedObjectException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String kind;
  private final String namespace;
  private final String name;
  private final String reason;

  public RejectedObjectException(String kind, String namespace, String name, String reason) {
    super(format(kind, namespace, name, reason));
    this.kind = Objects.requireNonNull(kind);
    this.namespace = Objects.requireNonNullElse(namespace, "");
    this.name = Objects.requireNonNullElse(name, "");
    this.reason = Objects.requireNonNull(reason);
  }

  private static String format(String kind, String namespace, String name, String reason) {
    String ref =
        namespace == null || namespace.isEmpty() ? String.valueOf(name) : namespace + "/" + name;
    return kind + " " + ref + ": " + reason;
  }

  public String kind() {
    return kind;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  /** The reason without the object reference. */
  public String reason() {
    return reason;
  }
}
