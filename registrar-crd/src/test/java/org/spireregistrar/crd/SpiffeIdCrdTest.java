package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.ApiextensionsV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinition;
import io.kubernetes.client.util.PatchUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.kubernetes.ObjectViews;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;

/** The SpiffeID CustomResourceDefinition: upstream's schema, shipped twice, served by an API. */
class SpiffeIdCrdTest {
  static final Path DEPLOY_COPY =
      Path.of("..", "deploy", "crd", "spiffeid.spiffe.io_spiffeids.yaml");

  static JsonNode manifest() throws Exception {
    return new YAMLMapper().readTree(SpiffeIdCrd.manifest());
  }

  @Test
  void theDeployCopyIsByteIdentical() throws Exception {
    byte[] resource;
    try (var in = SpiffeIdCrd.class.getResourceAsStream(SpiffeIdCrd.MANIFEST_RESOURCE)) {
      resource = in.readAllBytes();
    }
    assertThat(Files.readAllBytes(DEPLOY_COPY))
        .as(
            "deploy/crd/spiffeid.spiffe.io_spiffeids.yaml is a copy of "
                + SpiffeIdCrd.MANIFEST_RESOURCE)
        .isEqualTo(resource);
  }

  @Test
  void namesScopeAndVersionAreUpstreams() throws Exception {
    JsonNode crd = manifest();

    assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
    assertThat(crd.path("kind").asText()).isEqualTo("CustomResourceDefinition");
    assertThat(crd.path("metadata").path("name").asText())
        .isEqualTo("spiffeids.spiffeid.spiffe.io")
        .isEqualTo(SpiffeIdCrd.NAME);
    JsonNode spec = crd.path("spec");
    assertThat(spec.path("group").asText()).isEqualTo(SpiffeIdCrd.GROUP);
    assertThat(spec.path("scope").asText()).isEqualTo("Namespaced");
    assertThat(spec.path("names"))
        .isEqualTo(
            new JsonMapper()
                .valueToTree(
                    Map.of(
                        "kind", "SpiffeID",
                        "listKind", "SpiffeIDList",
                        "plural", "spiffeids",
                        "singular", "spiffeid")));
    assertThat(spec.path("versions")).hasSize(1);
    JsonNode v = spec.path("versions").get(0);
    assertThat(v.path("name").asText()).isEqualTo("v1beta1");
    assertThat(v.path("served").asBoolean()).isTrue();
    assertThat(v.path("storage").asBoolean()).isTrue();
    assertThat(v.path("subresources").path("status").isObject()).as("status subresource").isTrue();
    assertThat(v.path("subresources").path("status")).isEmpty();
    assertThat(v.has("additionalPrinterColumns")).isFalse();
  }

  @Test
  void theSchemaIsUpstreams() throws Exception {
    JsonNode schema =
        manifest().path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    assertThat(schema.path("type").asText()).isEqualTo("object");
    assertThat(fields(schema))
        .containsExactlyInAnyOrder("apiVersion", "kind", "metadata", "spec", "status");
    assertThat(schema.path("x-kubernetes-preserve-unknown-fields").isMissingNode())
        .as("unknown fields are pruned, as upstream's")
        .isTrue();

    JsonNode spec = schema.path("properties").path("spec");
    assertThat(spec.path("type").asText()).isEqualTo("object");
    assertThat(texts(spec.path("required"))).containsExactly("parentId", "selector", "spiffeId");
    assertThat(fields(spec))
        .containsExactlyInAnyOrder(
            "parentId", "spiffeId", "selector", "dnsNames", "federatesWith", "downstream");
    assertThat(type(spec, "parentId")).isEqualTo("string");
    assertThat(type(spec, "spiffeId")).isEqualTo("string");
    assertThat(type(spec, "downstream")).isEqualTo("boolean");
    for (String list : List.of("dnsNames", "federatesWith")) {
      assertThat(type(spec, list)).isEqualTo("array");
      assertThat(spec.path("properties").path(list).path("items").path("type").asText())
          .isEqualTo("string");
    }

    JsonNode selector = spec.path("properties").path("selector");
    assertThat(selector.path("type").asText()).isEqualTo("object");
    assertThat(selector.has("required")).as("no selector field is required").isFalse();
    assertThat(fields(selector))
        .containsExactlyInAnyOrder(
            "cluster",
            "agent_node_uid",
            "podLabel",
            "podName",
            "podUid",
            "namespace",
            "serviceAccount",
            "containerImage",
            "containerName",
            "nodeName",
            "arbitrary");
    for (String s :
        List.of(
            "cluster",
            "agent_node_uid",
            "podName",
            "podUid",
            "namespace",
            "serviceAccount",
            "containerImage",
            "containerName",
            "nodeName")) {
      assertThat(type(selector, s)).as(s).isEqualTo("string");
    }
    JsonNode podLabel = selector.path("properties").path("podLabel");
    assertThat(podLabel.path("type").asText()).isEqualTo("object");
    assertThat(podLabel.path("additionalProperties").path("type").asText()).isEqualTo("string");
    assertThat(type(selector, "arbitrary")).isEqualTo("array");
    assertThat(selector.path("properties").path("arbitrary").path("items").path("type").asText())
        .isEqualTo("string");

    JsonNode status = schema.path("properties").path("status");
    assertThat(status.path("type").asText()).isEqualTo("object");
    assertThat(fields(status)).containsExactly("entryId");
    assertThat(type(status, "entryId")).isEqualTo("string");
  }

