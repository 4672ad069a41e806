package org.spireregistrar.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.spireregistrar.kubernetes.Permission;

/**
 * What RBAC documents grant one service account, as {@link Permission}s: a ClusterRole bound by a
 * ClusterRoleBinding grants cluster-wide, a Role (or ClusterRole) bound by a RoleBinding grants in
 * the binding's namespace. Rules are expanded verb by verb, resource by resource; wildcards stay
 * {@code *} (so they never equal a needed permission), and anything the comparison cannot express
 * (a grant in another namespace, a rule limited by {@code resourceNames}, a role bound to nothing)
 * is a problem of its own.
 *
 * @param granted every permission granted
 * @param problems what makes the grants differ from plain rules, one line each
 */
record RbacGrants(Set<Permission> granted, List<String> problems) {

  /**
   * @param docs the RBAC documents (roles and bindings; others are ignored)
   * @param serviceAccount the subject, {@code <namespace>/<name>}
   * @param namespace the registrar's namespace
   */
  static RbacGrants of(Collection<JsonNode> docs, String serviceAccount, String namespace) {
    Set<Permission> granted = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    Set<String> boundRoles = new LinkedHashSet<>();
    for (JsonNode binding : docs) {
      String kind = binding.path("kind").asText();
      if (!kind.equals("ClusterRoleBinding") && !kind.equals("RoleBinding")) {
        continue;
      }
      String bindingName = kind + " " + binding.path("metadata").path("name").asText();
      if (!bindsTo(binding, serviceAccount)) {
        problems.add(bindingName + " does not bind service account " + serviceAccount);
        continue;
      }
      String roleKind = binding.path("roleRef").path("kind").asText();
      String roleName = binding.path("roleRef").path("name").asText();
      String bindingNamespace = binding.path("metadata").path("namespace").asText("");
      Permission.Scope scope =
          kind.equals("ClusterRoleBinding") ? Permission.Scope.CLUSTER : Permission.Scope.NAMESPACE;
      if (scope == Permission.Scope.NAMESPACE && !bindingNamespace.equals(namespace)) {
        problems.add(
            bindingName
                + " grants in namespace "
                + bindingNamespace
                + ", not the registrar's namespace "
                + namespace);
      }
      Optional<JsonNode> role = role(docs, roleKind, roleName, bindingNamespace);
      if (role.isEmpty()) {
        problems.add(
            bindingName + " refers to " + roleKind + " " + roleName + ", not defined here");
        continue;
      }
      boundRoles.add(roleKind + " " + roleName);
      for (JsonNode rule : role.get().path("rules")) {
        if (!rule.path("resourceNames").isEmpty()) {
          problems.add(roleKind + " " + roleName + ": a rule limited by resourceNames: " + rule);
        }
        if (!rule.path("nonResourceURLs").isEmpty()) {
          problems.add(roleKind + " " + roleName + ": a rule on nonResourceURLs: " + rule);
        }
        for (JsonNode group : rule.path("apiGroups")) {
          for (JsonNode resource : rule.path("resources")) {
            String r = resource.asText();
            int slash = r.indexOf('/');
            String plural = slash < 0 ? r : r.substring(0, slash);
            String sub = slash < 0 ? "" : r.substring(slash + 1);
            for (JsonNode verb : rule.path("verbs")) {
              granted.add(new Permission(verb.asText(), group.asText(), plural, sub, scope));
            }
          }
        }
      }
    }
    for (JsonNode role : docs) {
      String kind = role.path("kind").asText();
      if ((kind.equals("ClusterRole") || kind.equals("Role"))
          && !boundRoles.contains(kind + " " + role.path("metadata").path("name").asText())) {
        problems.add(
            kind + " " + role.path("metadata").path("name").asText() + " is bound to nothing");
      }
    }
    // Insertion order (rule order), so that differences read in the order of the file.
    return new RbacGrants(Collections.unmodifiableSet(granted), List.copyOf(problems));
  }

  /**
   * How {@code granted} differs from {@code required}: one line per permission missing or granted
   * beyond need, then the problems; empty when they are the same.
   */
  List<String> differences(Collection<Permission> required, String namespace) {
    List<String> out = new ArrayList<>();
    for (Permission p : required) {
      if (!granted.contains(p)) {
        out.add("missing: " + p.describe(namespace));
      }
    }
    for (Permission p : granted) {
      if (!required.contains(p)) {
        out.add("not used by the code: " + p.describe(namespace));
      }
    }
    out.addAll(problems);
    return out;
  }

  private static boolean bindsTo(JsonNode binding, String serviceAccount) {
    for (JsonNode s : binding.path("subjects")) {
      if (s.path("kind").asText().equals("ServiceAccount")
          && (s.path("namespace").asText() + "/" + s.path("name").asText())
              .equals(serviceAccount)) {
        return true;
      }
    }
    return false;
  }

  private static Optional<JsonNode> role(
      Collection<JsonNode> docs, String kind, String name, String namespace) {
    for (JsonNode d : docs) {
      if (d.path("kind").asText().equals(kind)
          && d.path("metadata").path("name").asText().equals(name)
          && (kind.equals("ClusterRole")
              || d.path("metadata").path("namespace").asText("").equals(namespace))) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
