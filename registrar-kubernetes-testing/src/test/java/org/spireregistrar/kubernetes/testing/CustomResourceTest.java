package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.ApiextensionsV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinition;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinitionNames;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinitionSpec;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinitionVersion;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.Watch;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SpiffeID custom resource (spiffeid.spiffe.io/v1beta1) through CustomObjectsApi. */
class CustomResourceTest {
  private static final String GROUP = "spiffeid.spiffe.io";
  private static final String VERSION = "v1beta1";
  private static final String PLURAL = "spiffeids";
  private static final String FINALIZER = "finalizers.spiffeid.spiffe.io";

  private KubernetesApiStandIn standIn;
  private ApiClient client;
  private CustomObjectsApi custom;

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
    client = standIn.client();
    custom = new CustomObjectsApi(client);
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  private static Map<String, Object> spiffeId(String name, String path, List<String> finalizers) {
    return Map.of(
        "apiVersion", GROUP + "/" + VERSION,
        "kind", "SpiffeID",
        "metadata", Map.of("name", name, "namespace", "default", "finalizers", finalizers),
        "spec",
            Map.of(
                "spiffeId",
                "spiffe://example.org" + path,
                "parentId",
                "spiffe://example.org/node",
                "selector",
                Map.of("podName", name)),
        "status", Map.of("entryId", "should-be-dropped"));
  }

  private static JsonObject json(Object o) {
    return JsonParser.parseString(new com.google.gson.Gson().toJson(o)).getAsJsonObject();
  }

  @Test
  void createsGetsListsUpdatesAndDeletesSpiffeIds() throws ApiException {
    JsonObject created =
        json(
            custom
                .createNamespacedCustomObject(
                    GROUP, VERSION, "default", PLURAL, spiffeId("web", "/web", List.of()))
                .execute());
    assertThat(created.getAsJsonObject("metadata").get("uid").getAsString()).isNotBlank();
    assertThat(created.has("status")).as("status is dropped on create").isFalse();

    JsonObject list =
        json(custom.listNamespacedCustomObject(GROUP, VERSION, "default", PLURAL).execute());
    assertThat(list.get("kind").getAsString()).isEqualTo("SpiffeIDList");
    assertThat(list.getAsJsonArray("items")).hasSize(1);

    created.getAsJsonObject("spec").addProperty("spiffeId", "spiffe://example.org/web2");
    JsonObject updated =
        json(
            custom
                .replaceNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, "web", created)
                .execute());
    assertThat(updated.getAsJsonObject("spec").get("spiffeId").getAsString())
        .isEqualTo("spiffe://example.org/web2");
    assertThat(updated.getAsJsonObject("metadata").get("generation").getAsLong()).isEqualTo(2);

    custom.deleteNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, "web").execute();
    assertThatThrownBy(
            () ->
                custom
                    .getNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, "web")
                    .execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }

  @Test
  void statusSubresourceWritesOnlyTheStatus() throws ApiException {
    custom
        .createNamespacedCustomObject(
            GROUP, VERSION, "default", PLURAL, spiffeId("web", "/web", List.of()))
        .execute();

    JsonObject patched =
        json(
            PatchUtils.patch(
                Object.class,
                () ->
                    custom
                        .patchNamespacedCustomObjectStatus(
                            GROUP,
                            VERSION,
                            "default",
                            PLURAL,
                            "web",
                            new V1Patch(
                                "{\"status\":{\"entryId\":\"e-1\"},\"spec\":{\"spiffeId\":\"x\"}}"))
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                client));

    assertThat(patched.getAsJsonObject("status").get("entryId").getAsString()).isEqualTo("e-1");
    assertThat(patched.getAsJsonObject("spec").get("spiffeId").getAsString())
        .isEqualTo("spiffe://example.org/web");
  }

  @Test
  void finalizerKeepsADeletedSpiffeIdUntilTheControllerRemovesIt() throws Exception {
    String rv = standIn.resourceVersion();
    Type eventType = new TypeToken<Watch.Response<Object>>() {}.getType();
    try (Watch<Object> watch =
        Watch.createWatch(
            client,
            custom
                .listNamespacedCustomObject(GROUP, VERSION, "default", PLURAL)
                .watch(true)
                .resourceVersion(rv)
                .buildCall(null),
            eventType)) {
      custom
          .createNamespacedCustomObject(
              GROUP, VERSION, "default", PLURAL, spiffeId("web", "/web", List.of(FINALIZER)))
          .execute();
      custom.deleteNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, "web").execute();
      JsonObject deleting =
          json(
              custom.getNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, "web").execute());
      assertThat(deleting.getAsJsonObject("metadata").has("deletionTimestamp")).isTrue();

      PatchUtils.patch(
          Object.class,
          () ->
              custom
                  .patchNamespacedCustomObject(
                      GROUP,
                      VERSION,
                      "default",
                      PLURAL,
                      "web",
                      new V1Patch("{\"metadata\":{\"finalizers\":null}}"))
                  .buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
          client);

      assertThat(List.of(watch.next().type, watch.next().type, watch.next().type))
          .containsExactly("ADDED", "MODIFIED", "DELETED");
    }
    assertThatThrownBy(
            () ->
                custom
                    .getNamespacedCustomObject(GROUP, VERSION, "default", PLURAL, "web")
                    .execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }

  @Test
  void crdCreatedThroughTheApiIsEstablishedAndServesItsResource() throws ApiException {
    V1CustomResourceDefinition crd =
        new V1CustomResourceDefinition()
            .metadata(new V1ObjectMeta().name("widgets.example.com"))
            .spec(
                new V1CustomResourceDefinitionSpec()
                    .group("example.com")
                    .scope("Cluster")
                    .names(new V1CustomResourceDefinitionNames().kind("Widget").plural("widgets"))
                    .versions(
                        List.of(
                            new V1CustomResourceDefinitionVersion()
                                .name("v1")
                                .served(true)
                                .storage(true))));
    ApiextensionsV1Api extensions = new ApiextensionsV1Api(client);
    extensions.createCustomResourceDefinition(crd).execute();

    custom
        .createClusterCustomObject(
            "example.com",
            "v1",
            "widgets",
            Map.of(
                "apiVersion", "example.com/v1", "kind", "Widget", "metadata", Map.of("name", "w")))
        .execute();

    assertThat(
            extensions
                .readCustomResourceDefinition("widgets.example.com")
                .execute()
                .getStatus()
                .getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Established");
              assertThat(c.getStatus()).isEqualTo("True");
            });
    assertThat(standIn.get("/apis/example.com/v1/widgets/w")).isPresent();
  }
}
