package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CliBehaviourTest {

  private static final String RECONCILE_CONF =
      """
      trust_domain = "example.org"
      server_socket_path = "/tmp/api.sock"
      cluster = "c1"
      mode = "reconcile"
      """;

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void missingConfigFileIsAnErrorNamingThePath() {
    CliRun run = CliRun.of("validate", "-config", dir.resolve("nope.conf").toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: ").contains("nope.conf").doesNotContain("\tat ");
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun run = CliRun.of("validate", "--frobnicate");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--frobnicate");
  }

  @Test
  void crdModeNeedsItsNamespaceAsUpstreamDoes() throws IOException {
    // No MY_POD_NAMESPACE in the test's environment and no service-account file on this machine.
    Path conf = write("c.conf", RECONCILE_CONF.replace("\"reconcile\"", "\"crd\""));
    CliRun run = CliRun.of("-config", conf.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains(
            "error: unable to get MY_POD_NAMESPACE; ensure downward API is configured for this pod")
        .doesNotContain("\tat ");
  }

  @Test
  void versionPrintsAndExitsZero() {
    CliRun run = CliRun.of("-version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("k8s-workload-registrar ");
  }

  @Test
  void planOfAnEmptyDirectoryPrintsNoEntries() throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    Path empty = Files.createDirectory(dir.resolve("empty"));
    CliRun run = CliRun.of("plan", "-config", conf.toString(), "-f", empty.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo("{\n  \"entries\" : [ ]\n}\n");
  }

  @Test
  void planReadsJsonAndKindList() throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    Path objects =
        write(
            "objs.json",
            """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","uid":"u1"}},
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},
               "spec":{"serviceAccountName":"sa","nodeName":"n1"}}]}
            """);
    CliRun run = CliRun.of("plan", "-config", conf.toString(), "-f", objects.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("\"spiffe_id\" : \"spiffe://example.org/ns/ns/sa/sa\"")
        .contains("\"parent_id\" : \"spiffe://example.org/spire-k8s-registrar/c1/node/n1\"")
        .contains("\"spiffe_id\" : \"spiffe://example.org/spire-k8s-registrar/c1/node/n1\"");
  }

  record BadObjects(String name, String yaml, String expectedErr) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<BadObjects> badManifests() {
    return Stream.of(
        new BadObjects("unclosed flow map", "kind: Pod\nmetadata: {name: a\n", "document 0"),
        new BadObjects("tab indentation", "kind: Pod\nmetadata:\n\tname: a\n", "document 0"),
        new BadObjects(
            "second document broken",
            "kind: Node\nmetadata: {name: n}\n---\nkind: [\n",
            "document 1"),
        new BadObjects("scalar document", "just a string\n", "expected a Kubernetes object"),
        new BadObjects("list document", "- a\n- b\n", "expected a Kubernetes object"),
        new BadObjects("no kind", "metadata: {name: a}\n", "object has no kind"),
        new BadObjects("List without items", "kind: List\n", "has no items array"),
        new BadObjects("List item not an object", "kind: List\nitems: [1]\n", "item 0"),
        new BadObjects("truncated json", "{\"kind\": \"Pod\", \"metadata\": {", "document 0"),
        new BadObjects("duplicate key", "kind: Pod\nkind: Node\n", "document 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badManifests")
  void unreadableManifestIsAClearErrorNamingFileAndDocument(BadObjects c) throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    Path objects = write("bad.yaml", c.yaml());
    CliRun run = CliRun.of("plan", "-config", conf.toString(), "-f", objects.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("error: ")
        .contains("bad.yaml")
        .contains(c.expectedErr())
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
    assertThat(run.out()).isEmpty();
  }

  static Stream<BadObjects> rejectedObjects() {
    return Stream.of(
        new BadObjects(
            "pod without name",
            "kind: Pod\nmetadata: {namespace: ns}\nspec: {nodeName: n}\n",
            "Pod ns/<unnamed>: metadata.name is required"),
        new BadObjects(
            "numeric label value",
            "kind: Pod\nmetadata: {name: p, namespace: ns, labels: {v: 1}}\n",
            "Pod ns/p: metadata.labels[\"v\"] must be a string, got number 1"),
        new BadObjects(
            "labels not a map",
            "kind: Pod\nmetadata: {name: p, namespace: ns, labels: [a]}\n",
            "Pod ns/p: metadata.labels must be a map of strings, got list"),
        new BadObjects(
            "nodeName not a string",
            "kind: Pod\nmetadata: {name: p, namespace: ns}\nspec: {nodeName: [x]}\n",
            "Pod ns/p: spec.nodeName must be a string, got list"),
        new BadObjects(
            "node without metadata", "kind: Node\n", "Node <unnamed>: metadata is required"),
        new BadObjects(
            "endpoints subsets not a list",
            "kind: Endpoints\nmetadata: {name: e, namespace: ns}\nsubsets: {a: 1}\n",
            "Endpoints ns/e: subsets must be a list"),
        new BadObjects(
            "endpoints address ip not a string",
            "kind: Endpoints\nmetadata: {name: e, namespace: ns}\nsubsets: [{addresses: [{ip: 5}]}]\n",
            "Endpoints ns/e: subsets[0].addresses[0].ip must be a string, got number"),
        new BadObjects(
            "spiffeid without spec",
            "apiVersion: spiffeid.spiffe.io/v1beta1\nkind: SpiffeID\nmetadata: {name: s, namespace: ns}\n",
            "SpiffeID ns/s: spec is required"),
        new BadObjects(
            "spiffeid downstream not a bool",
            "apiVersion: spiffeid.spiffe.io/v1beta1\nkind: SpiffeID\n"
                + "metadata: {name: s, namespace: ns}\nspec: {downstream: yes please}\n",
            "SpiffeID ns/s: spec.downstream must be a boolean"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedObjects")
  void malformedObjectIsRejectedByNameAndOthersStillPlanned(BadObjects c) throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    Path objects = write("objs.yaml", c.yaml() + "---\nkind: Node\nmetadata: {name: good-node}\n");
    CliRun run = CliRun.of("plan", "-config", conf.toString(), "-f", objects.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains(c.expectedErr()).doesNotContain("\tat ");
    assertThat(run.out()).contains("node/good-node");
  }

  @Test
  void otherKindsAreSkippedWithAWarning() throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    Path objects = write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
    CliRun run = CliRun.of("plan", "-config", conf.toString(), "-f", objects.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).contains("warning: ").contains("skipping object of kind Service");
  }

  @Test
  void missingObjectsPathIsAnError() throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    CliRun run =
        CliRun.of("plan", "-config", conf.toString(), "-f", dir.resolve("missing").toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: ").contains("missing: no such file or directory");
  }
}
