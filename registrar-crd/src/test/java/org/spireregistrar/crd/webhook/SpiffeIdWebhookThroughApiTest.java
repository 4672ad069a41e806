package org.spireregistrar.crd.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AdmissionregistrationV1Api;
import io.kubernetes.client.openapi.apis.ApiextensionsV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinition;
import io.kubernetes.client.openapi.models.V1ValidatingWebhookConfiguration;
import io.kubernetes.client.util.PatchUtils;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.crd.SpiffeIdCrd;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.webhook.server.RequestListener;
import org.spireregistrar.webhook.server.ServerOptions;

/**
 * The SpiffeID webhook as a cluster uses it: the Kubernetes API stand-in, with the CRD applied and
 * upstream's ValidatingWebhookConfiguration (caBundle = the SPIRE bundle), calls it over HTTPS as
 * the Service {@code spire/k8s-workload-registrar}, checking the SPIRE-minted certificate against
 * the bundle and the name {@code k8s-workload-registrar.spire.svc}; SpiffeIDs are written with
 * client-java.
 */
class SpiffeIdWebhookThroughApiTest {
  static final String HOOK = "k8s-workload-registrar.spire.svc";
  static final String COLLECTION = "/apis/spiffeid.spiffe.io/v1beta1/namespaces/default/spiffeids";

  @TempDir Path tmp;
  SpireFixture fixture;
  ManualScheduler scheduler;
  WebhookCertificates certificates;
  SpiffeIdWebhook webhook;
  KubernetesApiStandIn standIn;
  ApiClient client;
  CustomObjectsApi custom;

  @BeforeEach
  void start() throws Exception {
    fixture = new SpireFixture(tmp.resolve("api.sock"), Clock.systemUTC());
    scheduler = new ManualScheduler(Instant.now());
    certificates =
        new WebhookCertificates(
            SpireFixture.settings(tmp.resolve("certs")),
            fixture.minter,
            Clock.systemUTC(),
            scheduler);
    certificates.start();
    webhook =
        SpiffeIdWebhook.start(
            "127.0.0.1:0",
            certificates,
            new SpiffeIdAdmission(SpireFixture.TD, SpireFixture.NAMESPACE, fixture.store),
            ServerOptions.DEFAULTS,
            Clock.systemUTC(),
            RequestListener.NONE);

    standIn = KubernetesApiStandIn.start();
    standIn.serviceAddress(SpireFixture.NAMESPACE, SpireFixture.SERVICE, webhook.address());
    client = standIn.client();
    custom = new CustomObjectsApi(client);
    YAMLMapper yaml = new YAMLMapper();
    new ApiextensionsV1Api(client)
        .createCustomResourceDefinition(
            JSON.deserialize(
                yaml.readTree(SpiffeIdCrd.manifest()).toString(), V1CustomResourceDefinition.class))
        .execute();
    fixture.spire.resetCounters();
  }

  void configureWebhook(String... reviewVersions) throws Exception {
    ObjectNode config;
    try (InputStream in = getClass().getResourceAsStream("/spiffeid-webhook-configuration.yaml")) {
      config = (ObjectNode) new YAMLMapper().readTree(in);
    }
    ObjectNode hook = (ObjectNode) config.path("webhooks").get(0);
    StringBuilder pem = new StringBuilder();
    for (X509Certificate ca : fixture.spire.bundle()) {
      pem.append("-----BEGIN CERTIFICATE-----\n")
          .append(
              Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(ca.getEncoded()))
          .append("\n-----END CERTIFICATE-----\n");
    }
    ((ObjectNode) hook.get("clientConfig"))
        .put(
            "caBundle",
            Base64.getEncoder().encodeToString(pem.toString().getBytes(StandardCharsets.US_ASCII)));
    if (reviewVersions.length > 0) {
      ArrayNode versions = hook.putArray("admissionReviewVersions");
      for (String v : reviewVersions) {
        versions.add(v);
      }
    }
    new AdmissionregistrationV1Api(client)
        .createValidatingWebhookConfiguration(
            JSON.deserialize(config.toString(), V1ValidatingWebhookConfiguration.class))
        .execute();
  }

  @AfterEach
  void stop() {
    assertThat(fixture.spire.counters().writeRpcs()).as("the webhook never writes").isZero();
    standIn.close();
    webhook.close();
    certificates.close();
    fixture.close();
  }

