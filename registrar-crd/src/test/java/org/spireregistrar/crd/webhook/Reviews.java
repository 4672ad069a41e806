package org.spireregistrar.crd.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.spireregistrar.webhook.review.ReviewVersion;

/** SpiffeID objects and AdmissionReviews for tests. */
final class Reviews {
  static final JsonMapper JSON = new JsonMapper();
  static final String PARENT = "spiffe://example.org/k8s-workload-registrar/test-cluster/node/n1";
  static final String ID = "spiffe://example.org/ns/default/sa/web";

  private Reviews() {}

  /** A valid hand-written SpiffeID {@code default/web}. */
  static ObjectNode spiffeId() {
    ObjectNode o = JSON.createObjectNode();
    o.put("apiVersion", "spiffeid.spiffe.io/v1beta1");
    o.put("kind", "SpiffeID");
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", "web");
    meta.put("namespace", "default");
    ObjectNode spec = o.putObject("spec");
    spec.put("parentId", PARENT);
    spec.put("spiffeId", ID);
    ObjectNode selector = spec.putObject("selector");
    selector.put("namespace", "default");
    selector.put("podName", "web");
    spec.putArray("dnsNames").add("web.default.svc");
    return o;
  }

  /** A node SpiffeID as the registrar writes it, in its own namespace {@code spire}. */
  static ObjectNode nodeSpiffeId() {
    ObjectNode o = spiffeId();
    ((ObjectNode) o.get("metadata")).put("name", "n1").put("namespace", "spire");
    ObjectNode spec = (ObjectNode) o.get("spec");
    spec.put("parentId", "spiffe://example.org/spire/server");
    spec.put("spiffeId", PARENT);
    spec.remove("dnsNames");
    ObjectNode selector = spec.putObject("selector");
    selector.put("cluster", "test-cluster");
    selector.put("agent_node_uid", "uid-n1");
    return o;
  }

  static ObjectNode spec(JsonNode object) {
    return (ObjectNode) object.get("spec");
  }

  static ObjectNode selector(JsonNode object) {
    return (ObjectNode) object.get("spec").get("selector");
  }

  /** An AdmissionReview of {@code object} (may be null) and {@code oldObject} (may be null). */
  static ObjectNode review(
      ReviewVersion version, String operation, JsonNode object, JsonNode oldObject) {
    JsonNode named = object != null ? object : oldObject;
    ObjectNode r = JSON.createObjectNode();
    r.put("kind", "AdmissionReview");
    r.put("apiVersion", version.apiVersion());
    ObjectNode request = r.putObject("request");
    request.put("uid", "uid-" + operation.toLowerCase(java.util.Locale.ROOT));
    ObjectNode kind = request.putObject("kind");
    kind.put("group", "spiffeid.spiffe.io");
    kind.put("version", "v1beta1");
    kind.put("kind", "SpiffeID");
    ObjectNode resource = request.putObject("resource");
    resource.put("group", "spiffeid.spiffe.io");
    resource.put("version", "v1beta1");
    resource.put("resource", "spiffeids");
    if (named != null && named.path("metadata").isObject()) {
      request.put("namespace", named.path("metadata").path("namespace").asText(""));
      request.put("name", named.path("metadata").path("name").asText(""));
    }
    request.put("operation", operation);
    if (object != null) {
      request.set("object", object);
    }
    if (oldObject != null) {
      request.set("oldObject", oldObject);
    }
    return r;
  }

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