  @Test
  void appliedThroughClientJavaItServesSpiffeIds() throws Exception {
    try (KubernetesApiStandIn standIn = KubernetesApiStandIn.start()) {
      ApiClient client = standIn.client();
      String json = new JsonMapper().writeValueAsString(manifest());
      V1CustomResourceDefinition crd = JSON.deserialize(json, V1CustomResourceDefinition.class);
      ApiextensionsV1Api extensions = new ApiextensionsV1Api(client);

      extensions.createCustomResourceDefinition(crd).execute();

      V1CustomResourceDefinition served =
          extensions.readCustomResourceDefinition(SpiffeIdCrd.NAME).execute();
      assertThat(served.getStatus().getConditions())
          .anySatisfy(
              c -> {
                assertThat(c.getType()).isEqualTo("Established");
                assertThat(c.getStatus()).isEqualTo("True");
              });
      assertThat(
              served
                  .getSpec()
                  .getVersions()
                  .get(0)
                  .getSchema()
                  .getOpenAPIV3Schema()
                  .getProperties())
          .containsKeys("spec", "status");

      CustomObjectsApi custom = new CustomObjectsApi(client);
      Map<String, Object> spiffeId =
          Map.of(
              "apiVersion",
              SpiffeIdCrd.API_VERSION,
              "kind",
              SpiffeIdCrd.KIND,
              "metadata",
              Map.of("name", "web", "namespace", "default"),
              "spec",
              Map.of(
                  "parentId",
                  "spiffe://example.org/k8s-workload-registrar/c1/node/n1",
                  "spiffeId",
                  "spiffe://example.org/web",
                  "dnsNames",
                  List.of("web.default.svc", "web"),
                  "selector",
                  Map.of(
                      "namespace", "default",
                      "podUid", "uid-1",
                      "agent_node_uid", "node-uid",
                      "podLabel", Map.of("app", "web"),
                      "arbitrary", List.of("pod-image-count:2"))));
      custom
          .createNamespacedCustomObject(
              SpiffeIdCrd.GROUP, SpiffeIdCrd.VERSION, "default", SpiffeIdCrd.PLURAL, spiffeId)
          .execute();
      PatchUtils.patch(
          Object.class,
          () ->
              custom
                  .patchNamespacedCustomObjectStatus(
                      SpiffeIdCrd.GROUP,
                      SpiffeIdCrd.VERSION,
                      "default",
                      SpiffeIdCrd.PLURAL,
                      "web",
                      new V1Patch("{\"status\":{\"entryId\":\"e-1\"}}"))
                  .buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
          client);

      Gson gson = new Gson();
      JsonObject list =
          gson.toJsonTree(
                  custom
                      .listNamespacedCustomObject(
                          SpiffeIdCrd.GROUP, SpiffeIdCrd.VERSION, "default", SpiffeIdCrd.PLURAL)
                      .execute())
              .getAsJsonObject();
      assertThat(list.get("kind").getAsString()).isEqualTo(SpiffeIdCrd.LIST_KIND);
      assertThat(list.getAsJsonArray("items")).hasSize(1);

      SpiffeIdResource view =
          new ObjectViews(ObjectViews.Strictness.STRICT, "")
              .spiffeId(list.getAsJsonArray("items").get(0).getAsJsonObject());
      assertThat(view.namespace()).isEqualTo("default");
      assertThat(view.name()).isEqualTo("web");
      assertThat(view.entryId()).isEqualTo("e-1");
      assertThat(view.spec().dnsNames()).containsExactly("web.default.svc", "web");
      assertThat(view.spec().selector().agentNodeUid()).isEqualTo("node-uid");
      assertThat(view.spec().selector().podLabel()).containsEntry("app", "web");
      assertThat(view.spec().selector().arbitrary()).containsExactly("pod-image-count:2");
    }
  }

  static List<String> fields(JsonNode schema) {
    List<String> out = new ArrayList<>();
    schema.path("properties").fieldNames().forEachRemaining(out::add);
    return out;
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static String type(JsonNode schema, String field) {
    return schema.path("properties").path(field).path("type").asText();
  }
}
