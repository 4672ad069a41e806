package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.pod;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.statusOf;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deleting a namespace deletes what is in it, as the namespace controller does. */
class NamespaceDeletionTest {
  private static final String PROD_SPIFFEIDS =
      "/apis/spiffeid.spiffe.io/v1beta1/namespaces/prod/spiffeids";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private KubernetesApiStandIn standIn;
  private CoreV1Api core;

  @BeforeEach
  void start() throws ApiException {
    standIn = KubernetesApiStandIn.start();
    core = new CoreV1Api(standIn.client());
    core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("prod"))).execute();
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  @Test
  void deletingANamespaceDeletesEverythingInItAndThenTheNamespace() throws Exception {
    core.createNamespacedPod("prod", pod("web-0", "node-1").metadata(meta("web-0", "prod")))
        .execute();
    core.createNamespacedConfigMap(
            "prod", new V1ConfigMap().metadata(meta("settings", "prod")).data(Map.of("a", "b")))
        .execute();
    standIn.create(PROD_SPIFFEIDS, Map.of("metadata", Map.of("name", "web-0")));
    core.createNamespacedPod("default", pod("web-0", "node-1")).execute();

    ValidatingWebhookTest.Http.Response deleting =
        ValidatingWebhookTest.Http.send(standIn, "DELETE", "/api/v1/namespaces/prod", null);
    standIn.awaitControllers(WAIT);

    assertThat(deleting.status()).isEqualTo(200);
    assertThat(deleting.body().at("/status/phase").asText()).isEqualTo("Terminating");
    assertThat(deleting.body().at("/metadata/deletionTimestamp").asText()).isNotEmpty();
    assertThat(standIn.list("/api/v1/namespaces/prod/pods")).isEmpty();
    assertThat(standIn.list("/api/v1/namespaces/prod/configmaps")).isEmpty();
    assertThat(standIn.list(PROD_SPIFFEIDS)).isEmpty();
    assertThat(standIn.get("/api/v1/namespaces/prod")).isEmpty();
    assertThat(standIn.get("/api/v1/namespaces/default/pods/web-0"))
        .as("other namespaces")
        .isPresent();
  }

  @Test
  void anObjectWithAFinalizerKeepsTheNamespaceTerminatingAndNothingNewMayBeCreated()
      throws Exception {
    core.createNamespacedPod("prod", pod("web-0", "node-1").metadata(meta("web-0", "prod")))
        .execute();
    standIn.create(
        PROD_SPIFFEIDS,
        Map.of("metadata", Map.of("name", "held", "finalizers", List.of("example.org/held"))));

    ValidatingWebhookTest.Http.send(standIn, "DELETE", "/api/v1/namespaces/prod", null);
    standIn.awaitControllers(WAIT);

    assertThat(standIn.get("/api/v1/namespaces/prod/pods/web-0")).isEmpty();
    assertThat(
            standIn
                .get(PROD_SPIFFEIDS + "/held")
                .orElseThrow()
                .at("/metadata/deletionTimestamp")
                .asText())
        .isNotEmpty();
    assertThat(standIn.get("/api/v1/namespaces/prod").orElseThrow().at("/status/phase").asText())
        .isEqualTo("Terminating");
    assertThatThrownBy(
            () ->
                core.createNamespacedPod(
                        "prod", pod("web-1", "node-1").metadata(meta("web-1", "prod")))
                    .execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              V1Status status = statusOf(e);
              assertThat(status.getReason()).isEqualTo("Forbidden");
              assertThat(status.getMessage())
                  .isEqualTo(
                      "pods \"web-1\" is forbidden: unable to create new content in namespace"
                          + " prod because it is being terminated");
              assertThat(status.getDetails().getCauses().get(0).getReason())
                  .isEqualTo("NamespaceTerminating");
              assertThat(status.getDetails().getCauses().get(0).getField())
                  .isEqualTo("metadata.namespace");
            });

    standIn.patch(PROD_SPIFFEIDS + "/held", Map.of("metadata", Map.of("finalizers", List.of())));
    standIn.awaitControllers(WAIT);

    assertThat(standIn.get(PROD_SPIFFEIDS + "/held")).isEmpty();
    assertThat(standIn.get("/api/v1/namespaces/prod")).isEmpty();
  }

  @Test
  void anEmptyNamespaceWithoutFinalizersGoesAtOnce() throws Exception {
    ValidatingWebhookTest.Http.Response deleted =
        ValidatingWebhookTest.Http.send(standIn, "DELETE", "/api/v1/namespaces/prod", null);

    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body().path("status").asText()).isEqualTo("Success");
    assertThat(standIn.get("/api/v1/namespaces/prod")).isEmpty();
  }

  @Test
  void theKubernetesSpecFinalizerIsRemovedOnceTheNamespaceIsEmpty() throws Exception {
    standIn.create(
        "/api/v1/namespaces",
        Map.of(
            "metadata",
            Map.of("name", "from-a-cluster"),
            "spec",
            Map.of("finalizers", List.of("kubernetes"))));

    ValidatingWebhookTest.Http.Response deleting =
        ValidatingWebhookTest.Http.send(
            standIn, "DELETE", "/api/v1/namespaces/from-a-cluster", null);
    standIn.awaitControllers(WAIT);

    assertThat(deleting.body().at("/status/phase").asText()).isEqualTo("Terminating");
    assertThat(standIn.get("/api/v1/namespaces/from-a-cluster")).isEmpty();
  }

  @Test
  void aMetadataFinalizerKeepsTheEmptiedNamespaceUntilItIsRemoved() throws Exception {
    standIn.patch(
        "/api/v1/namespaces/prod",
        Map.of("metadata", Map.of("finalizers", List.of("example.org/keep"))));
    core.createNamespacedPod("prod", pod("web-0", "node-1").metadata(meta("web-0", "prod")))
        .execute();

    ValidatingWebhookTest.Http.send(standIn, "DELETE", "/api/v1/namespaces/prod", null);
    standIn.awaitControllers(WAIT);

    assertThat(standIn.get("/api/v1/namespaces/prod/pods/web-0")).isEmpty();
    assertThat(standIn.get("/api/v1/namespaces/prod")).isPresent();

    standIn.patch("/api/v1/namespaces/prod", Map.of("metadata", Map.of("finalizers", List.of())));

    assertThat(standIn.get("/api/v1/namespaces/prod")).isEmpty();
  }

  private static V1ObjectMeta meta(String name, String namespace) {
    return new V1ObjectMeta().name(name).namespace(namespace);
  }
}
