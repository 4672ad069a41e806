package org.spireregistrar.kubernetes;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;

/**
 * The one mapping from Kubernetes objects, as JSON trees, to the core's Kubernetes-free views: Pod
 * → {@link Workload}, Node → {@link NodeInfo}, Endpoints → {@link EndpointsInfo}, SpiffeID → {@link
 * SpiffeIdResource}. The informers use it {@link Strictness#LENIENT}; {@code plan}'s files ({@link
 * ManifestReader}) and webhook admission use it {@link Strictness#STRICT}.
 *
 * <p>Raw JSON rather than client-java's typed models: the typed models refuse objects with fields
 * the client version does not know (a newer API server) or without fields it marks required, and
 * one such object stops an informer for good. Only the fields the policies read are taken; unknown
 * fields are ignored. In both modes:
 *
 * <ul>
 *   <li>an absent or {@code null} field reads as empty;
 *   <li>the service account is {@code spec.serviceAccountName}, else the deprecated {@code
 *       spec.serviceAccount}, else {@code default} (what the API server's ServiceAccount admission
 *       fills in);
 *   <li>a pod is terminating when {@code metadata.deletionTimestamp} is a non-empty string;
 *   <li>an object without {@code metadata.namespace} gets the namespace this mapping was made with;
 *   <li>a {@code null} value in a string map reads as {@code ""}, as Go decodes it.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class ObjectViews {

  /** What a field of the wrong JSON type does. */
  public enum Strictness {
    /**
     * The object is rejected with a {@link RejectedObjectException} naming the object and the
     * field: {@code Pod default/web-0: metadata.labels must be a map of strings, got list}.
     */
    STRICT,
    /**
     * The field reads as absent (a number or boolean in a string map reads as its text), so that
     * one odd object never stops an informer. Nothing is thrown.
     */
    LENIENT
  }

  /** Longest stretch of a wrong value quoted back in a message. */
  private static final int VALUE_LIMIT = 64;

  private static final JsonObject EMPTY = new JsonObject();

  private final Strictness strictness;
  private final String namespaceIfUnset;

  /**
   * @param strictness what a field of the wrong JSON type does
   * @param namespaceIfUnset the namespace of a namespaced object without {@code
   *     metadata.namespace}: {@code default} for files (as kubectl), the request's namespace in
   *     admission, {@code ""} for objects from the API server (which always sets it)
   */
  public ObjectViews(Strictness strictness, String namespaceIfUnset) {
    this.strictness = Objects.requireNonNull(strictness, "strictness");
    this.namespaceIfUnset = Objects.requireNonNull(namespaceIfUnset, "namespaceIfUnset");
  }

  /**
   * A Pod's view; only what the policies read, so status-only changes give equal views.
   *
   * @throws RejectedObjectException {@code Pod <ns>/<name>: <field> must be …} (STRICT only)
   */
  public Workload pod(JsonObject pod) {
    Fields root = root("Pod", pod, true);
    Fields meta = root.object("metadata");
    Fields spec = root.object("spec");
    Fields status = root.object("status");
    String sa = spec.string("serviceAccountName");
    if (sa.isEmpty()) {
      sa = spec.string("serviceAccount");
    }
    if (sa.isEmpty()) {
      sa = "default";
    }
    return new Workload(
        namespace(meta),
        meta.string("name"),
        meta.string("uid"),
        sa,
        spec.string("nodeName"),
        spec.string("hostname"),
        status.string("podIP"),
        meta.stringMap("labels"),
        meta.stringMap("annotations"),
        !meta.string("deletionTimestamp").isEmpty());
  }

  /**
   * A Node's view.
   *
   * @throws RejectedObjectException {@code Node <name>: <field> must be …} (STRICT only)
   */
  public NodeInfo node(JsonObject node) {
    Fields root = root("Node", node, false);
    Fields meta = root.object("metadata");
    // Not read, but a Node whose spec or status is not an object is no Node (STRICT refuses it).
    root.object("spec");
    root.object("status");
    return new NodeInfo(meta.string("name"), meta.string("uid"), meta.stringMap("annotations"));
  }

  /**
   * An Endpoints object's view: the addresses of all subsets, ready and not ready, in order.
   *
   * @throws RejectedObjectException {@code Endpoints <ns>/<name>: <field> must be …} (STRICT only)
   */
  public EndpointsInfo endpoints(JsonObject endpoints) {
    Fields root = root("Endpoints", endpoints, true);
    Fields meta = root.object("metadata");
    List<EndpointsInfo.Address> ready = new ArrayList<>();
    List<EndpointsInfo.Address> notReady = new ArrayList<>();
    for (Fields subset : root.objects("subsets")) {
      addresses(subset.objects("addresses"), ready);
      addresses(subset.objects("notReadyAddresses"), notReady);
    }
    return new EndpointsInfo(namespace(meta), meta.string("name"), ready, notReady);
  }

  private static void addresses(List<Fields> in, List<EndpointsInfo.Address> out) {
    for (Fields a : in) {
      Fields target = a.object("targetRef");
      out.add(
          new EndpointsInfo.Address(
              a.string("ip"),
              a.string("hostname"),
              target.string("kind"),
              target.string("namespace"),
              target.string("name"),
              target.string("uid")));
    }
  }

  /**
   * A {@code spiffeid.spiffe.io/v1beta1} SpiffeID's view. STRICT also requires {@code spec}.
   *
   * @throws RejectedObjectException {@code SpiffeID <ns>/<name>: spec is required} or {@code …:
   *     <field> must be …} (STRICT only)
   */
  public SpiffeIdResource spiffeId(JsonObject spiffeId) {
    Fields root = root("SpiffeID", spiffeId, true);
    Fields meta = root.object("metadata");
    if (strictness == Strictness.STRICT && root.absent("spec")) {
      throw root.reject("spec is required");
    }
    Fields spec = root.object("spec");
    Fields sel = spec.object("selector");
    SpiffeIdResource.Selector selector =
        new SpiffeIdResource.Selector(
            sel.string("cluster"),
            sel.string("agent_node_uid"),
            sel.stringMap("podLabel"),
            sel.string("podName"),
            sel.string("podUid"),
            sel.string("namespace"),
            sel.string("serviceAccount"),
            sel.string("containerImage"),
            sel.string("containerName"),
            sel.string("nodeName"),
            sel.stringList("arbitrary"));
    SpiffeIdResource.Spec s =
        new SpiffeIdResource.Spec(
            spec.string("parentId"),
            spec.string("spiffeId"),
            selector,
            spec.bool("downstream"),
            spec.stringList("dnsNames"),
            spec.stringList("federatesWith"));
    return new SpiffeIdResource(
        namespace(meta),
        meta.string("name"),
        meta.stringMap("labels"),
        s,
        root.object("status").string("entryId"));
  }

  /**
   * Rejects an object without {@code metadata} or {@code metadata.name}: an object read from a file
   * must be identifiable (the API server never hands out one that is not).
   */
  void requireName(String kind, JsonObject object) {
    Fields root = root(kind, object, !kind.equals("Node"));
    JsonElement meta = object.get("metadata");
    if (meta == null || !meta.isJsonObject()) {
      throw root.reject("metadata is required");
    }
    if (textOf(meta.getAsJsonObject().get("name")).isEmpty()) {
      throw root.reject("metadata.name is required");
    }
  }

  private String namespace(Fields meta) {
    String ns = meta.string("namespace");
    return ns.isEmpty() && meta.ref.namespaced ? namespaceIfUnset : ns;
  }

  /** The object's fields, with the reference its messages name (read leniently: it never fails). */
  private Fields root(String kind, JsonObject object, boolean namespaced) {
    JsonElement meta = object.get("metadata");
    JsonObject m = meta != null && meta.isJsonObject() ? meta.getAsJsonObject() : EMPTY;
    String name = textOf(m.get("name"));
    String namespace = namespaced ? textOf(m.get("namespace")) : "";
    if (namespaced && namespace.isEmpty()) {
      namespace = namespaceIfUnset;
    }
    Ref ref = new Ref(kind, namespace, name.isEmpty() ? "<unnamed>" : name, namespaced);
    return new Fields(ref, "", object);
  }

  private static String textOf(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
        ? e.getAsString()
        : "";
  }

  /** The JSON type of a value, in the words messages use. */
  private static String typeOf(JsonElement v) {
    if (v == null || v.isJsonNull()) {
      return "null";
    }
    if (v.isJsonObject()) {
      return "map";
    }
    if (v.isJsonArray()) {
      return "list";
    }
    JsonPrimitive p = v.getAsJsonPrimitive();
    return p.isString() ? "string" : p.isNumber() ? "number" : "boolean";
  }

  private static String quoteValue(JsonElement v) {
    String text = v.toString();
    return text.length() <= VALUE_LIMIT ? text : text.substring(0, VALUE_LIMIT) + "…";
  }

  private record Ref(String kind, String namespace, String name, boolean namespaced) {
    RejectedObjectException reject(String reason) {
      return new RejectedObjectException(kind, namespace, name, reason);
    }
  }

  /** Typed reads of one JSON object's fields; {@code path} names it in messages. */
  private final class Fields {
    private final Ref ref;
    private final String path;
    private final JsonObject json;

    Fields(Ref ref, String path, JsonObject json) {
      this.ref = ref;
      this.path = path;
      this.json = json;
    }

    private String at(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    RejectedObjectException reject(String reason) {
      return ref.reject(reason);
    }

    /** The field's value; {@code null} when absent or JSON {@code null}. */
    private JsonElement get(String key) {
      JsonElement v = json.get(key);
      return v == null || v.isJsonNull() ? null : v;
    }

    boolean absent(String key) {
      return get(key) == null;
    }

    /** A value of the wrong type: rejected in STRICT mode; the caller reads it as absent. */
    private void wrongType(String field, String expected, JsonElement v) {
      if (strictness == Strictness.STRICT) {
        throw ref.reject(field + " must be " + expected + ", got " + typeOf(v));
      }
    }

    String string(String key) {
      JsonElement v = get(key);
      if (v == null) {
        return "";
      }
      if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
        wrongType(at(key), "a string", v);
        return "";
      }
      return v.getAsString();
    }

    boolean bool(String key) {
      JsonElement v = get(key);
      if (v == null) {
        return false;
      }
      if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) {
        wrongType(at(key), "a boolean", v);
        return false;
      }
      return v.getAsBoolean();
    }

    Fields object(String key) {
      JsonElement v = get(key);
      if (v != null && !v.isJsonObject()) {
        wrongType(at(key), "an object", v);
        v = null;
      }
      return new Fields(ref, at(key), v == null ? EMPTY : v.getAsJsonObject());
    }

    /** A list of objects; in LENIENT mode, elements that are not objects are skipped. */
    List<Fields> objects(String key) {
      JsonArray list = array(key, "a list");
      List<Fields> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        JsonElement e = list.get(i);
        String field = at(key) + "[" + i + "]";
        if (e.isJsonObject()) {
          out.add(new Fields(ref, field, e.getAsJsonObject()));
        } else {
          wrongType(field, "an object", e);
        }
      }
      return out;
    }

    List<String> stringList(String key) {
      JsonArray list = array(key, "a list of strings");
      List<String> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        JsonElement e = list.get(i);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
          out.add(e.getAsString());
        } else {
          wrongType(at(key) + "[" + i + "]", "a string", e);
        }
      }
      return out;
    }

    private JsonArray array(String key, String expected) {
      JsonElement v = get(key);
      if (v != null && !v.isJsonArray()) {
        wrongType(at(key), expected, v);
        v = null;
      }
      return v == null ? new JsonArray() : v.getAsJsonArray();
    }

    Map<String, String> stringMap(String key) {
      JsonElement v = get(key);
      if (v == null) {
        return Map.of();
      }
      if (!v.isJsonObject()) {
        wrongType(at(key), "a map of strings", v);
        return Map.of();
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : v.getAsJsonObject().entrySet()) {
        JsonElement value = e.getValue();
        if (value.isJsonNull()) {
          out.put(e.getKey(), ""); // Go decodes null into a map[string]string as ""
        } else if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
          out.put(e.getKey(), value.getAsString());
        } else if (strictness == Strictness.STRICT) {
          throw ref.reject(
              at(key)
                  + "[\""
                  + e.getKey()
                  + "\"] must be a string, got "
                  + typeOf(value)
                  + " "
                  + quoteValue(value));
        } else if (value.isJsonPrimitive()) {
          out.put(e.getKey(), value.getAsString()); // a number or boolean, as its text
        }
      }
      return out;
    }
  }
}
