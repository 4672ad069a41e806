package org.spireregistrar.cli.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;

/**
 * Maps the JSON tree of a Kubernetes object to the core's Kubernetes-free views, strictly: a field
 * of the wrong type rejects the object with a message naming the field.
 */
final class ObjectMapping {

  Workload pod(JsonNode node) {
    Ref ref = ref("Pod", node, true);
    JsonNode spec = node.path("spec");
    JsonNode status = node.path("status");
    JsonNode meta = node.path("metadata");
    // The API server's ServiceAccount admission defaults an unset name to "default".
    String sa = string(ref, spec, "spec", "serviceAccountName");
    if (sa.isEmpty()) {
      sa = string(ref, spec, "spec", "serviceAccount");
    }
    if (sa.isEmpty()) {
      sa = "default";
    }
    return new Workload(
        ref.namespace,
        ref.name,
        string(ref, meta, "metadata", "uid"),
        sa,
        string(ref, spec, "spec", "nodeName"),
        string(ref, spec, "spec", "hostname"),
        string(ref, status, "status", "podIP"),
        stringMap(ref, meta, "metadata", "labels"),
        stringMap(ref, meta, "metadata", "annotations"),
        !string(ref, meta, "metadata", "deletionTimestamp").isEmpty());
  }

  NodeInfo node(JsonNode node) {
    Ref ref = ref("Node", node, false);
    JsonNode meta = node.path("metadata");
    return new NodeInfo(
        ref.name,
        string(ref, meta, "metadata", "uid"),
        stringMap(ref, meta, "metadata", "annotations"));
  }

  EndpointsInfo endpoints(JsonNode node) {
    Ref ref = ref("Endpoints", node, true);
    List<EndpointsInfo.Address> ready = new ArrayList<>();
    List<EndpointsInfo.Address> notReady = new ArrayList<>();
    JsonNode subsets = node.path("subsets");
    if (!subsets.isMissingNode() && !subsets.isNull()) {
      if (!subsets.isArray()) {
        throw ref.reject("subsets must be a list");
      }
      for (int i = 0; i < subsets.size(); i++) {
        JsonNode subset = subsets.get(i);
        String field = "subsets[" + i + "]";
        if (!subset.isObject()) {
          throw ref.reject(field + " must be an object");
        }
        addresses(ref, subset, field, "addresses", ready);
        addresses(ref, subset, field, "notReadyAddresses", notReady);
      }
    }
    return new EndpointsInfo(ref.namespace, ref.name, ready, notReady);
  }

  private void addresses(
      Ref ref, JsonNode subset, String field, String key, List<EndpointsInfo.Address> out) {
    JsonNode list = subset.path(key);
    if (list.isMissingNode() || list.isNull()) {
      return;
    }
    if (!list.isArray()) {
      throw ref.reject(field + "." + key + " must be a list");
    }
    for (int j = 0; j < list.size(); j++) {
      JsonNode a = list.get(j);
      String af = field + "." + key + "[" + j + "]";
      if (!a.isObject()) {
        throw ref.reject(af + " must be an object");
      }
      JsonNode target = a.path("targetRef");
      out.add(
          new EndpointsInfo.Address(
              string(ref, a, af, "ip"),
              string(ref, a, af, "hostname"),
              string(ref, target, af + ".targetRef", "kind"),
              string(ref, target, af + ".targetRef", "namespace"),
              string(ref, target, af + ".targetRef", "name"),
              string(ref, target, af + ".targetRef", "uid")));
    }
  }

