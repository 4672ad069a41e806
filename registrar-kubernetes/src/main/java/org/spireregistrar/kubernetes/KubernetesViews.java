package org.spireregistrar.kubernetes;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * Maps Kubernetes objects, as raw JSON, to the core's Kubernetes-free views.
 *
 * <p>Raw JSON rather than client-java's typed models: the typed models refuse objects with fields
 * the client version does not know (a newer API server) or without fields it marks required, and
 * one such object stops an informer for good. Only the fields the policies read are taken; a field
 * of an unexpected JSON type reads as absent.
 */
public final class KubernetesViews {
  private KubernetesViews() {}

  /** The pod's view; only what the policies read, so unrelated status changes compare equal. */
  public static Workload pod(JsonObject pod) {
    JsonObject meta = object(pod, "metadata");
    JsonObject spec = object(pod, "spec");
    JsonObject status = object(pod, "status");
    String sa = string(spec, "serviceAccountName");
    if (sa.isEmpty()) {
      sa = string(spec, "serviceAccount");
    }
    return new Workload(
        string(meta, "namespace"),
        string(meta, "name"),
        string(meta, "uid"),
        sa,
        string(spec, "nodeName"),
        string(spec, "hostname"),
        string(status, "podIP"),
        stringMap(meta, "labels"),
        stringMap(meta, "annotations"),
        meta.has("deletionTimestamp") && !meta.get("deletionTimestamp").isJsonNull());
  }

  public static NodeInfo node(JsonObject node) {
    JsonObject meta = object(node, "metadata");
    return new NodeInfo(string(meta, "name"), string(meta, "uid"), stringMap(meta, "annotations"));
  }

  public static EndpointsInfo endpoints(JsonObject endpoints) {
    JsonObject meta = object(endpoints, "metadata");
    List<EndpointsInfo.Address> ready = new ArrayList<>();
    List<EndpointsInfo.Address> notReady = new ArrayList<>();
    for (JsonElement subset : array(endpoints, "subsets")) {
      if (subset.isJsonObject()) {
        addresses(array(subset.getAsJsonObject(), "addresses"), ready);
        addresses(array(subset.getAsJsonObject(), "notReadyAddresses"), notReady);
      }
    }
    return new EndpointsInfo(string(meta, "namespace"), string(meta, "name"), ready, notReady);
  }

  /** {@code metadata.namespace} and {@code metadata.name}. */
  public static String[] ref(JsonObject object) {
    JsonObject meta = object(object, "metadata");
    return new String[] {string(meta, "namespace"), string(meta, "name")};
  }

  private static void addresses(JsonArray in, List<EndpointsInfo.Address> out) {
    for (JsonElement e : in) {
      if (!e.isJsonObject()) {
        continue;
      }
      JsonObject a = e.getAsJsonObject();
      JsonObject t = object(a, "targetRef");
      out.add(
          new EndpointsInfo.Address(
              string(a, "ip"),
              string(a, "hostname"),
              string(t, "kind"),
              string(t, "namespace"),
              string(t, "name"),
              string(t, "uid")));
    }
  }

  private static final JsonObject EMPTY = new JsonObject();

  private static JsonObject object(JsonObject parent, String key) {
    JsonElement e = parent.get(key);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : EMPTY;
  }

  private static JsonArray array(JsonObject parent, String key) {
    JsonElement e = parent.get(key);
    return e != null && e.isJsonArray() ? e.getAsJsonArray() : new JsonArray();
  }

  private static String string(JsonObject parent, String key) {
    JsonElement e = parent.get(key);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
        ? e.getAsString()
        : "";
  }

  private static Map<String, String> stringMap(JsonObject parent, String key) {
    JsonObject m = object(parent, key);
    if (m.size() == 0) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (var entry : m.entrySet()) {
      JsonElement v = entry.getValue();
      if (v.isJsonPrimitive()) {
        out.put(entry.getKey(), v.getAsString());
      }
    }
    return out;
  }
}
