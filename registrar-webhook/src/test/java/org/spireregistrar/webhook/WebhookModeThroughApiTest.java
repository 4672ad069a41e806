package org.spireregistrar.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.TestPki;
import org.spireregistrar.webhook.server.ServerOptions;

/**
 * Webhook mode as a cluster uses it: the API stand-in, holding the ValidatingWebhookConfiguration
 * that {@code generate-config} describes (by URL: the test certificate names 127.0.0.1), calls the
 * registrar over mutual TLS (its client certificate is the API server's) on every pod CREATE and
 * DELETE.
 */
class WebhookModeThroughApiTest {
  private static final TestPki PKI = TestPki.create("registrar CA");
  private static final TestPki.Issued API_SERVER = PKI.client("kube-apiserver");
  static final String SERVICE = "k8s-workload-registrar";

  @TempDir Path dir;
  final InMemoryEntryStore store = new InMemoryEntryStore();
  WebhookMode mode;
  KubernetesApiStandIn k8s;

  @BeforeEach
  void start() {
    PKI.localServer(SERVICE + ".spire.svc").writeTo(dir, "cert.pem", "key.pem");
    PKI.writeCa(dir, "cacert.pem");
    mode =
        new WebhookMode(
            Reviews.config(
                "",
                "",
                new WebhookConfig(
                    "127.0.0.1:0",
                    dir.resolve("cert.pem").toString(),
                    dir.resolve("key.pem").toString(),
                    dir.resolve("cacert.pem").toString(),
                    false)),
            store,
            Clock.systemUTC(),
            ServerOptions.DEFAULTS.withReloadInterval(Duration.ZERO));
    mode.start();
    k8s = KubernetesApiStandIn.start();
  }

  @AfterEach
  void stop() {
    k8s.close();
    mode.close();
  }

  void configure(boolean presentClientCertificate) {
    if (presentClientCertificate) {
      k8s.webhookClientCertificate("*", API_SERVER.keys().getPrivate(), API_SERVER.certificate());
    }
    String caBundle =
        Base64.getEncoder()
            .encodeToString(TestPki.pem(PKI.caCertificate()).getBytes(StandardCharsets.US_ASCII));
    k8s.create(
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        Map.of(
            "apiVersion",
            "admissionregistration.k8s.io/v1",
            "kind",
            "ValidatingWebhookConfiguration",
            "metadata",
            Map.of("name", SERVICE),
            "webhooks",
            List.of(
                Map.of(
                    "name",
                    SERVICE + ".spire.svc",
                    "admissionReviewVersions",
                    List.of("v1", "v1beta1"),
                    "sideEffects",
                    "None",
                    "failurePolicy",
                    "Fail",
                    "clientConfig",
                    Map.of(
                        "url",
                        "https://127.0.0.1:" + mode.address().getPort() + "/validate",
                        "caBundle",
                        caBundle),
                    "rules",
                    List.of(
                        Map.of(
                            "apiGroups", List.of(""),
                            "apiVersions", List.of("v1"),
                            "operations", List.of("CREATE", "DELETE"),
                            "resources", List.of("pods"),
                            "scope", "Namespaced"))))));
  }

  /** Through client-java over HTTP, as kubectl would: the stand-in's admission path. */
  void create(String name, String serviceAccount) throws ApiException {
    V1Pod pod = JSON.deserialize(Reviews.text(pod(name, serviceAccount)), V1Pod.class);
    new CoreV1Api(k8s.client()).createNamespacedPod("shop", pod).execute();
  }

  static Map<String, Object> pod(String name, String serviceAccount) {
    return Map.of(
        "apiVersion",
        "v1",
        "kind",
        "Pod",
        "metadata",
        Map.of("name", name, "namespace", "shop"),
        "spec",
        Map.of(
            "serviceAccountName",
            serviceAccount,
            "containers",
            List.of(Map.of("name", "app", "image", "example/app"))));
  }

  List<String> ids() {
    return store.entries().stream().map(e -> e.spiffeId().toString()).sorted().toList();
  }

  @Test
  void podCreateAndDeleteThroughTheApiServerWriteAndRemoveThePodsEntry() throws ApiException {
    configure(true);

    create("web-0", "web");
    assertThat(ids()).containsExactly(Reviews.NODE_ID, "spiffe://domain.test/ns/shop/sa/web");

    new CoreV1Api(k8s.client()).deleteNamespacedPod("web-0", "shop").execute();
    assertThat(ids()).containsExactly(Reviews.NODE_ID);
  }

  @Test
  void aPodTheRegistrarCannotServeIsRefusedByTheApiServerAsFailurePolicyFailSays() {
    configure(true);

    assertThatThrownBy(() -> create("bad-0", "a b"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.getResponseBody())
                    .contains("failed calling webhook \\\"k8s-workload-registrar.spire.svc\\\""));
    assertThat(k8s.get("/api/v1/namespaces/shop/pods/bad-0")).isEmpty();
    assertThat(ids()).containsExactly(Reviews.NODE_ID);
  }

  @Test
  void anApiServerWithoutTheClientCertificateIsNotServed() {
    configure(false);

    assertThatThrownBy(() -> create("web-0", "web"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.getResponseBody())
                    .contains("failed calling webhook \\\"k8s-workload-registrar.spire.svc\\\""));
    assertThat(k8s.get("/api/v1/namespaces/shop/pods/web-0")).isEmpty();
    assertThat(ids()).containsExactly(Reviews.NODE_ID);
  }
}
