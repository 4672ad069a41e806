package org.spireregistrar.kubernetes.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** The resource types served, by URL (group, version, plural) and by apiVersion and kind. */
final class Registry {
  private final Map<String, ResourceType> byPath = new ConcurrentSkipListMap<>();
  private final Map<String, ResourceType> byKind = new ConcurrentSkipListMap<>();

  /** Serves a type; a type with the same group, version and plural is replaced. */
  void register(ResourceType type) {
    ResourceType previous = byPath.put(pathKey(type.group(), type.version(), type.plural()), type);
    if (previous != null) {
      byKind.remove(kindKey(previous.apiVersion(), previous.kind()));
    }
    byKind.put(kindKey(type.apiVersion(), type.kind()), type);
  }

  Optional<ResourceType> byPath(String group, String version, String plural) {
    return Optional.ofNullable(byPath.get(pathKey(group, version, plural)));
  }

  Optional<ResourceType> byKind(String apiVersion, String kind) {
    return Optional.ofNullable(byKind.get(kindKey(apiVersion, kind)));
  }

  /** All types, ordered by group, version and plural. */
  List<ResourceType> all() {
    return new ArrayList<>(byPath.values());
  }

  private static String pathKey(String group, String version, String plural) {
    return group + "/" + version + "/" + plural;
  }

  private static String kindKey(String apiVersion, String kind) {
    return apiVersion + "|" + kind;
  }
}