  SpiffeIdResource spiffeId(JsonNode node) {
    Ref ref = ref("SpiffeID", node, true);
    JsonNode meta = node.path("metadata");
    JsonNode spec = node.path("spec");
    if (!spec.isObject()) {
      throw ref.reject("spec is required");
    }
    JsonNode sel = spec.path("selector");
    if (!sel.isMissingNode() && !sel.isNull() && !sel.isObject()) {
      throw ref.reject("spec.selector must be an object");
    }
    String sf = "spec.selector";
    SpiffeIdResource.Selector selector =
        new SpiffeIdResource.Selector(
            string(ref, sel, sf, "cluster"),
            string(ref, sel, sf, "agent_node_uid"),
            stringMap(ref, sel, sf, "podLabel"),
            string(ref, sel, sf, "podName"),
            string(ref, sel, sf, "podUid"),
            string(ref, sel, sf, "namespace"),
            string(ref, sel, sf, "serviceAccount"),
            string(ref, sel, sf, "containerImage"),
            string(ref, sel, sf, "containerName"),
            string(ref, sel, sf, "nodeName"),
            stringList(ref, sel, sf, "arbitrary"));
    JsonNode downstream = spec.path("downstream");
    if (!downstream.isMissingNode() && !downstream.isNull() && !downstream.isBoolean()) {
      throw ref.reject("spec.downstream must be a boolean");
    }
    SpiffeIdResource.Spec s =
        new SpiffeIdResource.Spec(
            string(ref, spec, "spec", "parentId"),
            string(ref, spec, "spec", "spiffeId"),
            selector,
            downstream.asBoolean(false),
            stringList(ref, spec, "spec", "dnsNames"),
            stringList(ref, spec, "spec", "federatesWith"));
    return new SpiffeIdResource(
        ref.namespace,
        ref.name,
        stringMap(ref, meta, "metadata", "labels"),
        s,
        string(ref, node.path("status"), "status", "entryId"));
  }

  private static Ref ref(String kind, JsonNode node, boolean namespaced) {
    JsonNode meta = node.path("metadata");
    String name = meta.path("name").isTextual() ? meta.path("name").asText() : "";
    String namespace = "";
    if (namespaced) {
      JsonNode ns = meta.path("namespace");
      namespace = ns.isTextual() && !ns.asText().isEmpty() ? ns.asText() : "default";
    }
    Ref ref = new Ref(kind, namespace, name.isEmpty() ? "<unnamed>" : name);
    if (!meta.isObject()) {
      throw ref.reject("metadata is required");
    }
    if (name.isEmpty()) {
      throw ref.reject("metadata.name is required");
    }
    return ref;
  }

  private static String string(Ref ref, JsonNode parent, String parentField, String key) {
    JsonNode v = parent.path(key);
    if (v.isMissingNode() || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw ref.reject(parentField + "." + key + " must be a string, got " + kindOf(v));
    }
    return v.asText();
  }

  private static Map<String, String> stringMap(
      Ref ref, JsonNode parent, String parentField, String key) {
    JsonNode v = parent.path(key);
    if (v.isMissingNode() || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw ref.reject(parentField + "." + key + " must be a map of strings, got " + kindOf(v));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (var f : v.properties()) {
      if (!f.getValue().isTextual()) {
        throw ref.reject(
            parentField
                + "."
                + key
                + "[\""
                + f.getKey()
                + "\"] must be a string, got "
                + kindOf(f.getValue())
                + " "
                + f.getValue());
      }
      out.put(f.getKey(), f.getValue().asText());
    }
    return out;
  }

  private static List<String> stringList(Ref ref, JsonNode parent, String parentField, String key) {
    JsonNode v = parent.path(key);
    if (v.isMissingNode() || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw ref.reject(parentField + "." + key + " must be a list of strings, got " + kindOf(v));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw ref.reject(
            parentField + "." + key + "[" + i + "] must be a string, got " + kindOf(v.get(i)));
      }
      out.add(v.get(i).asText());
    }
    return out;
  }

  private static String kindOf(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (v.isArray()) {
      return "list";
    }
    if (v.isObject()) {
      return "map";
    }
    return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private record Ref(String kind, String namespace, String name) {
    RejectedObjectException reject(String reason) {
      return new RejectedObjectException(kind, namespace, name, reason);
    }
  }
}
