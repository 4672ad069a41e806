package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AdmissionregistrationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Owner-reference garbage collection, as the control plane's garbage collector does it. */
class GarbageCollectionTest {
  private static final String GROUP = "spiffeid.spiffe.io";
  private static final String VERSION = "v1beta1";
  private static final String PLURAL = "spiffeids";
  private static final String FINALIZER = "finalizers.spiffeid.spiffe.io";
  private static final String SPIFFEIDS =
      "/apis/spiffeid.spiffe.io/v1beta1/namespaces/default/spiffeids";
  private static final String PODS = "/api/v1/namespaces/default/pods";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private KubernetesApiStandIn standIn;
  private ApiClient client;
  private CoreV1Api core;
  private CustomObjectsApi custom;

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
    client = standIn.client();
    core = new CoreV1Api(client);
    custom = new CustomObjectsApi(client);
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  @Test
  void deletingAPodDeletesTheSpiffeIdItOwns() throws ApiException {
    V1Pod web = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    createSpiffeId("web-0", List.of(), owner(web, false));

    core.deleteNamespacedPod("web-0", "default").execute();

    await().atMost(WAIT).until(() -> standIn.get(SPIFFEIDS + "/web-0").isEmpty());
  }

  @Test
  void aDependentWithAFinalizerTerminatesUntilItsControllerRemovesTheFinalizer()
      throws ApiException {
    V1Pod web = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    createSpiffeId("web-0", List.of(FINALIZER), owner(web, false));

    core.deleteNamespacedPod("web-0", "default").execute();
    standIn.awaitControllers(WAIT);

    ObjectNode terminating = standIn.get(SPIFFEIDS + "/web-0").orElseThrow();
    assertThat(terminating.at("/metadata/deletionTimestamp").asText()).isNotEmpty();
    assertThat(standIn.get(PODS + "/web-0")).isEmpty();

    standIn.patch(SPIFFEIDS + "/web-0", Map.of("metadata", Map.of("finalizers", List.of())));

    assertThat(standIn.get(SPIFFEIDS + "/web-0")).isEmpty();
  }

  @Test
  void orphanPropagationKeepsTheDependentAndRemovesItsOwnerReference() throws ApiException {
    V1Pod web = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    createSpiffeId("web-0", List.of(), owner(web, true));

    V1Pod deleting =
        core.deleteNamespacedPod("web-0", "default")
            .body(new V1DeleteOptions().propagationPolicy("Orphan"))
            .execute();
    standIn.awaitControllers(WAIT);

    assertThat(deleting.getMetadata().getFinalizers()).containsExactly("orphan");
    assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(standIn.get(PODS + "/web-0")).isEmpty();
    ObjectNode orphan = standIn.get(SPIFFEIDS + "/web-0").orElseThrow();
    assertThat(orphan.at("/metadata").has("ownerReferences")).isFalse();
    assertThat(orphan.at("/metadata").has("deletionTimestamp")).isFalse();
  }

