package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.pod;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.statusOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AdmissionregistrationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.AdmissionregistrationV1WebhookClientConfig;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1RuleWithOperations;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.openapi.models.V1ValidatingWebhook;
import io.kubernetes.client.openapi.models.V1ValidatingWebhookConfiguration;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validating admission webhooks called by the stand-in over HTTPS, as the API server calls them,
 * with a JDK HTTPS server as the webhook and certificates made in the test.
 */
class ValidatingWebhookTest {
  static final String GROUP = "spiffeid.spiffe.io";
  static final String VERSION = "v1beta1";
  static final String PLURAL = "spiffeids";
  static final String HOOK = "spiffeid.validating.example.org";
  static final String SPIFFEIDS = "/apis/spiffeid.spiffe.io/v1beta1/namespaces/default/spiffeids";
  static final String CONFIGS =
      "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static TestPki pki;
  private static TestPki.Issued serverCert;

  @TempDir Path dir;
  private KubernetesApiStandIn standIn;
  private ApiClient client;
  private CustomObjectsApi custom;
  private CoreV1Api core;
  private TestWebhookServer webhook;

  @BeforeAll
  static void certificates() {
    pki = TestPki.create("webhook-ca");
    serverCert = pki.server("registrar.spire.svc", "localhost", "127.0.0.1");
  }

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
    client = standIn.client();
    custom = new CustomObjectsApi(client);
    core = new CoreV1Api(client);
    webhook = TestWebhookServer.start(pki.serverContext(serverCert), false);
  }

  @AfterEach
  void stop() {
    webhook.close();
    standIn.close();
  }

  // ---------------------------------------------------------------- allowed and denied

  @Test
  void allowedCreateIsStoredAndTheWebhookGetsTheAdmissionReview() throws Exception {
    configure(hook(HOOK));

    custom
        .createNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, spiffeId("web"))
        .execute();

    assertThat(standIn.get(SPIFFEIDS + "/web")).isPresent();
    JsonNode review = webhook.reviews().get(0);
    assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode request = webhook.onlyRequest();
    assertThat(request.path("uid").asText()).isNotBlank();
    assertThat(request.path("kind"))
        .isEqualTo(json("{group: spiffeid.spiffe.io, version: v1beta1, kind: SpiffeID}"));
    assertThat(request.path("resource"))
        .isEqualTo(json("{group: spiffeid.spiffe.io, version: v1beta1, resource: spiffeids}"));
    assertThat(request.path("requestKind")).isEqualTo(request.path("kind"));
    assertThat(request.path("requestResource")).isEqualTo(request.path("resource"));
    assertThat(request.has("subResource")).isFalse();
    assertThat(request.path("name").asText()).isEqualTo("web");
    assertThat(request.path("namespace").asText()).isEqualTo("default");
    assertThat(request.path("operation").asText()).isEqualTo("CREATE");
    assertThat(request.path("userInfo"))
        .isEqualTo(
            json("{username: kubernetes-admin, groups: [system:masters, system:authenticated]}"));
    assertThat(request.path("object").at("/metadata/uid").asText()).isNotBlank();
    assertThat(request.path("object").at("/spec/spiffeId").asText())
        .isEqualTo("spiffe://example.org/web");
    assertThat(request.path("oldObject").isNull()).isTrue();
    assertThat(request.path("dryRun").asBoolean()).isFalse();
    assertThat(request.path("options"))
        .isEqualTo(json("{kind: CreateOptions, apiVersion: meta.k8s.io/v1}"));
  }

  @Test
  void deniedCreateFailsWithTheWebhooksStatusAndMessage() throws Exception {
    configure(hook(HOOK));
    webhook.respond(
        TestWebhookServer.deny(
            403, "Forbidden", "spec.spiffeId: \"spiffe://other.org/web\" is not in trust domain"));

    assertThatThrownBy(
            () ->
                custom
                    .createNamespacedCustomObject(
                        GROUP, VERSION, "default", PLURAL, spiffeId("web"))
                    .execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              V1Status status = statusOf(e);
              assertThat(status.getReason()).isEqualTo("Forbidden");
              assertThat(status.getMessage())
                  .isEqualTo(
                      "admission webhook \"spiffeid.validating.example.org\" denied the request:"
                          + " spec.spiffeId: \"spiffe://other.org/web\" is not in trust domain");
            });
    assertThat(standIn.get(SPIFFEIDS + "/web")).isEmpty();

    Http.Response raw = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("web"));
    assertThat(raw.status()).isEqualTo(403);
    assertThat(raw.body())
        .isEqualTo(
            TestWebhookServer.JSON.readTree(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"admission webhook"
                    + " \\\"spiffeid.validating.example.org\\\" denied the request: spec.spiffeId:"
                    + " \\\"spiffe://other.org/web\\\" is not in trust domain\","
                    + "\"reason\":\"Forbidden\",\"code\":403}"));
  }

  @Test
  void denialWithoutCodeIsBadRequestAndWithoutMessageUsesReasonOrSaysSo() throws Exception {
    configure(hook(HOOK));

    webhook.respond(TestWebhookServer.deny(0, "NotAllowed", null));
    Http.Response reasonOnly = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("a"));
    webhook.respond(TestWebhookServer.deny(0, null, null));
    Http.Response nothing = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("b"));
    webhook.respond(TestWebhookServer.deny(422, "Invalid", "spec.selector: Required value"));
    Http.Response invalid = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("c"));

    assertThat(reasonOnly.status()).isEqualTo(400);
    assertThat(reasonOnly.message())
        .isEqualTo("admission webhook \"" + HOOK + "\" denied the request: NotAllowed");
    assertThat(reasonOnly.body().path("reason").asText()).isEqualTo("NotAllowed");
    assertThat(nothing.status()).isEqualTo(400);
    assertThat(nothing.message())
        .isEqualTo("admission webhook \"" + HOOK + "\" denied the request without explanation");
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.body().path("reason").asText()).isEqualTo("Invalid");
  }

  @Test
  void webhooksConfiguredThroughClientJavaAreCalledAndWarningsBecomeHeaders() throws Exception {
    new AdmissionregistrationV1Api(client)
        .createValidatingWebhookConfiguration(
            new V1ValidatingWebhookConfiguration()
                .metadata(new V1ObjectMeta().name("registrar"))
                .webhooks(
                    List.of(
                        new V1ValidatingWebhook()
                            .name(HOOK)
                            .clientConfig(
                                new AdmissionregistrationV1WebhookClientConfig()
                                    .url(webhook.url("/validate"))
                                    .caBundle(
                                        TestPki.pem(pki.caCertificate())
                                            .getBytes(StandardCharsets.US_ASCII)))
                            .rules(
                                List.of(
                                    new V1RuleWithOperations()
                                        .operations(List.of("CREATE"))
                                        .apiGroups(List.of(""))
                                        .apiVersions(List.of("v1"))
                                        .resources(List.of("pods"))))
                            .sideEffects("None")
                            .admissionReviewVersions(List.of("v1")))))
        .execute();
    webhook.respond(
        review -> {
          ObjectNode answer = TestWebhookServer.allow(review);
          ((ObjectNode) answer.get("response"))
              .putArray("warnings")
              .add("pod has no \"spire-workload\" label");
          return answer;
        });

    Http.Response created =
        Http.send(
            standIn,
            "POST",
            "/api/v1/namespaces/default/pods",
            "{\"metadata\":{\"name\":\"web-0\"}}");

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.headers().allValues("Warning"))
        .containsExactly("299 - \"pod has no \\\"spire-workload\\\" label\"");
    assertThat(
            Http.send(standIn, "GET", "/api/v1/namespaces/default/pods", null)
                .headers()
                .allValues("Warning"))
        .as("warnings belong to their request")
        .isEmpty();
    assertThat(webhook.onlyRequest().path("resource").path("resource").asText()).isEqualTo("pods");
  }

  // ---------------------------------------------------------------- call failures

  @Test
  void failurePolicyFailRejectsWhenTheWebhookCannotBeReached() throws Exception {
    int dead = freePort();
    ObjectNode hook = hook(HOOK);
    ((ObjectNode) hook.get("clientConfig")).put("url", "https://127.0.0.1:" + dead + "/validate");
    configure(hook);

    Http.Response refused = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("web"));

    assertThat(refused.status()).isEqualTo(500);
    assertThat(refused.body().path("reason").asText()).isEqualTo("InternalError");
    assertThat(refused.message())
        .isEqualTo(
            "Internal error occurred: failed calling webhook \""
                + HOOK
                + "\": failed to call webhook: Post \"https://127.0.0.1:"
                + dead
                + "/validate?timeout=10s\": dial tcp 127.0.0.1:"
                + dead
                + ": connect: connection refused");
    assertThat(standIn.get(SPIFFEIDS + "/web")).isEmpty();
  }

  @Test
  void failurePolicyIgnoreLetsTheRequestThroughWhenTheWebhookCannotBeReached() throws Exception {
    ObjectNode hook = hook(HOOK);
    ((ObjectNode) hook.get("clientConfig"))
        .put("url", "https://127.0.0.1:" + freePort() + "/validate");
    hook.put("failurePolicy", "Ignore");
    configure(hook);

    custom
        .createNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, spiffeId("web"))
        .execute();

    assertThat(standIn.get(SPIFFEIDS + "/web")).isPresent();
  }

  @Test
  void caBundleOfAnotherAuthorityFailsTheCall() throws Exception {
    ObjectNode hook = hook(HOOK);
    ((ObjectNode) hook.get("clientConfig"))
        .put("caBundle", TestPki.create("another-ca").caBundle());
    configure(hook);

    Http.Response failed = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("web"));

    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.message())
        .isEqualTo(
            "Internal error occurred: failed calling webhook \""
                + HOOK
                + "\": failed to call webhook: Post \""
                + webhook.url("/validate")
                + "?timeout=10s\": tls: failed to verify certificate: x509: certificate signed by"
                + " unknown authority");
  }

  @Test
  void aResponseForAnotherRequestFailsTheCall() throws Exception {
    configure(hook(HOOK));
    webhook.respond(
        review -> {
          ObjectNode answer = TestWebhookServer.allow(review);
          ((ObjectNode) answer.get("response")).put("uid", "someone-else");
          return answer;
        });

    Http.Response failed = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("web"));

    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.message())
        .startsWith(
            "Internal error occurred: failed calling webhook \""
                + HOOK
                + "\": received invalid webhook response: expected response.uid=\"")
        .endsWith("\", got \"someone-else\"");
  }

  @Test
  void timeoutSecondsBoundsTheCall() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ObjectNode hook = hook(HOOK);
    hook.put("timeoutSeconds", 1);
    configure(hook);
    webhook.respond(
        review -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return TestWebhookServer.allow(review);
        });

    Http.Response failed;
    try {
      failed = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("web"));
    } finally {
      release.countDown();
    }

    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.message())
        .endsWith(
            "failed to call webhook: Post \""
                + webhook.url("/validate")
                + "?timeout=1s\": context deadline exceeded");
  }

  // ---------------------------------------------------------------- services and client
  // certificates

  @Test
  void aServiceIsCalledAtItsRegisteredAddressAndVerifiedByItsDnsName() throws Exception {
    configure(serviceHook(HOOK, "registrar"));

    Http.Response unknown = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("a"));
    standIn.serviceAddress("spire", "registrar", webhook.address());
    Http.Response created = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("b"));

    assertThat(unknown.message())
        .endsWith(
            "failed to call webhook: Post"
                + " \"https://registrar.spire.svc:443/validate?timeout=10s\": dial tcp: lookup"
                + " registrar.spire.svc: no such host");
    assertThat(created.status()).isEqualTo(201);
    assertThat(webhook.reviews()).hasSize(1);
  }

  @Test
  void aServiceCertificateForAnotherNameFailsTheCall() throws Exception {
    try (TestWebhookServer other =
        TestWebhookServer.start(pki.serverContext(pki.server("other.spire.svc")), false)) {
      configure(serviceHook(HOOK, "registrar"));
      standIn.serviceAddress("spire", "registrar", other.address());

      Http.Response failed = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("web"));

      assertThat(failed.message())
          .endsWith(
              "tls: failed to verify certificate: x509: certificate is valid for"
                  + " other.spire.svc, not registrar.spire.svc");
      assertThat(other.reviews()).isEmpty();
    }
  }

  @Test
  void aWebhookThatRequiresAClientCertificateGetsTheConfiguredOne() throws Exception {
    try (TestWebhookServer mtls = TestWebhookServer.start(pki.serverContext(serverCert), true)) {
      configure(serviceHook(HOOK, "registrar"));
      standIn.serviceAddress("spire", "registrar", mtls.address());

      Http.Response without = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("a"));
      TestPki.Issued client = pki.client("kube-apiserver");
      standIn.webhookClientCertificate("registrar.spire.svc", client.key(), client.certificate());
      Http.Response with = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("b"));

      assertThat(without.status()).isEqualTo(500);
      assertThat(without.message()).contains("failed to call webhook: Post \"https://registrar");
      assertThat(with.status()).isEqualTo(201);
      assertThat(mtls.clientCertificates()).containsExactly("CN=kube-apiserver");
    }
  }

  @Test
  void clientCertificatesComeFromAnAdmissionKubeconfigByServerName() throws Exception {
    try (TestWebhookServer mtls = TestWebhookServer.start(pki.serverContext(serverCert), true)) {
      configure(serviceHook(HOOK, "registrar"));
      standIn.serviceAddress("spire", "registrar", mtls.address());
      TestPki.Issued right = pki.client("right");
      TestPki.Issued fallback = pki.client("fallback");
      Path kubeconfig =
          Files.writeString(
              dir.resolve("admission-kubeconfig.yaml"),
              "apiVersion: v1\nkind: Config\nusers:\n"
                  + "- name: '*'\n  user:\n"
                  + userData(fallback)
                  + "- name: registrar.spire.svc\n  user:\n"
                  + userData(right));

      standIn.admissionKubeconfig(kubeconfig);
      Http.Response created = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("web"));

      assertThat(created.status()).isEqualTo(201);
      assertThat(mtls.clientCertificates()).containsExactly("CN=right");
    }
  }

  private static String userData(TestPki.Issued issued) {
    Base64.Encoder b64 = Base64.getEncoder();
    return "    client-certificate-data: "
        + b64.encodeToString(TestPki.pem(issued.certificate()).getBytes(StandardCharsets.US_ASCII))
        + "\n    client-key-data: "
        + b64.encodeToString(TestPki.pem(issued.key()).getBytes(StandardCharsets.US_ASCII))
        + "\n";
  }

  // ---------------------------------------------------------------- what is sent

  @Test
  void updateSendsTheOldObjectAndStatusWritesNameTheSubresource() throws Exception {
    ObjectNode hook = hook(HOOK);
    ((ArrayNode) hook.at("/rules/0/resources")).add("spiffeids/status");
    configure(hook);
    custom
        .createNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, spiffeId("web"))
        .execute();

    Http.Response updated =
        Http.send(
            standIn,
            "PATCH",
            SPIFFEIDS + "/web",
            "{\"spec\":{\"spiffeId\":\"spiffe://example.org/web2\"}}",
            "Content-Type",
            "application/merge-patch+json");
    Http.Response status =
        Http.send(
            standIn,
            "PATCH",
            SPIFFEIDS + "/web/status",
            "{\"status\":{\"entryId\":\"e-1\"}}",
            "Content-Type",
            "application/merge-patch+json");

    assertThat(updated.status()).isEqualTo(200);
    assertThat(status.status()).isEqualTo(200);
    List<JsonNode> reviews = webhook.reviews();
    JsonNode update = reviews.get(1).get("request");
    assertThat(update.path("operation").asText()).isEqualTo("UPDATE");
    assertThat(update.at("/oldObject/spec/spiffeId").asText())
        .isEqualTo("spiffe://example.org/web");
    assertThat(update.at("/object/spec/spiffeId").asText()).isEqualTo("spiffe://example.org/web2");
    assertThat(update.at("/options/kind").asText()).isEqualTo("UpdateOptions");
    JsonNode statusWrite = reviews.get(2).get("request");
    assertThat(statusWrite.path("subResource").asText()).isEqualTo("status");
    assertThat(statusWrite.path("requestSubResource").asText()).isEqualTo("status");
    assertThat(statusWrite.at("/object/status/entryId").asText()).isEqualTo("e-1");
  }

  @Test
  void deleteSendsTheOldObjectAndTheDeleteOptions() throws Exception {
    ObjectNode hook = hook(HOOK);
    ((ArrayNode) hook.at("/rules/0/operations")).removeAll().add("DELETE");
    configure(hook);
    custom
        .createNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, spiffeId("web"))
        .execute();

    Http.Response deleted =
        Http.send(standIn, "DELETE", SPIFFEIDS + "/web", "{\"propagationPolicy\":\"Background\"}");

    assertThat(deleted.status()).isEqualTo(200);
    JsonNode request = webhook.onlyRequest();
    assertThat(request.path("operation").asText()).isEqualTo("DELETE");
    assertThat(request.path("object").isNull()).isTrue();
    assertThat(request.at("/oldObject/metadata/name").asText()).isEqualTo("web");
    assertThat(request.path("options"))
        .isEqualTo(
            json(
                "{kind: DeleteOptions, apiVersion: meta.k8s.io/v1, propagationPolicy: Background}"));
  }

  @Test
  void dryRunIsSentAsDryRunAndNothingIsStored() throws Exception {
    configure(hook(HOOK));

    Http.Response created =
        Http.send(standIn, "POST", SPIFFEIDS + "?dryRun=All", spiffeIdJson("web"));

    assertThat(created.status()).isEqualTo(201);
    assertThat(standIn.get(SPIFFEIDS + "/web")).isEmpty();
    assertThat(webhook.onlyRequest().path("dryRun").asBoolean()).isTrue();
    assertThat(webhook.onlyRequest().at("/options/dryRun")).isEqualTo(json("[All]"));
  }

  @Test
  void theFirstKnownReviewVersionIsSent() throws Exception {
    ObjectNode hook = hook(HOOK);
    hook.set("admissionReviewVersions", json("[v1beta1, v1]"));
    configure(hook);
    webhook.respond(
        review -> {
          ObjectNode answer = TestWebhookServer.allow(review);
          ((ObjectNode) answer.get("response")).remove("uid"); // v1beta1 answers are not checked
          return answer;
        });

    custom
        .createNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, spiffeId("web"))
        .execute();

    assertThat(webhook.reviews().get(0).path("apiVersion").asText())
        .isEqualTo("admission.k8s.io/v1beta1");
  }

  @Test
  void impersonatedUserIsSentAsUserInfo() throws Exception {
    configure(hook(HOOK));

    Http.send(
        standIn,
        "POST",
        SPIFFEIDS,
        spiffeIdJson("web"),
        "Impersonate-User",
        "system:serviceaccount:spire:registrar",
        "Impersonate-Group",
        "system:serviceaccounts");

    assertThat(webhook.onlyRequest().path("userInfo"))
        .isEqualTo(
            json(
                "{username: 'system:serviceaccount:spire:registrar',"
                    + " groups: [system:serviceaccounts, system:authenticated]}"));
  }

  @Test
  void aWebhookMayCallBackIntoTheStandIn() throws Exception {
    configure(hook(HOOK));
    custom.createNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, spiffeId("a")).execute();
    webhook.respond(
        review -> {
          // As a webhook checking uniqueness does: list while the request waits for the answer.
          int existing = standIn.list(SPIFFEIDS).size();
          return existing < 2
              ? TestWebhookServer.allow(review)
              : TestWebhookServer.deny(403, "Forbidden", "only two SpiffeIDs").apply(review);
        });

    Http.Response second = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("b"));
    Http.Response third = Http.send(standIn, "POST", SPIFFEIDS, spiffeIdJson("c"));

    assertThat(second.status()).isEqualTo(201);
    assertThat(third.status()).isEqualTo(403);
  }

  @Test
  void webhookConfigurationsAreNotSentToWebhooks() throws Exception {
    ObjectNode hook = hook(HOOK);
    hook.set(
        "rules",
        json("[{operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*']}]"));
    configure(hook);

    Http.Response another =
        Http.send(
            standIn, "POST", CONFIGS, config("another", hook("another.example.org")).toString());

    assertThat(another.status()).isEqualTo(201);
    assertThat(webhook.reviews()).isEmpty();
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void configurationsAreDefaultedAsTheApiServerDoes() throws Exception {
    ObjectNode hook = YAML.createObjectNode();
    hook.put("name", HOOK);
    hook.putObject("clientConfig").putObject("service").put("namespace", "spire").put("name", "r");
    hook.set(
        "rules",
        json("[{operations: [CREATE], apiGroups: [''], apiVersions: [v1], resources: [pods]}]"));
    hook.put("sideEffects", "None");
    hook.set("admissionReviewVersions", json("[v1]"));

    Http.Response created =
        Http.send(standIn, "POST", CONFIGS, config("registrar", hook).toString());

    assertThat(created.status()).isEqualTo(201);
    JsonNode stored = created.body().path("webhooks").get(0);
    assertThat(stored.path("failurePolicy").asText()).isEqualTo("Fail");
    assertThat(stored.path("matchPolicy").asText()).isEqualTo("Equivalent");
    assertThat(stored.path("timeoutSeconds").asInt()).isEqualTo(10);
    assertThat(stored.path("namespaceSelector")).isEqualTo(json("{}"));
    assertThat(stored.path("objectSelector")).isEqualTo(json("{}"));
    assertThat(stored.at("/rules/0/scope").asText()).isEqualTo("*");
    assertThat(stored.at("/clientConfig/service/port").asInt()).isEqualTo(443);
  }

  @Test
  void invalidConfigurationsAreRefusedWithEveryFieldError() throws Exception {
    ObjectNode hook = hook(HOOK);
    hook.remove("sideEffects");
    ((ObjectNode) hook.get("clientConfig")).put("url", "http://127.0.0.1/validate");
    hook.put("timeoutSeconds", 31);

    Http.Response refused =
        Http.send(standIn, "POST", CONFIGS, config("registrar", hook).toString());

    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.message())
        .isEqualTo(
            "ValidatingWebhookConfiguration.admissionregistration.k8s.io \"registrar\" is invalid:"
                + " [webhooks[0].sideEffects: Required value: must specify one of None,"
                + " NoneOnDryRun, webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value"
                + " must be between 1 and 30 seconds, webhooks[0].clientConfig.url: Invalid value:"
                + " \"http://127.0.0.1/validate\": 'https' is the only allowed URL scheme]");
  }

  // ---------------------------------------------------------------- helpers

  /** A webhook for SpiffeID CREATE and UPDATE at the test server's URL, trusting the test CA. */
  ObjectNode hook(String name) {
    ObjectNode hook = YAML.createObjectNode();
    hook.put("name", name);
    hook.putObject("clientConfig")
        .put("url", webhook.url("/validate"))
        .put("caBundle", pki.caBundle());
    hook.set(
        "rules",
        json(
            "[{operations: [CREATE, UPDATE], apiGroups: [spiffeid.spiffe.io], apiVersions:"
                + " [v1beta1], resources: [spiffeids]}]"));
    hook.put("sideEffects", "None");
    hook.set("admissionReviewVersions", json("[v1]"));
    return hook;
  }

  /** {@link #hook} calling the Service spire/{@code service} at /validate instead of a URL. */
  ObjectNode serviceHook(String name, String service) {
    ObjectNode hook = hook(name);
    ObjectNode clientConfig = (ObjectNode) hook.get("clientConfig");
    clientConfig.remove("url");
    clientConfig
        .putObject("service")
        .put("namespace", "spire")
        .put("name", service)
        .put("path", "/validate");
    return hook;
  }

  static ObjectNode config(String name, ObjectNode... hooks) {
    ObjectNode config = YAML.createObjectNode();
    config.put("apiVersion", "admissionregistration.k8s.io/v1");
    config.put("kind", "ValidatingWebhookConfiguration");
    config.putObject("metadata").put("name", name);
    ArrayNode list = config.putArray("webhooks");
    for (ObjectNode hook : hooks) {
      list.add(hook);
    }
    return config;
  }

  /** Stores a configuration named "registrar" through the API. */
  void configure(ObjectNode... hooks) throws IOException, InterruptedException {
    Http.Response created =
        Http.send(standIn, "POST", CONFIGS, config("registrar", hooks).toString());
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
  }

  static JsonNode json(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException(yaml, e);
    }
  }

  static Map<String, Object> spiffeId(String name) {
    return Map.of(
        "apiVersion",
        GROUP + "/" + VERSION,
        "kind",
        "SpiffeID",
        "metadata",
        Map.of("name", name, "namespace", "default"),
        "spec",
        Map.of(
            "spiffeId",
            "spiffe://example.org/" + name,
            "parentId",
            "spiffe://example.org/node",
            "selector",
            Map.of("podName", name)));
  }

  static String spiffeIdJson(String name) throws IOException {
    return TestWebhookServer.JSON.writeValueAsString(spiffeId(name));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Raw HTTP against the stand-in, for exact status bodies and headers. */
  static final class Http {
    record Response(int status, java.net.http.HttpHeaders headers, JsonNode body) {
      String message() {
        return body.path("message").asText();
      }
    }

    /** Sends a request; {@code headers} are name, value pairs. */
    static Response send(
        KubernetesApiStandIn standIn, String method, String path, String body, String... headers)
        throws IOException, InterruptedException {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(standIn.url() + path))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      boolean contentType = false;
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
        contentType |= headers[i].equalsIgnoreCase("Content-Type");
      }
      if (!contentType) {
        b.header("Content-Type", "application/json");
      }
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode parsed =
          r.body().isEmpty()
              ? TestWebhookServer.JSON.createObjectNode()
              : TestWebhookServer.JSON.readTree(r.body());
      return new Response(r.statusCode(), r.headers(), parsed);
    }
  }

  static void createPod(CoreV1Api core, String namespace, String name, Map<String, String> labels)
      throws ApiException {
    core.createNamespacedPod(
            namespace,
            pod(name, "node-1")
                .metadata(new V1ObjectMeta().name(name).namespace(namespace).labels(labels)))
        .execute();
  }
}
