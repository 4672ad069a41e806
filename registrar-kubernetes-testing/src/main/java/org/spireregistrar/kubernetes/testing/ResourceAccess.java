package org.spireregistrar.kubernetes.testing;

import java.util.Objects;

/**
 * What a {@code SelfSubjectAccessReview} asks about ({@code spec.resourceAttributes}), as the
 * stand-in's {@linkplain KubernetesApiStandIn#authorize authorizer} sees it.
 *
 * @param verb e.g. {@code list}
 * @param group the API group, {@code ""} for the core group
 * @param resource the resource plural, e.g. {@code pods}
 * @param subresource e.g. {@code status}; {@code ""} if none
 * @param namespace {@code ""} for all namespaces (or a cluster-scoped resource)
 * @param name {@code ""} for any object
 */
public record ResourceAccess(
    String verb, String group, String resource, String subresource, String namespace, String name) {

  /** Requires every component to be non-null. */
  public ResourceAccess {
    Objects.requireNonNull(verb, "verb");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(subresource, "subresource");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** Any object of {@code group}/{@code resource} in {@code namespace} ({@code ""}: all). */
  public static ResourceAccess of(String verb, String group, String resource, String namespace) {
    return new ResourceAccess(verb, group, resource, "", namespace, "");
  }

  /** The same access to any object (name cleared): what a rule without resourceNames grants. */
  public ResourceAccess anyName() {
    return name.isEmpty()
        ? this
        : new ResourceAccess(verb, group, resource, subresource, namespace, "");
  }
}
