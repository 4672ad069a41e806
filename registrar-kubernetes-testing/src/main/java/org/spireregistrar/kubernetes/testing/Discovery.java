package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The documents clients read to find out what the server serves ({@code /api}, {@code /apis},
 * {@code /api/v1}, {@code /apis/<group>/<version>}, {@code /version}) and the {@code Table} form of
 * objects that {@code kubectl get} asks for.
 */
final class Discovery {
  /** The Kubernetes version the stand-in claims to be (kubectl picks its behaviour from it). */
  static final String MAJOR = "1";

  static final String MINOR = "32";

  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private final Registry registry;
  private final Clock clock;

  Discovery(Registry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  ObjectNode version() {
    ObjectNode v = Json.object();
    v.put("major", MAJOR);
    v.put("minor", MINOR);
    v.put("gitVersion", "v" + MAJOR + "." + MINOR + ".0");
    v.put("gitCommit", "0000000000000000000000000000000000000000");
    v.put("gitTreeState", "clean");
    v.put("buildDate", "2026-01-01T00:00:00Z");
    v.put("goVersion", "go1.23.0");
    v.put("compiler", "gc");
    v.put("platform", "linux/amd64");
    return v;
  }

  ObjectNode coreVersions(String serverAddress) {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIVersions");
    doc.putArray("versions").add("v1");
    ObjectNode cidr = doc.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return doc;
  }

  ObjectNode groupList() {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIGroupList");
    doc.put("apiVersion", "v1");
    ArrayNode groups = doc.putArray("groups");
    groupVersions().forEach((group, versions) -> groups.add(group(group, versions)));
    return doc;
  }

  Optional<ObjectNode> group(String name) {
    List<String> versions = groupVersions().get(name);
    if (versions == null) {
      return Optional.empty();
    }
    ObjectNode doc = group(name, versions);
    doc.put("kind", "APIGroup");
    doc.put("apiVersion", "v1");
    return Optional.of(doc);
  }

  private static ObjectNode group(String name, List<String> versions) {
    ObjectNode g = Json.object();
    g.put("name", name);
    ArrayNode vs = g.putArray("versions");
    for (String v : versions) {
      ObjectNode gv = vs.addObject();
      gv.put("groupVersion", name + "/" + v);
      gv.put("version", v);
    }
    ObjectNode preferred = g.putObject("preferredVersion");
    preferred.put("groupVersion", name + "/" + versions.get(0));
    preferred.put("version", versions.get(0));
    return g;
  }

  private Map<String, List<String>> groupVersions() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ResourceType t : registry.all()) {
      if (!t.group().isEmpty()) {
        List<String> versions = out.computeIfAbsent(t.group(), k -> new ArrayList<>());
        if (!versions.contains(t.version())) {
          versions.add(t.version());
        }
      }
    }
    return out;
  }

  /** The APIResourceList of a group version, empty if nothing is served there. */
  Optional<ObjectNode> resources(String group, String version) {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIResourceList");
    doc.put("apiVersion", "v1");
    doc.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode resources = doc.putArray("resources");
    for (ResourceType t : registry.all()) {
      if (!t.group().equals(group) || !t.version().equals(version)) {
        continue;
      }
      ObjectNode r = resources.addObject();
      r.put("name", t.plural());
      r.put("singularName", t.singular());
      r.put("namespaced", t.namespaced());
      r.put("kind", t.kind());
      ArrayNode verbs = r.putArray("verbs");
      VERBS.forEach(verbs::add);
      if (!t.shortNames().isEmpty()) {
        ArrayNode shortNames = r.putArray("shortNames");
        t.shortNames().forEach(shortNames::add);
      }
      if (t.statusSubresource()) {
        ObjectNode s = resources.addObject();
        s.put("name", t.plural() + "/status");
        s.put("singularName", "");
        s.put("namespaced", t.namespaced());
        s.put("kind", t.kind());
        s.putArray("verbs").add("get").add("patch").add("update");
      }
    }
    return resources.isEmpty() ? Optional.empty() : Optional.of(doc);
  }

  // ---------------------------------------------------------------- OpenAPI v3

  /** {@code /openapi/v3}: where each group version's document is. */
  ObjectNode openApiRoot() {
    ObjectNode doc = Json.object();
    ObjectNode paths = doc.putObject("paths");
    for (ResourceType t : registry.all()) {
      String gv = t.groupVersionPath().substring(1);
      paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv);
    }
    return doc;
  }

  /**
   * A minimal OpenAPI v3 document of a group version: one PATCH operation per type, carrying the
   * {@code x-kubernetes-group-version-kind} extension and the {@code fieldValidation} parameter.
   * That is what kubectl looks for to learn that the server validates fields itself, so it skips
   * client-side schema validation (the stand-in accepts and ignores {@code fieldValidation}).
   */
  Optional<ObjectNode> openApi(String group, String version) {
    ObjectNode doc = Json.object();
    doc.put("openapi", "3.0.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Kubernetes");
    info.put("version", "v" + MAJOR + "." + MINOR + ".0");
    ObjectNode paths = doc.putObject("paths");
    for (ResourceType t : registry.all()) {
      if (!t.group().equals(group) || !t.version().equals(version)) {
        continue;
      }
      String path =
          t.namespaced()
              ? t.groupVersionPath() + "/namespaces/{namespace}/" + t.plural() + "/{name}"
              : t.groupVersionPath() + "/" + t.plural() + "/{name}";
      ObjectNode patch = paths.putObject(path).putObject("patch");
      patch.put("operationId", "patch" + t.kind());
      ObjectNode param = patch.putArray("parameters").addObject();
      param.put("name", "fieldValidation");
      param.put("in", "query");
      param.putObject("schema").put("type", "string");
      patch.putObject("responses").putObject("200").put("description", "OK");
      ObjectNode gvk = patch.putObject("x-kubernetes-group-version-kind");
      gvk.put("group", t.group());
      gvk.put("kind", t.kind());
      gvk.put("version", t.version());
    }
    return paths.isEmpty() ? Optional.empty() : Optional.of(doc);
  }

  // ---------------------------------------------------------------- tables

  /** A {@code meta.k8s.io/v1 Table} of the objects, as {@code kubectl get} asks for. */
  ObjectNode table(
      ResourceType type,
      List<? extends JsonNode> objects,
      String resourceVersion,
      String continueToken,
      boolean includeObject) {
    ObjectNode table = Json.object();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode meta = table.putObject("metadata");
    meta.put("resourceVersion", resourceVersion);
    if (continueToken != null && !continueToken.isEmpty()) {
      meta.put("continue", continueToken);
    }
    ArrayNode columns = table.putArray("columnDefinitions");
    column(columns, "Name", "name", "Name must be unique within a namespace.");
    for (String[] extra : extraColumns(type)) {
      column(columns, extra[0], "", extra[0]);
    }
    column(columns, "Age", "", "Time since the object was created.");
    ArrayNode rows = table.putArray("rows");
    for (JsonNode obj : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(Json.text(obj, "metadata.name"));
      for (String[] extra : extraColumns(type)) {
        String value = Json.text(obj, extra[1]);
        cells.add(value.isEmpty() ? "<none>" : value);
      }
      cells.add(age(Json.text(obj, "metadata.creationTimestamp")));
      if (includeObject) {
        row.set("object", obj);
      } else {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", obj.get("metadata"));
      }
    }
    return table;
  }

  private static List<String[]> extraColumns(ResourceType type) {
    if (type.equals(ResourceType.PODS)) {
      return List.of(
          new String[] {"Status", "status.phase"}, new String[] {"Node", "spec.nodeName"});
    }
    if (type.equals(ResourceType.NAMESPACES)) {
      return List.of(new String[][] {{"Status", "status.phase"}});
    }
    if (type.equals(ResourceType.SPIFFEIDS)) {
      return List.of(new String[][] {{"SPIFFE ID", "spec.spiffeId"}, {"Entry", "status.entryId"}});
    }
    return List.of();
  }

  private static void column(ArrayNode columns, String name, String format, String description) {
    ObjectNode c = columns.addObject();
    c.put("name", name);
    c.put("type", "string");
    c.put("format", format);
    c.put("description", description);
    c.put("priority", 0);
  }

  private String age(String creationTimestamp) {
    Duration d;
    try {
      d = Duration.between(Instant.parse(creationTimestamp), clock.instant());
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m";
    }
    if (s < 48 * 3600) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}
