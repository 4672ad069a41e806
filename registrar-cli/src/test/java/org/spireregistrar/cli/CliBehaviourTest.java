package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            "node spec not an object",
            "kind: Node\nmetadata: {name: n}\nspec: hello\n",
            "Node n: spec must be an object, got string"),
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

  // --- plan reads what kubectl writes (hardening items 10, 11, 16) ---

  /** {@code kubectl get pods -A -o json} of {@code n} pods (about 1.6 KB each), kind last. */
  private static String kubectlPods(int n) {
    StringBuilder b = new StringBuilder("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
    for (int i = 0; i < n; i++) {
      b.append(
          """
                  {
                      "apiVersion": "v1",
                      "kind": "Pod",
                      "metadata": {
                          "creationTimestamp": "2024-01-01T00:00:00Z",
                          "labels": {"app": "app-%1$d", "pod-template-hash": "7d9f8c6b5"},
                          "name": "app-%1$d-7d9f8c6b5-x%2$05d",
                          "namespace": "team-%3$d",
                          "ownerReferences": [{"apiVersion": "apps/v1", "controller": true,
                              "kind": "ReplicaSet", "name": "app-%1$d-7d9f8c6b5", "uid": "r-%2$d"}],
                          "resourceVersion": "%2$d",
                          "uid": "00000000-0000-4000-8000-%2$012d"
                      },
                      "spec": {
                          "containers": [{"image": "registry.example.com/app:1.2.3", "name": "app",
                              "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                              "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                  "name": "kube-api-access", "readOnly": true}]}],
                          "nodeName": "node-%4$d",
                          "serviceAccountName": "sa-%1$d",
                          "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready",
                              "operator": "Exists", "tolerationSeconds": 300}]
                      },
                      "status": {
                          "conditions": [{"lastProbeTime": null, "status": "True", "type": "Ready"}],
                          "containerStatuses": [{"containerID": "containerd://%2$064d",
                              "image": "registry.example.com/app:1.2.3", "imageID": "sha256:%2$064d",
                              "name": "app", "ready": true, "restartCount": 0, "started": true,
                              "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}}}],
                          "phase": "Running",
                          "podIP": "10.0.%5$d.%6$d"
                      }
                  }"""
              .formatted(i % 50, i, i % 10, i % 20, i / 256 % 256, i % 256));
      b.append(i < n - 1 ? ",\n" : "\n");
    }
    return b.append(
            "    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n")
        .toString();
  }

  @Test
  void planReadsKubectlGetPodsJsonOfFiveMebibytes() throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    String json = kubectlPods(3300);
    assertThat(json.length()).isGreaterThan(5 << 20);
    Path pods = write("pods.json", json);

    CliRun run =
        CliRun.of("plan", "-config", conf.toString(), "-f", pods.toString(), "-o", "table");

    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out().lines().filter(l -> l.contains("k8s:pod-name:"))).hasSize(3300);
    assertThat(run.out()).contains("spiffe://example.org/ns/team-9/sa/sa-49");
  }

  record Unreadable(String name, byte[] content, String expectedErr) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Unreadable> unreadableManifests() {
    return Stream.of(
        new Unreadable(
            "not UTF-8",
            "kind: Node\nmetadata: {name: caf\u00e9}\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
            "objs.yaml: not UTF-8 text: invalid byte 0xE9 (line 2, column 21); save the file as"
                + " UTF-8"),
        new Unreadable(
            "undefined alias",
            bytes("kind: Node\nmetadata: {name: *node}\n"),
            "objs.yaml: document 0: undefined alias \"*node\" (no \"&node\" before it) (line 2,"
                + " column 18)"),
        new Unreadable(
            "NUL byte",
            bytes("kind: Node\nmetadata:\n  name: n\n  uid: \"a\0\"\n"),
            "objs.yaml: document 0: character U+0000 (NUL) is not allowed in YAML (line 4,"
                + " column 10)"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadableManifests")
  void planNamesWhatIsWrongWithAFileAndWhere(Unreadable c) throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    Path objects = dir.resolve("objs.yaml");
    Files.write(objects, c.content());

    CliRun run = CliRun.of("plan", "-config", conf.toString(), "-f", objects.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: " + dir.resolve(c.expectedErr()) + "\n");
  }

  @Test
  void planKeepsTheOrderOfTheFederatesWithAnnotation() throws IOException {
    Path conf = write("r.conf", RECONCILE_CONF);
    Path pod =
        write(
            "pod.yaml",
            """
            kind: Pod
            metadata:
              name: p
              namespace: ns
              annotations: {spiffe.io/federatesWith: "z.example, a.example, z.example"}
            spec: {nodeName: n1}
            """);

    CliRun run = CliRun.of("plan", "-config", conf.toString(), "-f", pod.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("\"federates_with\" : [\n        \"z.example\",\n        \"a.example\"\n      ]");
  }

  // --- no stack trace from any command, for any input (hardening item 12) ---

  record Hostile(String name, String command) {
    @Override
    public String toString() {
      return name + " as " + command;
    }
  }

  /** Inputs no file should be: each is given to every command that reads a file. */
  private Path hostile(String name) throws IOException {
    return switch (name) {
      case "/dev/zero" -> Path.of("/dev/zero");
      case "a directory" -> Files.createDirectories(dir.resolve("a-directory.yaml"));
      case "3 MiB of NUL bytes" -> Files.write(dir.resolve("zeros.yaml"), new byte[3 << 20]);
      case "random bytes" -> {
        byte[] b = new byte[1 << 20];
        new java.util.Random(1).nextBytes(b);
        yield Files.write(dir.resolve("random.yaml"), b);
      }
      case "not UTF-8" ->
          Files.write(dir.resolve("latin1.yaml"), new byte[] {'k', ':', ' ', (byte) 0xE9});
      case "deep nesting" -> write("deep.json", "[".repeat(200_000) + "]".repeat(200_000));
      case "one long line" -> write("line.yaml", "a".repeat(2 << 20));
      default -> throw new IllegalArgumentException(name);
    };
  }

  static Stream<Hostile> hostileInputs() {
    List<String> inputs =
        List.of(
            "/dev/zero",
            "a directory",
            "3 MiB of NUL bytes",
            "random bytes",
            "not UTF-8",
            "deep nesting",
            "one long line");
    List<String> commands =
        List.of(
            "run -config",
            "validate -config",
            "plan -config",
            "plan -f",
            "demo -config",
            "demo -f",
            "generate-config -out-dir");
    return commands.stream()
        .flatMap(c -> inputs.stream().map(i -> new Hostile(i, c)))
        .filter(h -> !h.name().equals("/dev/zero") || Files.exists(Path.of("/dev/zero")))
        // A directory is what -f and -out-dir take.
        .filter(h -> !(h.name().equals("a directory") && !h.command().endsWith("-config")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileInputs")
  void noCommandPrintsAStackTraceWhateverItIsGiven(Hostile c) throws IOException {
    Path bad = hostile(c.name());
    Path conf = write("r.conf", RECONCILE_CONF);
    Path good = write("pod.yaml", "kind: Node\nmetadata: {name: n}\n");
    String[] args =
        switch (c.command()) {
          case "run -config" -> new String[] {"-config", bad.toString()};
          case "validate -config" -> new String[] {"validate", "-config", bad.toString()};
          case "plan -config" ->
              new String[] {"plan", "-config", bad.toString(), "-f", good.toString()};
          case "plan -f" -> new String[] {"plan", "-config", conf.toString(), "-f", bad.toString()};
          case "demo -config" ->
              new String[] {"demo", "-config", bad.toString(), "-f", good.toString()};
          case "demo -f" -> new String[] {"demo", "-config", conf.toString(), "-f", bad.toString()};
          case "generate-config -out-dir" ->
              new String[] {"generate-config", "-out-dir", bad.resolve("sub").toString()};
          default -> throw new IllegalArgumentException(c.command());
        };

    CliRun run = CliRun.of(args);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: ").doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(run.err().lines()).as("one line").hasSize(1);
    assertThat(run.err().length()).as("a short message").isLessThan(500);
  }

  @Test
  void anOutOfMemoryErrorIsOneLineAndExitOne() {
    picocli.CommandLine cl = Main.commandLine();
    cl.addSubcommand("oom", new OutOfMemory());
    java.io.StringWriter err = new java.io.StringWriter();
    cl.setErr(new java.io.PrintWriter(err, true));

    int code = cl.execute("oom");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "error: out of memory (Java heap space); give the JVM more heap (-Xmx) or the"
                + " command smaller input\n");
  }

  @picocli.CommandLine.Command(name = "oom")
  static final class OutOfMemory implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }
}
