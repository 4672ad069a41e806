package org.spireregistrar.kubernetes.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A resource URL taken apart: {@code /api/v1[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]}
 * or the same under {@code /apis/<group>/<version>}.
 *
 * @param namespace {@code ""} for cluster-scoped types and all-namespace collections
 * @param name {@code ""} for a collection
 * @param subresource {@code ""} or {@code status}
 */
record Route(ResourceType type, String namespace, String name, String subresource) {

  boolean isCollection() {
    return name.isEmpty();
  }

  boolean isStatus() {
    return subresource.equals("status");
  }

  static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        segments.add(s);
      }
    }
    return segments;
  }

  /**
   * Parses a resource path.
   *
   * @return empty if the path is not a resource path (discovery, {@code /version}, …)
   * @throws ApiStatusException 404 for a resource path naming nothing served
   */
  static Optional<Route> parse(String path, Registry registry) {
    List<String> s = segments(path);
    String group;
    String version;
    List<String> rest;
    if (s.size() > 2 && s.get(0).equals("api")) {
      group = "";
      version = s.get(1);
      rest = s.subList(2, s.size());
    } else if (s.size() > 3 && s.get(0).equals("apis")) {
      group = s.get(1);
      version = s.get(2);
      rest = s.subList(3, s.size());
    } else {
      return Optional.empty();
    }
    String namespace = "";
    boolean namespacePath =
        rest.size() >= 3
            && rest.get(0).equals("namespaces")
            && !(group.isEmpty()
                && rest.size() == 3
                && (rest.get(2).equals("status") || rest.get(2).equals("finalize")));
    if (namespacePath) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.size() > 3) {
      throw ApiStatusException.routeNotFound();
    }
    ResourceType type =
        registry.byPath(group, version, rest.get(0)).orElseThrow(ApiStatusException::routeNotFound);
    String name = rest.size() > 1 ? rest.get(1) : "";
    String subresource = rest.size() > 2 ? rest.get(2) : "";
    if (namespacePath && !type.namespaced()) {
      throw ApiStatusException.routeNotFound();
    }
    if (!namespacePath && type.namespaced() && !name.isEmpty()) {
      throw ApiStatusException.routeNotFound();
    }
    if (!subresource.isEmpty() && !(subresource.equals("status") && type.statusSubresource())) {
      throw ApiStatusException.routeNotFound();
    }
    return Optional.of(new Route(type, namespace, name, subresource));
  }
}
