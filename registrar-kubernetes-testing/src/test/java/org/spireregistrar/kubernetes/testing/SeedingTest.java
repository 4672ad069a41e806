package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeding state from YAML, maps and model objects, and pointing clients at the stand-in. */
class SeedingTest {
  @TempDir Path dir;
  private KubernetesApiStandIn standIn;

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  @Test
  void loadsMultiDocumentYamlKeepingStatusAndRoutingByKind() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("cluster.yaml"),
            """
            apiVersion: v1
            kind: Node
            metadata: {name: node-1}
            ---
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-0
              resourceVersion: "99"
            spec: {nodeName: node-1, containers: [{name: c, image: nginx}]}
            status: {phase: Running, podIP: 10.0.0.5}
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Endpoints
              metadata: {name: web, namespace: prod}
              subsets: [{addresses: [{ip: 10.0.0.5}]}]
            """);

    List<ObjectNode> stored = standIn.load(file);

    assertThat(stored)
        .extracting(o -> o.get("kind").asText())
        .containsExactly("Node", "Pod", "Endpoints");
    ObjectNode pod = standIn.get("/api/v1/namespaces/default/pods/web-0").orElseThrow();
    assertThat(pod.at("/status/podIP").asText()).isEqualTo("10.0.0.5");
    assertThat(pod.at("/metadata/resourceVersion").asText()).isNotEqualTo("99");
    assertThat(standIn.get("/api/v1/namespaces/prod/endpoints/web")).isPresent();
  }

  @Test
  void loadsADirectoryInPathOrderSoACrdServesTheObjectsAfterIt() throws IOException {
    Files.createDirectories(dir.resolve("b"));
    Files.writeString(
        dir.resolve("a-crd.yaml"),
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: gadgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {kind: Gadget, plural: gadgets}
          versions: [{name: v1, served: true, storage: true, subresources: {status: {}}}]
        """);
    Files.writeString(
        dir.resolve("b/gadget.yml"),
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: x}\n");
    Files.writeString(dir.resolve("notes.txt"), "not a manifest");

    assertThat(standIn.load(dir)).hasSize(2);
    assertThat(standIn.resourceType("example.com/v1", "Gadget").orElseThrow().statusSubresource())
        .isTrue();
    assertThat(standIn.list("/apis/example.com/v1/gadgets")).hasSize(1);
  }

  @Test
  void unknownKindNamesTheFileDocumentAndKind() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("bad.yaml"),
            "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n---\napiVersion: v9\nkind: Thing\n");

    assertThatThrownBy(() -> standIn.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            file
                + ": document 2: create: no resource type is served for apiVersion \"v9\" and kind"
                + " \"Thing\"");
  }

  @Test
  void duplicateInAFileNamesTheFileAndDocument() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("dup.yaml"),
            "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n---\napiVersion: v1\nkind: Node\n"
                + "metadata: {name: n}\n");

    assertThatThrownBy(() -> standIn.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": document 2: nodes \"n\" already exists");
  }

  @Test
  void kubeconfigPointsClientJavaAtTheStandIn() throws IOException, ApiException {
    standIn.create("/api/v1/namespaces/default/pods", Map.of("metadata", Map.of("name", "web-0")));
    Path kubeconfig = standIn.writeKubeconfig(dir.resolve("sub/kubeconfig"));

    ApiClient client = Config.fromConfig(kubeconfig.toString());

    assertThat(client.getBasePath()).isEqualTo(standIn.url());
    assertThat(new CoreV1Api(client).listNamespacedPod("default").execute().getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("web-0");
  }

  @Test
  void seedsFromClientJavaModelsAndPatchesStatusLikeAController() {
    standIn.create(
        "/api/v1/namespaces/default/pods",
        new V1Pod().metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("web-0")));

    ObjectNode patched =
        standIn.patch(
            "/api/v1/namespaces/default/pods/web-0",
            Map.of(
                "status",
                Map.of("phase", "Running"),
                "metadata",
                Map.of("labels", Map.of("a", "b"))));

    assertThat(patched.at("/status/phase").asText()).isEqualTo("Running");
    assertThat(patched.at("/metadata/labels/a").asText()).isEqualTo("b");
    assertThat(standIn.delete("/api/v1/namespaces/default/pods/web-0")).isTrue();
    assertThat(standIn.delete("/api/v1/namespaces/default/pods/web-0")).isFalse();
  }

  @Test
  void helperPathsMustNameACollectionOrAnObject() {
    assertThatThrownBy(() -> standIn.create("/api/v1/namespaces/default/pods/web-0", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "create: \"/api/v1/namespaces/default/pods/web-0\" is an object path, not a collection"
                + " path");
    assertThatThrownBy(() -> standIn.get("/api/v1/widgets/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "\"/api/v1/widgets/x\" names no served resource: the server could not find the"
                + " requested resource");
  }

  @Test
  void portMustBeInRange() {
    assertThatThrownBy(() -> KubernetesApiStandIn.start(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port 70000 is not in 0..65535");
  }
}
