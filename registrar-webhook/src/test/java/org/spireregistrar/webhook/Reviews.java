package org.spireregistrar.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.CommonConfig;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.config.WebhookConfig;

/** Builders of AdmissionReview and Pod JSON, and of configurations, for tests. */
public final class Reviews {
  private static final JsonMapper JSON = new JsonMapper();

  private Reviews() {}

  /** Upstream's test trust domain and cluster. */
  public static final String TRUST_DOMAIN = "domain.test";

  public static final String CLUSTER = "CLUSTER";

  public static final String NODE_ID = "spiffe://domain.test/k8s-workload-registrar/CLUSTER/node";

  /** A webhook-mode configuration; empty label/annotation selects the service-account policy. */
  public static RegistrarConfig config(
      String podLabel, String podAnnotation, WebhookConfig webhook) {
    CommonConfig common =
        new CommonConfig(
            "info",
            "",
            "",
            new TrustDomain(TRUST_DOMAIN),
            "unix:///tmp/spire-server/private/api.sock",
            "/tmp/spire-server/private/api.sock",
            "",
            CLUSTER,
            podLabel,
            podAnnotation,
            Mode.WEBHOOK,
            CommonConfig.DEFAULT_DISABLED_NAMESPACES);
    return new RegistrarConfig(
        common, webhook, ReconcileConfig.DEFAULTS, CrdConfig.DEFAULTS, List.of());
  }

  public static RegistrarConfig config(String podLabel, String podAnnotation) {
    return config(podLabel, podAnnotation, WebhookConfig.DEFAULTS);
  }

  /** A Pod object. */
  public static ObjectNode pod(
      String namespace,
      String name,
      String serviceAccount,
      Map<String, String> labels,
      Map<String, String> annotations) {
    ObjectNode pod = JSON.createObjectNode();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode metadata = pod.putObject("metadata");
    metadata.put("name", name);
    metadata.put("namespace", namespace);
    metadata.put("uid", "uid-" + name);
    labels.forEach(metadata.putObject("labels")::put);
    annotations.forEach(metadata.putObject("annotations")::put);
    ObjectNode spec = pod.putObject("spec");
    spec.put("serviceAccountName", serviceAccount);
    spec.put("nodeName", "node-1");
    pod.putObject("status").put("podIP", "10.0.0.5");
    return pod;
  }

  public static ObjectNode pod(String namespace, String name) {
    return pod(namespace, name, "SERVICEACCOUNT", Map.of(), Map.of());
  }

  /** An AdmissionReview for a core/v1 Pod. */
  public static ObjectNode podReview(
      String apiVersion, String uid, String operation, ObjectNode pod) {
    String namespace = pod.path("metadata").path("namespace").asText();
    String name = pod.path("metadata").path("name").asText();
    ObjectNode review = review(apiVersion, uid, "", "v1", "Pod", operation, namespace, name);
    ObjectNode request = (ObjectNode) review.get("request");
    request.set(operation.equals("DELETE") ? "oldObject" : "object", pod);
    return review;
  }

  /** An AdmissionReview without object. */
  public static ObjectNode review(
      String apiVersion,
      String uid,
      String group,
      String version,
      String kind,
      String operation,
      String namespace,
      String name) {
    ObjectNode review = JSON.createObjectNode();
    review.put("kind", "AdmissionReview");
    review.put("apiVersion", apiVersion);
    ObjectNode request = review.putObject("request");
    request.put("uid", uid);
    ObjectNode k = request.putObject("kind");
    k.put("group", group);
    k.put("version", version);
    k.put("kind", kind);
    ObjectNode resource = request.putObject("resource");
    resource.put("group", group);
    resource.put("version", version);
    resource.put("resource", kind.toLowerCase(java.util.Locale.ROOT) + "s");
    request.put("name", name);
    request.put("namespace", namespace);
    request.put("operation", operation);
    request.putObject("userInfo").put("username", "system:serviceaccount:kube-system:replicaset");
    return review;
  }

  public static String text(Object node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] bytes(Object node) {
    return text(node).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
