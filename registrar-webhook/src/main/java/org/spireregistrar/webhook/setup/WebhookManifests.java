package org.spireregistrar.webhook.setup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.spireregistrar.webhook.WebhookMode;

/**
 * The Kubernetes documents that wire an API server to a webhook-mode registrar (upstream §4.5),
 * written by a YAML library so the output always parses (upstream's template emitted tabs):
 *
 * <ol>
 *   <li>{@code ConfigMap k8s-workload-registrar-certs}: {@code server-cert.pem} and {@code
 *       cacert.pem}, for the registrar's {@code cert_path} and {@code cacert_path};
 *   <li>{@code Secret k8s-workload-registrar-secret}: {@code server-key.pem}, for {@code key_path}
 *       (in the namespace, unlike upstream);
 *   <li>a kubeconfig {@code Config} whose user is the service DNS name, carrying the client
 *       certificate the API server presents to the webhook;
 *   <li>the {@code ValidatingWebhookConfiguration} for pod CREATE and DELETE, with {@code
 *       failurePolicy} and {@code timeoutSeconds} written out;
 *   <li>the {@code AdmissionConfiguration} (not generated upstream) that points the API server's
 *       {@code ValidatingAdmissionWebhook} plugin at that kubeconfig.
 * </ol>
 */
public final class WebhookManifests {
  public static final String CONFIG_MAP = "k8s-workload-registrar-certs";
  public static final String SECRET = "k8s-workload-registrar-secret";
  public static final String WEBHOOK_CONFIGURATION = "k8s-workload-registrar-webhook";

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private final String namespace;
  private final String service;
  private final String kubeconfigPath;
  private final WebhookPki pki;

  /**
   * @param namespace the registrar's namespace
   * @param service the registrar's Service name
   * @param kubeconfigPath where the kubeconfig is saved on API server nodes
   * @param pki the certificates
   */
  public WebhookManifests(String namespace, String service, String kubeconfigPath, WebhookPki pki) {
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.service = Objects.requireNonNull(service, "service");
    this.kubeconfigPath = Objects.requireNonNull(kubeconfigPath, "kubeconfigPath");
    this.pki = Objects.requireNonNull(pki, "pki");
  }

  /** {@code <service>.<namespace>.svc}: the name the API server calls and verifies. */
  public static String serviceDnsName(String service, String namespace) {
    return service + "." + namespace + ".svc";
  }

  /** The five documents, each preceded by {@code ---} and a comment saying where it goes. */
  public String yaml() {
    StringBuilder out = new StringBuilder();
    document(
        out,
        "The registrar's server certificate and the CA client certificates must chain to."
            + " Mount as the registrar's cert_path and cacert_path.",
        configMap());
    document(out, "The registrar's server key. Mount as the registrar's key_path.", secret());
    document(
        out,
        "Kubeconfig with the client credentials the API server presents to the webhook.\n"
            + "Save this document as "
            + kubeconfigPath
            + " on every API server node.",
        kubeconfig());
    document(out, "Sends pod CREATE and DELETE admissions to the registrar.", webhook());
    document(
        out,
        "Pass this file to the API server with --admission-control-config-file so it uses the"
            + " kubeconfig above.",
        admissionConfiguration());
    return out.toString();
  }

  /**
   * The documents {@code kubectl apply} takes (ConfigMap, Secret, ValidatingWebhookConfiguration),
   * without the two files that belong on API server nodes.
   */
  public String clusterObjectsYaml() {
    StringBuilder out = new StringBuilder();
    out.append("---\n").append(write(configMap()));
    out.append("---\n").append(write(secret()));
    out.append("---\n").append(write(webhook()));
    return out.toString();
  }

  /** The kubeconfig document alone, as the API server reads it from a file. */
  public String kubeconfigYaml() {
    return write(kubeconfig());
  }

  /** The AdmissionConfiguration document alone. */
  public String admissionConfigurationYaml() {
    return write(admissionConfiguration());
  }

  private static void document(StringBuilder out, String comment, Map<String, Object> doc) {
    out.append("---\n");
    for (String line : comment.split("\n")) {
      out.append("# ").append(line).append('\n');
    }
    out.append(write(doc));
  }

  private static String write(Map<String, Object> doc) {
    try {
      return YAML.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write YAML", e);
    }
  }

  Map<String, Object> configMap() {
    Map<String, Object> doc = header("v1", "ConfigMap", CONFIG_MAP, true);
    doc.put(
        "data",
        map(
            "server-cert.pem", pki.server().certificatePem(),
            "cacert.pem", pki.ca().certificatePem()));
    return doc;
  }

  Map<String, Object> secret() {
    Map<String, Object> doc = header("v1", "Secret", SECRET, true);
    doc.put("type", "Opaque");
    doc.put("data", map("server-key.pem", base64(pki.server().keyPem())));
    return doc;
  }

  Map<String, Object> kubeconfig() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", "v1");
    doc.put("kind", "Config");
    doc.put(
        "users",
        List.of(
            map(
                "name",
                serviceDnsName(service, namespace),
                "user",
                map(
                    "client-certificate-data", base64(pki.client().certificatePem()),
                    "client-key-data", base64(pki.client().keyPem())))));
    return doc;
  }

  Map<String, Object> webhook() {
    Map<String, Object> doc =
        header(
            "admissionregistration.k8s.io/v1",
            "ValidatingWebhookConfiguration",
            WEBHOOK_CONFIGURATION,
            false);
    Map<String, Object> hook = new LinkedHashMap<>();
    hook.put("name", serviceDnsName(service, namespace));
    hook.put(
        "clientConfig",
        map(
            "service", map("name", service, "namespace", namespace, "path", WebhookMode.PATH),
            "caBundle", base64(pki.ca().certificatePem())));
    hook.put("admissionReviewVersions", List.of("v1", "v1beta1"));
    // The registrar writes to SPIRE, except for dry-run requests, which it decides but skips.
    hook.put("sideEffects", "NoneOnDryRun");
    hook.put("failurePolicy", "Fail");
    hook.put("timeoutSeconds", 10);
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("apiGroups", List.of(""));
    rule.put("apiVersions", List.of("v1"));
    rule.put("operations", List.of("CREATE", "DELETE"));
    rule.put("resources", List.of("pods"));
    rule.put("scope", "Namespaced");
    hook.put("rules", List.of(rule));
    doc.put("webhooks", List.of(hook));
    return doc;
  }

  Map<String, Object> admissionConfiguration() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", "apiserver.config.k8s.io/v1");
    doc.put("kind", "AdmissionConfiguration");
    doc.put(
        "plugins",
        List.of(
            map(
                "name",
                "ValidatingAdmissionWebhook",
                "configuration",
                map(
                    "apiVersion", "apiserver.config.k8s.io/v1",
                    "kind", "WebhookAdmissionConfiguration",
                    "kubeConfigFile", kubeconfigPath))));
    return doc;
  }

  private Map<String, Object> header(
      String apiVersion, String kind, String name, boolean namespaced) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", apiVersion);
    doc.put("kind", kind);
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    if (namespaced) {
      metadata.put("namespace", namespace);
    }
    doc.put("metadata", metadata);
    return doc;
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
