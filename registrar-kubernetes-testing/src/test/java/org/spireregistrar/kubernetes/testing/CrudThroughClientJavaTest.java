package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EndpointAddress;
import io.kubernetes.client.openapi.models.V1EndpointSubset;
import io.kubernetes.client.openapi.models.V1Endpoints;
import io.kubernetes.client.openapi.models.V1EndpointsList;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseList;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceList;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The production client's CRUD calls against the stand-in, per resource kind and per error. */
class CrudThroughClientJavaTest {
  private KubernetesApiStandIn standIn;
  private ApiClient client;
  private CoreV1Api core;

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
    client = standIn.client();
    core = new CoreV1Api(client);
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  /** One resource kind, driven through client-java's GenericKubernetesApi. */
  record Kind<T extends KubernetesObject, L extends KubernetesListObject>(
      String name,
      Class<T> type,
      Class<L> listType,
      String group,
      String version,
      String plural,
      String namespace,
      Function<String, T> newObject,
      Function<T, T> change) {
    @Override
    public String toString() {
      return name;
    }

    GenericKubernetesApi<T, L> api(ApiClient client) {
      return new GenericKubernetesApi<>(type, listType, group, version, plural, client);
    }
  }

  static Stream<Kind<?, ?>> kinds() {
    return Stream.of(
        new Kind<>(
            "pods",
            V1Pod.class,
            V1PodList.class,
            "",
            "v1",
            "pods",
            "default",
            n -> new V1Pod().metadata(meta(n, "default")).spec(podSpec("node-1")),
            p -> p.spec(podSpec("node-2"))),
        new Kind<>(
            "nodes",
            V1Node.class,
            V1NodeList.class,
            "",
            "v1",
            "nodes",
            null,
            n -> new V1Node().metadata(meta(n, null)).spec(new V1NodeSpec().podCIDR("10.0.0.0/24")),
            n -> n.spec(new V1NodeSpec().podCIDR("10.0.1.0/24"))),
        new Kind<>(
            "endpoints",
            V1Endpoints.class,
            V1EndpointsList.class,
            "",
            "v1",
            "endpoints",
            "default",
            n ->
                new V1Endpoints().metadata(meta(n, "default")).subsets(List.of(subset("10.0.0.5"))),
            e -> e.subsets(List.of(subset("10.0.0.6")))),
        new Kind<>(
            "namespaces",
            V1Namespace.class,
            V1NamespaceList.class,
            "",
            "v1",
            "namespaces",
            null,
            n -> new V1Namespace().metadata(meta(n, null)),
            ns -> ns.metadata(ns.getMetadata().labels(Map.of("team", "a")))),
        new Kind<>(
            "services",
            V1Service.class,
            V1ServiceList.class,
            "",
            "v1",
            "services",
            "default",
            n ->
                new V1Service()
                    .metadata(meta(n, "default"))
                    .spec(new V1ServiceSpec().selector(Map.of("app", "web"))),
            s -> s.spec(new V1ServiceSpec().selector(Map.of("app", "api")))),
        new Kind<>(
            "leases",
            V1Lease.class,
            V1LeaseList.class,
            "coordination.k8s.io",
            "v1",
            "leases",
            "default",
            n ->
                new V1Lease()
                    .metadata(meta(n, "default"))
                    .spec(new V1LeaseSpec().holderIdentity("a")),
            l -> l.spec(new V1LeaseSpec().holderIdentity("b"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  <T extends KubernetesObject, L extends KubernetesListObject>
      void createsGetsListsUpdatesAndDeletesEachKind(Kind<T, L> kind) throws ApiException {
    GenericKubernetesApi<T, L> api = kind.api(client);

    T created = api.create(kind.newObject().apply("obj-1")).throwsApiException().getObject();
    V1ObjectMeta meta = created.getMetadata();
    assertThat(meta.getUid()).isNotBlank();
    assertThat(meta.getCreationTimestamp()).isNotNull();
    assertThat(meta.getResourceVersion()).isEqualTo(standIn.resourceVersion());
    assertThat(meta.getGeneration()).isEqualTo(1L);
    assertThat(created.getApiVersion())
        .isEqualTo(kind.group().isEmpty() ? "v1" : kind.group() + "/v1");

    T fetched = get(api, kind, "obj-1").throwsApiException().getObject();
    assertThat(fetched.getMetadata().getUid()).isEqualTo(meta.getUid());

    api.create(kind.newObject().apply("obj-2")).throwsApiException();
    L list =
        (kind.namespace() == null ? api.list() : api.list(kind.namespace()))
            .throwsApiException()
            .getObject();
    assertThat(list.getItems())
        .extracting(o -> o.getMetadata().getName())
        .containsExactly("obj-1", "obj-2");
    assertThat(list.getMetadata().getResourceVersion()).isEqualTo(standIn.resourceVersion());

    T updated = api.update(kind.change().apply(fetched)).throwsApiException().getObject();
    assertThat(Long.parseLong(updated.getMetadata().getResourceVersion()))
        .isGreaterThan(Long.parseLong(meta.getResourceVersion()));
    assertThat(updated.getMetadata().getUid()).isEqualTo(meta.getUid());

    KubernetesApiResponse<T> deleted =
        kind.namespace() == null ? api.delete("obj-1") : api.delete(kind.namespace(), "obj-1");
    assertThat(deleted.isSuccess()).isTrue();
    assertThat(get(api, kind, "obj-1").getHttpStatusCode()).isEqualTo(404);
  }

  private static <T extends KubernetesObject, L extends KubernetesListObject>
      KubernetesApiResponse<T> get(GenericKubernetesApi<T, L> api, Kind<T, L> kind, String name) {
    return kind.namespace() == null ? api.get(name) : api.get(kind.namespace(), name);
  }

  @Test
  void duplicateCreateIsAlreadyExistsWithStatusBody() throws ApiException {
    core.createNamespacedPod("default", pod("web-0", "node-1")).execute();

    assertThatThrownBy(() -> core.createNamespacedPod("default", pod("web-0", "node-1")).execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              V1Status status = statusOf(e);
              assertThat(status.getReason()).isEqualTo("AlreadyExists");
              assertThat(status.getMessage()).isEqualTo("pods \"web-0\" already exists");
              assertThat(status.getDetails().getName()).isEqualTo("web-0");
              assertThat(status.getDetails().getKind()).isEqualTo("pods");
            });
  }

  @Test
  void missingObjectIsNotFoundWithStatusBody() {
    assertThatThrownBy(() -> core.readNamespacedPod("nope", "default").execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(404);
              V1Status status = statusOf(e);
              assertThat(status.getStatus()).isEqualTo("Failure");
              assertThat(status.getReason()).isEqualTo("NotFound");
              assertThat(status.getMessage()).isEqualTo("pods \"nope\" not found");
              assertThat(status.getCode()).isEqualTo(404);
            });
  }

  @Test
  void groupResourcesAreQualifiedInMessages() {
    GenericKubernetesApi<V1Lease, V1LeaseList> leases =
        new GenericKubernetesApi<>(
            V1Lease.class, V1LeaseList.class, "coordination.k8s.io", "v1", "leases", client);

    KubernetesApiResponse<V1Lease> response = leases.get("default", "nope");

    assertThat(response.getHttpStatusCode()).isEqualTo(404);
    assertThat(response.getStatus().getMessage())
        .isEqualTo("leases.coordination.k8s.io \"nope\" not found");
  }

  @Test
  void updateWithStaleResourceVersionIsConflict() throws ApiException {
    V1Pod created = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    core.replaceNamespacedPod("web-0", "default", created.spec(podSpec("node-2"))).execute();

    assertThatThrownBy(
            () ->
                core.replaceNamespacedPod("web-0", "default", created.spec(podSpec("node-3")))
                    .execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(statusOf(e).getReason()).isEqualTo("Conflict");
              assertThat(statusOf(e).getMessage())
                  .isEqualTo(
                      "Operation cannot be fulfilled on pods \"web-0\": the object has been"
                          + " modified; please apply your changes to the latest version and try"
                          + " again");
            });
  }

  @Test
  void updateThatChangesNothingKeepsTheResourceVersion() throws ApiException {
    V1Pod created = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();

    V1Pod same = core.replaceNamespacedPod("web-0", "default", created).execute();

    assertThat(same.getMetadata().getResourceVersion())
        .isEqualTo(created.getMetadata().getResourceVersion());
  }

  @Test
  void specChangeBumpsGenerationButLabelChangeDoesNot() throws ApiException {
    V1Pod created = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    created.getMetadata().labels(Map.of("a", "b"));
    V1Pod relabelled = core.replaceNamespacedPod("web-0", "default", created).execute();
    V1Pod moved =
        core.replaceNamespacedPod("web-0", "default", relabelled.spec(podSpec("node-2"))).execute();

    assertThat(relabelled.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(moved.getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void mergePatchChangesOnlyTheGivenFields() throws ApiException {
    core.createNamespacedPod(
            "default",
            pod("web-0", "node-1")
                .metadata(meta("web-0", "default").labels(Map.of("app", "web", "tier", "a"))))
        .execute();

    V1Pod patched =
        PatchUtils.patch(
            V1Pod.class,
            () ->
                core.patchNamespacedPod(
                        "web-0",
                        "default",
                        new V1Patch("{\"metadata\":{\"labels\":{\"tier\":null,\"x\":\"y\"}}}"))
                    .buildCall(null),
            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
            client);

    assertThat(patched.getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("app", "web", "x", "y"));
    assertThat(patched.getSpec().getNodeName()).isEqualTo("node-1");
  }

  @Test
  void strategicMergePatchIsAppliedAsMergePatch() throws ApiException {
    core.createNamespacedPod("default", pod("web-0", "node-1")).execute();

    V1Pod patched =
        PatchUtils.patch(
            V1Pod.class,
            () ->
                core.patchNamespacedPod(
                        "web-0",
                        "default",
                        new V1Patch("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"))
                    .buildCall(null),
            V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH,
            client);

    assertThat(patched.getMetadata().getLabels()).containsEntry("a", "b");
  }

  @Test
  void jsonPatchAddsReplacesAndRemoves() throws ApiException {
    core.createNamespacedPod(
            "default",
            pod("web-0", "node-1").metadata(meta("web-0", "default").labels(Map.of("old", "1"))))
        .execute();
    String ops =
        "[{\"op\":\"add\",\"path\":\"/metadata/labels/new\",\"value\":\"2\"},"
            + "{\"op\":\"remove\",\"path\":\"/metadata/labels/old\"},"
            + "{\"op\":\"replace\",\"path\":\"/spec/nodeName\",\"value\":\"node-9\"}]";

    V1Pod patched =
        PatchUtils.patch(
            V1Pod.class,
            () -> core.patchNamespacedPod("web-0", "default", new V1Patch(ops)).buildCall(null),
            V1Patch.PATCH_FORMAT_JSON_PATCH,
            client);

    assertThat(patched.getMetadata().getLabels()).containsExactlyEntriesOf(Map.of("new", "2"));
    assertThat(patched.getSpec().getNodeName()).isEqualTo("node-9");
  }

  @Test
  void deletingAPodAnswersThePodAndANodeAnswersAStatus() throws ApiException {
    core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    core.createNode(new V1Node().metadata(meta("node-1", null))).execute();

    V1Pod deletedPod = core.deleteNamespacedPod("web-0", "default").execute();
    V1Status deletedNode = core.deleteNode("node-1").execute();

    assertThat(deletedPod.getMetadata().getName()).isEqualTo("web-0");
    assertThat(deletedNode.getStatus()).isEqualTo("Success");
    assertThat(deletedNode.getDetails().getName()).isEqualTo("node-1");
  }

  @Test
  void statusSubresourceSeparatesSpecAndStatusWrites() throws ApiException {
    V1Pod created =
        core.createNamespacedPod(
                "default", pod("web-0", "node-1").status(new V1PodStatus().phase("Running")))
            .execute();
    assertThat(created.getStatus().getPhase())
        .as("status is dropped on create")
        .isEqualTo("Pending");

    V1Pod withStatus =
        core.replaceNamespacedPodStatus(
                "web-0",
                "default",
                created
                    .status(new V1PodStatus().phase("Running").podIP("10.0.0.5"))
                    .spec(podSpec("node-7")))
            .execute();
    assertThat(withStatus.getStatus().getPodIP()).isEqualTo("10.0.0.5");
    assertThat(withStatus.getSpec().getNodeName())
        .as("spec is ignored by /status")
        .isEqualTo("node-1");

    V1Pod specWrite =
        core.replaceNamespacedPod(
                "web-0", "default", withStatus.status(new V1PodStatus().phase("Failed")))
            .execute();
    assertThat(specWrite.getStatus().getPhase())
        .as("status is kept by the main resource")
        .isEqualTo("Running");
  }

  @Test
  void finalizersDelayDeletionUntilTheLastOneIsRemoved() throws ApiException {
    core.createNamespacedPod(
            "default",
            pod("web-0", "node-1")
                .metadata(meta("web-0", "default").finalizers(List.of("a/b", "c/d"))))
        .execute();

    V1Pod deleting = core.deleteNamespacedPod("web-0", "default").execute();
    assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotNull();
    V1Pod stillThere = core.readNamespacedPod("web-0", "default").execute();
    V1Pod oneLeft =
        core.replaceNamespacedPod(
                "web-0",
                "default",
                stillThere.metadata(stillThere.getMetadata().finalizers(List.of("c/d"))))
            .execute();
    assertThat(oneLeft.getMetadata().getDeletionTimestamp()).isNotNull();
    core.replaceNamespacedPod(
            "web-0", "default", oneLeft.metadata(oneLeft.getMetadata().finalizers(List.of())))
        .execute();

    assertThatThrownBy(() -> core.readNamespacedPod("web-0", "default").execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }

  @Test
  void invalidNameIsRejectedWithTheRealMessage() {
    assertThatThrownBy(() -> core.createNamespacedPod("default", pod("Bad_Name!", "n")).execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(statusOf(e).getMessage())
                  .startsWith(
                      "Pod \"Bad_Name!\" is invalid: metadata.name: Invalid value: \"Bad_Name!\": a"
                          + " lowercase RFC 1123 subdomain");
            });
  }

  @Test
  void bodyNamespaceMustMatchTheUrl() {
    assertThatThrownBy(() -> core.createNamespacedPod("other", pod("web-0", "n")).execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              assertThat(statusOf(e).getMessage())
                  .isEqualTo(
                      "the namespace of the provided object does not match the namespace sent on"
                          + " the request");
            });
  }

  @Test
  void generateNameGivesAUniqueName() throws ApiException {
    V1Pod a =
        core.createNamespacedPod(
                "default",
                new V1Pod().metadata(new V1ObjectMeta().generateName("web-")).spec(podSpec("n")))
            .execute();
    V1Pod b =
        core.createNamespacedPod(
                "default",
                new V1Pod().metadata(new V1ObjectMeta().generateName("web-")).spec(podSpec("n")))
            .execute();

    assertThat(a.getMetadata().getName()).startsWith("web-").hasSize(9);
    assertThat(b.getMetadata().getName())
        .startsWith("web-")
        .isNotEqualTo(a.getMetadata().getName());
  }

  @Test
  void listsAcrossAllNamespaces() throws ApiException {
    core.createNamespacedPod("a", new V1Pod().metadata(meta("web-0", null)).spec(podSpec("n")))
        .execute();
    core.createNamespacedPod("b", new V1Pod().metadata(meta("web-0", null)).spec(podSpec("n")))
        .execute();

    V1PodList all = core.listPodForAllNamespaces().execute();
    V1PodList onlyA = core.listNamespacedPod("a").execute();

    assertThat(all.getItems())
        .extracting(p -> p.getMetadata().getNamespace())
        .containsExactly("a", "b");
    assertThat(onlyA.getItems()).hasSize(1);
  }

  static V1Status statusOf(ApiException e) {
    return JSON.deserialize(e.getResponseBody(), V1Status.class);
  }

  static V1ObjectMeta meta(String name, String namespace) {
    return new V1ObjectMeta().name(name).namespace(namespace);
  }

  static V1PodSpec podSpec(String node) {
    return new V1PodSpec()
        .nodeName(node)
        .containers(List.of(new V1Container().name("c").image("nginx")));
  }

  static V1Pod pod(String name, String node) {
    return new V1Pod().metadata(meta(name, "default")).spec(podSpec(node));
  }

  private static V1EndpointSubset subset(String ip) {
    return new V1EndpointSubset().addresses(List.of(new V1EndpointAddress().ip(ip)));
  }
}