  @Test
  void foregroundPropagationKeepsTheOwnerUntilItsBlockingDependentsAreGone() throws ApiException {
    V1Pod web = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    createSpiffeId("web-0", List.of(FINALIZER), owner(web, true));

    V1Pod deleting =
        core.deleteNamespacedPod("web-0", "default").propagationPolicy("Foreground").execute();
    standIn.awaitControllers(WAIT);

    assertThat(deleting.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");
    assertThat(standIn.get(PODS + "/web-0")).as("waits for its dependent").isPresent();
    assertThat(standIn.get(SPIFFEIDS + "/web-0").orElseThrow().at("/metadata/deletionTimestamp"))
        .isNotNull();

    standIn.patch(SPIFFEIDS + "/web-0", Map.of("metadata", Map.of("finalizers", List.of())));
    standIn.awaitControllers(WAIT);

    assertThat(standIn.get(SPIFFEIDS + "/web-0")).isEmpty();
    assertThat(standIn.get(PODS + "/web-0")).isEmpty();
  }

  @Test
  void aDependentWithAnotherLiveOwnerStaysAndLosesTheReferenceToTheGoneOne() throws ApiException {
    V1Pod a = core.createNamespacedPod("default", pod("a", "node-1")).execute();
    V1Pod b = core.createNamespacedPod("default", pod("b", "node-1")).execute();
    createSpiffeId("shared", List.of(), owner(a, false), owner(b, false));

    core.deleteNamespacedPod("a", "default").execute();
    standIn.awaitControllers(WAIT);

    JsonNode owners =
        standIn.get(SPIFFEIDS + "/shared").orElseThrow().at("/metadata/ownerReferences");
    assertThat(owners).hasSize(1);
    assertThat(owners.get(0).path("name").asText()).isEqualTo("b");
  }

  @Test
  void aDependentCreatedWithAnOwnerThatDoesNotExistIsCollected() throws ApiException {
    createSpiffeId(
        "ghost-owned",
        List.of(),
        Map.of("apiVersion", "v1", "kind", "Pod", "name", "ghost", "uid", "no-such-uid"));

    standIn.awaitControllers(WAIT);

    assertThat(standIn.get(SPIFFEIDS + "/ghost-owned")).isEmpty();
  }

  @Test
  void anOwnerOfAKindNobodyServesKeepsItsDependent() throws ApiException {
    createSpiffeId(
        "kept",
        List.of(),
        Map.of("apiVersion", "example.org/v1", "kind", "Gadget", "name", "g", "uid", "u-1"));

    standIn.awaitControllers(WAIT);

    assertThat(standIn.get(SPIFFEIDS + "/kept")).isPresent();
  }

  @Test
  void theCollectorsDeletesGoThroughAdmissionAndAreRetriedAfterTheNextChange() throws Exception {
    TestPki pki = TestPki.create("webhook-ca");
    try (TestWebhookServer webhook =
        TestWebhookServer.start(pki.serverContext(pki.server("127.0.0.1")), false)) {
      webhook.respond(TestWebhookServer.deny(403, "Forbidden", "SpiffeIDs stay"));
      ObjectNode hook = TestWebhookServer.JSON.createObjectNode();
      hook.put("name", "keep.spiffeids.example.org");
      hook.putObject("clientConfig").put("url", webhook.url("/")).put("caBundle", pki.caBundle());
      hook.set(
          "rules",
          ValidatingWebhookTest.json(
              "[{operations: [DELETE], apiGroups: ['*'], apiVersions: ['*'], resources:"
                  + " [spiffeids]}]"));
      hook.put("sideEffects", "None");
      hook.putArray("admissionReviewVersions").add("v1");
      standIn.create(ValidatingWebhookTest.config("keep", hook));
      V1Pod web = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
      createSpiffeId("web-0", List.of(), owner(web, false));

      core.deleteNamespacedPod("web-0", "default").execute();
      standIn.awaitControllers(WAIT);

      assertThat(standIn.get(SPIFFEIDS + "/web-0")).as("the webhook refused").isPresent();
      JsonNode request = webhook.reviews().get(0).get("request");
      assertThat(request.at("/userInfo/username").asText())
          .isEqualTo("system:serviceaccount:kube-system:generic-garbage-collector");
      assertThat(request.at("/options/propagationPolicy").asText()).isEqualTo("Background");

      new AdmissionregistrationV1Api(client).deleteValidatingWebhookConfiguration("keep").execute();
      standIn.awaitControllers(WAIT);

      assertThat(standIn.get(SPIFFEIDS + "/web-0")).isEmpty();
    }
  }

  @Test
  void aDeletingObjectGetsNoNewFinalizers() throws Exception {
    createSpiffeId("web-0", List.of(FINALIZER));
    custom.deleteNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, "web-0").execute();

    ValidatingWebhookTest.Http.Response refused =
        ValidatingWebhookTest.Http.send(
            standIn,
            "PATCH",
            SPIFFEIDS + "/web-0",
            "{\"metadata\":{\"finalizers\":[\"" + FINALIZER + "\",\"example.org/late\"]}}",
            "Content-Type",
            "application/merge-patch+json");

    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.message())
        .isEqualTo(
            "SpiffeID.spiffeid.spiffe.io \"web-0\" is invalid: metadata.finalizers: Forbidden: no"
                + " new finalizers can be added if the object is being deleted, found new"
                + " finalizers []string{\"example.org/late\"}");
  }

  private void createSpiffeId(String name, List<String> finalizers, Map<?, ?>... owners)
      throws ApiException {
    custom
        .createNamespacedCustomObject(
            GROUP,
            VERSION,
            "default",
            PLURAL,
            Map.of(
                "apiVersion",
                GROUP + "/" + VERSION,
                "kind",
                "SpiffeID",
                "metadata",
                Map.of("name", name, "finalizers", finalizers, "ownerReferences", List.of(owners)),
                "spec",
                Map.of(
                    "spiffeId",
                    "spiffe://example.org/" + name,
                    "parentId",
                    "spiffe://example.org/node",
                    "selector",
                    Map.of("podName", name))))
        .execute();
  }

  private static Map<String, Object> owner(V1Pod pod, boolean blockOwnerDeletion) {
    return Map.of(
        "apiVersion",
        "v1",
        "kind",
        "Pod",
        "name",
        pod.getMetadata().getName(),
        "uid",
        pod.getMetadata().getUid(),
        "controller",
        true,
        "blockOwnerDeletion",
        blockOwnerDeletion);
  }
}
