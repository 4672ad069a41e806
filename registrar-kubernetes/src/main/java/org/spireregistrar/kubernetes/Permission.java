package org.spireregistrar.kubernetes;

import java.util.Objects;

/**
 * One kind of request the registrar makes to the Kubernetes API: a verb on a resource (or one of
 * its subresources) of an API group, on every namespace and cluster-scoped object ({@link
 * Scope#CLUSTER}) or only in the registrar's own namespace ({@link Scope#NAMESPACE}). RBAC grants
 * it with a rule {@code {apiGroups: [group], resources: [resource or resource/subresource], verbs:
 * [verb]}} in a ClusterRole bound by a ClusterRoleBinding, or in a Role bound in the namespace.
 *
 * @param verb the Kubernetes verb, e.g. {@code list}
 * @param group the API group, {@code ""} for the core group
 * @param resource the resource plural, e.g. {@code pods}
 * @param subresource e.g. {@code status}; {@code ""} for the resource itself
 * @param scope where the requests go
 */
public record Permission(
    String verb, String group, String resource, String subresource, Scope scope) {

  /** Where a permission applies. */
  public enum Scope {
    /** All namespaces (and cluster-scoped objects): a ClusterRole and a ClusterRoleBinding. */
    CLUSTER,
    /** The registrar's own namespace: a Role and a RoleBinding there. */
    NAMESPACE
  }

  public Permission {
    requireToken(verb, "verb");
    Objects.requireNonNull(group, "group");
    requireToken(resource, "resource");
    Objects.requireNonNull(subresource, "subresource");
    Objects.requireNonNull(scope, "scope");
  }

  /** A permission on a resource itself (no subresource). */
  public static Permission of(String verb, String group, String resource, Scope scope) {
    return new Permission(verb, group, resource, "", scope);
  }

  /**
   * As {@code kubectl auth can-i} names it and users read it: {@code list pods}, {@code update
   * spiffeids.spiffeid.spiffe.io/status}, followed by where: {@code (cluster-wide)} or {@code
   * (namespace spire)}.
   *
   * @param namespace the registrar's namespace, for {@link Scope#NAMESPACE}
   */
  public String describe(String namespace) {
    String name = group.isEmpty() ? resource : resource + "." + group;
    if (!subresource.isEmpty()) {
      name += "/" + subresource;
    }
    String where = scope == Scope.CLUSTER ? "cluster-wide" : "namespace " + namespace;
    return verb + " " + name + " (" + where + ")";
  }

  private static void requireToken(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("permission: " + what + " must not be blank");
    }
  }
}