  Object create(ObjectNode spiffeId) throws ApiException {
    return custom
        .createNamespacedCustomObject(
            SpiffeIdCrd.GROUP,
            SpiffeIdCrd.VERSION,
            spiffeId.path("metadata").path("namespace").asText(),
            SpiffeIdCrd.PLURAL,
            Reviews.JSON.convertValue(spiffeId, Object.class))
        .execute();
  }

  static ObjectNode named(String name, ObjectNode spiffeId) {
    ((ObjectNode) spiffeId.get("metadata")).put("name", name);
    return spiffeId;
  }

  static void deniedWith(ThrowingCall call, int code, String text) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(code);
              JsonNode status = Reviews.parse(e.getResponseBody().getBytes(StandardCharsets.UTF_8));
              assertThat(status.path("message").asText())
                  .isEqualTo("admission webhook \"" + HOOK + "\" denied the request: " + text);
            });
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void aValidSpiffeIdIsStoredAndAForeignOneRefused() throws Exception {
    configureWebhook();

    create(Reviews.spiffeId());
    assertThat(standIn.get(COLLECTION + "/web")).isPresent();

    ObjectNode evil = named("evil", Reviews.spiffeId());
    Reviews.spec(evil).put("spiffeId", "spiffe://example.org.evil/web");
    deniedWith(() -> create(evil), 403, "spec.spiffeId must begin with spiffe://example.org");
    assertThat(standIn.get(COLLECTION + "/evil")).isEmpty();
  }

  @Test
  void reviewsInV1beta1AreAnsweredInKind() throws Exception {
    configureWebhook("v1beta1");

    ObjectNode other = named("other-ns", Reviews.spiffeId());
    Reviews.selector(other).put("namespace", "kube-system");
    deniedWith(
        () -> create(other), 403, "spec.Selector.Namespace must match namespace of resource");
    create(Reviews.spiffeId());
    assertThat(standIn.get(COLLECTION + "/web")).isPresent();
  }

  @Test
  void aDuplicateOfAnExistingEntryIsRefused() throws Exception {
    configureWebhook();
    fixture.spire.putEntry(
        Entry.of(
            new EntryId("existing-1"),
            EntrySpec.of(
                SpiffeId.parse(Reviews.ID),
                SpiffeId.parse(Reviews.PARENT),
                List.of(Selector.k8s("ns:default"), Selector.k8s("pod-name:web")))));

    deniedWith(() -> create(Reviews.spiffeId()), 403, "Duplicate detected");
  }

  @Test
  void aSpiffeIdWrittenBeforeTheWebhookCanStillLoseItsFinalizer() throws Exception {
    // Seeded as if written by the original registrar before the webhook was enabled.
    ObjectNode legacy = named("legacy", Reviews.spiffeId());
    Reviews.spec(legacy).put("parentId", "spiffe://example.org.evil/node");
    ((ObjectNode) legacy.get("metadata")).putArray("finalizers").add(SpiffeIdCrd.FINALIZER);
    standIn.create(COLLECTION, legacy);
    configureWebhook();

    custom
        .deleteNamespacedCustomObject(
            SpiffeIdCrd.GROUP, SpiffeIdCrd.VERSION, "default", SpiffeIdCrd.PLURAL, "legacy")
        .execute();
    PatchUtils.patch(
        Object.class,
        () ->
            custom
                .patchNamespacedCustomObject(
                    SpiffeIdCrd.GROUP,
                    SpiffeIdCrd.VERSION,
                    "default",
                    SpiffeIdCrd.PLURAL,
                    "legacy",
                    new V1Patch("{\"metadata\":{\"finalizers\":null}}"))
                .buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
        client);

    assertThat(standIn.get(COLLECTION + "/legacy")).isEmpty();
  }

  @Test
  void theApiServerKeepsCallingAfterARotation() throws Exception {
    configureWebhook();
    create(named("before", Reviews.spiffeId()));

    scheduler.advanceTo(scheduler.nextDue()); // the rotation at half-life
    assertThat(fixture.minter.calls()).isEqualTo(2);

    ObjectNode after = named("after", Reviews.spiffeId());
    Reviews.selector(after).put("podName", "after");
    create(after);
    assertThat(standIn.get(COLLECTION + "/after")).isPresent();
  }
}
