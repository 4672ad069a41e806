package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

class ManifestReaderTest {

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  @Test
  void readsMultiDocumentYamlListsAndJson() throws IOException {
    Path yaml =
        write(
            "objs.yaml",
            """
            apiVersion: v1
            kind: Node
            metadata: {name: n1, uid: u1}
            ---
            ---
            apiVersion: v1
            kind: PodList
            items:
              - kind: Pod
                metadata: {name: p1, namespace: ns}
                spec: {serviceAccountName: sa, nodeName: n1}
              - kind: Pod
                metadata: {name: p2}
            ---
            """);
    Path json =
        write(
            "objs.json",
            """
            {"kind":"List","items":[
              {"kind":"Endpoints","metadata":{"name":"svc","namespace":"ns"},
               "subsets":[{"addresses":[{"ip":"10.0.0.1"}]}]},
              {"apiVersion":"spiffeid.spiffe.io/v1beta1","kind":"SpiffeID",
               "metadata":{"name":"s","namespace":"ns"},"spec":{"spiffeId":"spiffe://td/s"}}]}
            """);
    ManifestReader.Result r = ManifestReader.read(List.of(yaml, json));
    assertThat(r.warnings()).isEmpty();
    assertThat(r.rejected()).isEmpty();
    assertThat(r.objects().nodes()).containsExactly(new NodeInfo("n1", "u1", java.util.Map.of()));
    assertThat(r.objects().pods())
        .extracting(Workload::ref, Workload::serviceAccount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ns/p1", "sa"),
            // as kubectl and the API server: namespace "default", service account "default"
            org.assertj.core.groups.Tuple.tuple("default/p2", "default"));
    assertThat(r.objects().endpoints())
        .singleElement()
        .satisfies(e -> assertThat(e.ready()).hasSize(1));
    assertThat(r.objects().spiffeIds())
        .singleElement()
        .satisfies(s -> assertThat(s.spec().spiffeId()).isEqualTo("spiffe://td/s"));
  }

  @Test
  void readsTheManifestFilesOfADirectoryTreeInPathOrder() throws IOException {
    write("b.yml", "kind: Node\nmetadata: {name: b}\n");
    write("a/z.json", "{\"kind\":\"Node\",\"metadata\":{\"name\":\"az\"}}");
    write("c.YAML", "kind: Node\nmetadata: {name: c}\n");
    write("notes.txt", "kind: Node\nmetadata: {name: not-read}\n");
    ManifestReader.Result r = ManifestReader.read(List.of(dir));
    assertThat(r.objects().nodes()).extracting(NodeInfo::name).containsExactly("az", "b", "c");
  }

  @Test
  void skipsOtherKindsAndUnknownSpiffeIdVersionsWithAWarning() throws IOException {
    Path f =
        write(
            "other.yaml",
            """
            kind: Service
            metadata: {name: s}
            ---
            apiVersion: spiffeid.spiffe.io/v2
            kind: SpiffeID
            metadata: {name: s, namespace: ns}
            """);
    ManifestReader.Result r = ManifestReader.read(List.of(f));
    assertThat(r.warnings())
        .containsExactly(
            f + ": document 0: skipping object of kind Service",
            f
                + ": document 1: skipping SpiffeID of apiVersion \"spiffeid.spiffe.io/v2\" (only"
                + " spiffeid.spiffe.io/v1beta1 is known)");
    assertThat(r.objects().spiffeIds()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          node without metadata  | kind: Node                                          | Node <unnamed>: metadata is required
          pod metadata a list    | 'kind: Pod\\nmetadata: [a]'                          | Pod default/<unnamed>: metadata is required
          pod without name       | 'kind: Pod\\nmetadata: {namespace: ns}'              | Pod ns/<unnamed>: metadata.name is required
          pod name a number      | 'kind: Pod\\nmetadata: {name: 5, namespace: ns}'     | Pod ns/<unnamed>: metadata.name is required
          endpoints without name | 'kind: Endpoints\\nmetadata: {}'                     | Endpoints default/<unnamed>: metadata.name is required
          label value a number   | 'kind: Pod\\nmetadata: {name: p, labels: {v: 1.5}}' | Pod default/p: metadata.labels["v"] must be a string, got number 1.5
          spec not an object     | 'kind: Pod\\nmetadata: {name: p}\\nspec: x'           | Pod default/p: spec must be an object, got string
          """)
  void rejectsObjectsThatCannotBeMappedAndReadsTheRest(String name, String yaml, String message)
      throws IOException {
    Path f =
        write("objs.yaml", yaml.replace("\\n", "\n") + "\n---\nkind: Node\nmetadata: {name: ok}\n");
    ManifestReader.Result r = ManifestReader.read(List.of(f));
    assertThat(r.rejected())
        .extracting(RejectedObjectException::getMessage)
        .containsExactly(message);
    assertThat(r.objects().nodes()).extracting(NodeInfo::name).containsExactly("ok");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          broken second document | 'kind: Node\\nmetadata: {name: n}\\n---\\nkind: [\\n' | : document 1: not valid YAML or JSON:
          duplicate key          | 'kind: Pod\\nkind: Node\\n'                          | : document 0: not valid YAML or JSON: Duplicate field 'kind'
          scalar document        | 'just a string\\n'                                  | : document 0: expected a Kubernetes object, got string
          list of scalars        | '- a\\n- b\\n'                                       | : document 0: expected a Kubernetes object, got string
          no kind                | 'metadata: {name: a}\\n'                            | : document 0: object has no kind
          List without items     | 'kind: List\\n'                                     | : document 0: List has no items array
          List item not object   | 'kind: List\\nitems: [1]\\n'                         | : document 0: item 0: expected a Kubernetes object, got number
          undefined alias        | 'kind: Node\\nmetadata: {name: *nope}\\n'            | : document 0: undefined alias "*nope" (no "&nope" before it) (line 2, column 18)
          alias inside its value | 'kind: Node\\nmetadata: &m {name: n, x: *m}\\n'       | : document 0: alias "*m" is inside the value it refers to (line 2, column 27)
          alias to later anchor  | 'kind: Node\\nx: *m\\nmetadata: &m {name: n}\\n'       | : document 0: undefined alias "*m" (no "&m" before it) (line 2, column 4)
          merge of a string      | 'kind: Node\\nmetadata: {<<: x, name: n}\\n'         | : document 0: merge key "<<" needs a map or a list of maps, got string
          NUL byte in YAML       | 'kind: Node\\nmetadata:\\n  name: n\\n  x: "a\\0b"\\n' | : document 0: character U+0000 (NUL) is not allowed in YAML (line 4, column 8)
          escape char in YAML    | 'kind: Node\\n\\nmetadata: {name: \\u001b}\\n'       | : document 0: character U+001B (a control character) is not allowed in YAML (line 3, column 18)
          kind a number          | 'kind: 5\\nmetadata: {name: n}\\n'                    | : document 0: kind must be a string, got number
          item kind a map        | 'kind: List\\nitems:\\n- kind: {a: b}\\n'             | : document 0: item 0: kind must be a string, got object
          broken JSON            | '{"kind": "Node",\\n "metadata": {"name": "a" "b"}}'  | : document 0: not valid JSON: Unexpected character ('"' (code 34)): was expecting comma to separate Object entries (line 2, column 27)
          NUL byte in JSON       | '{"kind": "Node",\\n "metadata": {"name": "a\\0"}}'  | : document 0: not valid JSON: Illegal unquoted character ((CTRL-CHAR, code 0)): has to be escaped using backslash to be included in string value (line 2, column 25)
          YAML problem and where | 'kind: Node\\nmetadata: {name: a\\n'                 | : document 0: not valid YAML or JSON: expected ',' or '}', but got <stream end> (line 3, column 1), while parsing a flow mapping (line 2, column 11)
          """)
  void anUnreadableFileIsAnErrorNamingFileAndDocument(String name, String yaml, String message)
      throws IOException {
    Path f =
        write(
            "bad.yaml",
            yaml.replace("\\n", "\n").replace("\\0", "\0").replace("\\u001b", "\u001b"));
    assertThatThrownBy(() -> ManifestReader.read(List.of(f)))
        .isInstanceOf(ManifestException.class)
        .hasMessageStartingWith(f + message);
  }

  @Test
  void aMissingPathIsAnErrorNamingIt() {
    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(() -> ManifestReader.read(List.of(missing)))
        .isInstanceOf(ManifestException.class)
        .hasMessage(missing + ": no such file or directory");
  }

  // --- what kubectl writes, at the size of real clusters ---

  @Test
  void readsKubectlGetPodsJsonOfMoreThanFiveMebibytes() throws IOException {
    String json = KubectlOutput.podsJson(1700);
    assertThat(json.length()).as("larger than SnakeYAML's 3 MiB default").isGreaterThan(5 << 20);
    Path f = write("pods.json", json);

    ManifestReader.Result r = ManifestReader.read(List.of(f));

    assertThat(r.warnings()).isEmpty();
    assertThat(r.rejected()).isEmpty();
    assertThat(r.objects().pods()).hasSize(1700);
    Workload last = r.objects().pods().get(1699);
    assertThat(last.ref()).isEqualTo("team-19/app-99-7d9f8c6b5-x01699");
    assertThat(last.serviceAccount()).isEqualTo("sa-99");
    assertThat(last.nodeName()).isEqualTo("node-099");
    assertThat(last.podIp()).isEqualTo("10.0.6.163");
  }

  @Test
  void readsKubectlGetPodsYamlOfMoreThanThreeMebibytes() throws IOException {
    String yaml = KubectlOutput.podsYaml(2000);
    assertThat(yaml.length()).as("larger than SnakeYAML's 3 MiB default").isGreaterThan(3 << 20);
    Path f = write("pods.yaml", yaml);

    ManifestReader.Result r = ManifestReader.read(List.of(f));

    assertThat(r.rejected()).isEmpty();
    assertThat(r.objects().pods()).hasSize(2000);
    assertThat(r.objects().pods().get(1999).ref()).isEqualTo("team-39/app-399-7d9f8c6b5-x01999");
  }

  @Test
  void readsAListWhoseKindComesAfterItsItemsAsKubectlWritesIt() throws IOException {
    Path list =
        write(
            "list.json",
            "{\"items\":[{\"kind\":\"Node\",\"metadata\":{\"name\":\"a\"}}],\"kind\":\"NodeList\"}");
    Path notAList =
        write("thing.json", "{\"items\":[1],\"kind\":\"Thing\",\"metadata\":{\"name\":\"t\"}}");
    Path badItem = write("bad.json", "{\"items\":[{\"kind\":\"Node\"}, 1],\"kind\":\"List\"}");

    ManifestReader.Result r = ManifestReader.read(List.of(list, notAList));

    assertThat(r.objects().nodes()).extracting(NodeInfo::name).containsExactly("a");
    assertThat(r.warnings())
        .containsExactly(notAList + ": document 0: skipping object of kind Thing");
    assertThatThrownBy(() -> ManifestReader.read(List.of(badItem)))
        .isInstanceOf(ManifestException.class)
        .hasMessage(badItem + ": document 0: item 1: expected a Kubernetes object, got number");
  }

  @Test
  void resolvesAnchorsAliasesAndMergeKeys() throws IOException {
    Path f =
        write(
            "anchors.yaml",
            """
            apiVersion: v1
            kind: List
            items:
            - kind: Pod
              metadata:
                name: web-0
                namespace: &ns shop
                labels: &labels {app: web, tier: front}
                annotations:
                  spiffe.io/federatesWith: &partner partner.example
              spec: &spec {serviceAccountName: web, nodeName: n1}
            - kind: Pod
              metadata:
                name: web-1
                namespace: *ns
                labels:
                  <<: *labels
                  tier: back
                annotations: {spiffe.io/federatesWith: *partner}
              spec:
                <<: [{hostname: h, nodeName: first}, *spec]
                nodeName: n2
            """);

    ManifestReader.Result r = ManifestReader.read(List.of(f));

    assertThat(r.rejected()).isEmpty();
    Workload web1 = r.objects().pods().get(1);
    assertThat(web1.ref()).isEqualTo("shop/web-1");
    assertThat(web1.labels()).isEqualTo(Map.of("app", "web", "tier", "back"));
    assertThat(web1.annotations()).containsEntry("spiffe.io/federatesWith", "partner.example");
    assertThat(web1.serviceAccount()).isEqualTo("web");
    assertThat(web1.nodeName()).as("the mapping's own key wins").isEqualTo("n2");
    assertThat(web1.hostname()).isEqualTo("h");
  }

  @Test
  void refusesExcessiveAliasingAsKubectlDoes() throws IOException {
    StringBuilder laughs = new StringBuilder("kind: Node\nmetadata: {name: n}\nl0: &l0 [lol");
    laughs.append(", lol".repeat(9)).append("]\n");
    for (int level = 1; level <= 9; level++) {
      laughs.append("l").append(level).append(": &l").append(level).append(" [");
      laughs.append(String.join(", ", java.util.Collections.nCopies(10, "*l" + (level - 1))));
      laughs.append("]\n");
    }
    Path f = write("laughs.yaml", laughs.toString());

    assertThatThrownBy(() -> ManifestReader.read(List.of(f)))
        .isInstanceOf(ManifestException.class)
        .hasMessageStartingWith(f + ": document 0: document contains excessive aliasing (");
  }

  @Test
  void skipsEmptyDocuments() throws IOException {
    Path onlySeparators = write("empty.yaml", "---\n---");
    Path between =
        write("between.yaml", "---\n---\n# nothing\n---\nkind: Node\nmetadata: {name: n}\n---\n");

    ManifestReader.Result r = ManifestReader.read(List.of(onlySeparators, between));

    assertThat(r.objects().nodes()).extracting(NodeInfo::name).containsExactly("n");
  }

  @Test
  void readsYamlFlowStyleThatStartsLikeJson() throws IOException {
    Path flow = write("flow.yaml", "{kind: Node, metadata: {name: a}}\n");
    Path jsonDocuments =
        write(
            "docs.yaml",
            "{\"kind\":\"Node\",\"metadata\":{\"name\":\"b\"}}\n---\n"
                + "{\"kind\":\"Node\",\"metadata\":{\"name\":\"c\"}}\n");

    ManifestReader.Result r = ManifestReader.read(List.of(flow, jsonDocuments));

    assertThat(r.objects().nodes()).extracting(NodeInfo::name).containsExactly("a", "b", "c");
  }

  @Test
  void namesAnInvalidUtf8ByteWithItsLineAndColumn() throws IOException {
    Path f = dir.resolve("latin1.yaml");
    Files.write(
        f,
        "kind: Node\nmetadata: {name: n, annotations: {a: caf\u00e9}}\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> ManifestReader.read(List.of(f)))
        .isInstanceOf(ManifestException.class)
        .hasMessage(
            f + ": not UTF-8 text: invalid byte 0xE9 (line 2, column 41); save the file as UTF-8");
  }

  @Test
  void readsALongValueAndRefusesOneOverTheLimit() throws IOException {
    String eight = "x".repeat(8 << 20);
    String seventeen = "x".repeat(17 << 20);
    Path yaml =
        write("long.yaml", "kind: Node\nmetadata:\n  name: n\n  annotations: {a: " + eight + "}\n");
    Path tooLongYaml = write("too-long.yaml", "kind: Node\nmetadata:\n  name: " + seventeen + "\n");
    Path tooLongJson = write("too-long.json", "{\"kind\": \"Node\", \"x\": \"" + seventeen + "\"}");

    assertThat(ManifestReader.read(List.of(yaml)).objects().nodes().get(0).annotations().get("a"))
        .hasSize(8 << 20);
    assertThatThrownBy(() -> ManifestReader.read(List.of(tooLongYaml)))
        .isInstanceOf(ManifestException.class)
        .hasMessage(
            tooLongYaml + ": document 0: a value or line longer than 16 MiB (line 3, column 9)");
    assertThatThrownBy(() -> ManifestReader.read(List.of(tooLongJson)))
        .isInstanceOf(ManifestException.class)
        .hasMessage(tooLongJson + ": document 0: a value longer than 16 MiB (line 1, column 23)");
  }

  @Test
  void refusesNestingDeeperThanTheLimit() throws IOException {
    Path yaml =
        write(
            "deep.yaml",
            "kind: Node\nmetadata: {name: n}\nx: " + "[".repeat(1001) + "]".repeat(1001) + "\n");
    Path json =
        write(
            "deep.json",
            "{\"kind\": \"Node\", \"x\": " + "[".repeat(1001) + "]".repeat(1001) + "}");

    for (Path f : List.of(yaml, json)) {
      assertThatThrownBy(() -> ManifestReader.read(List.of(f)))
          .isInstanceOf(ManifestException.class)
          .hasMessageStartingWith(
              f + ": document 0: maps and lists nested deeper than 1000 levels");
    }
  }

  @Test
  void boundsTheBytesReadFromAnInputWithoutSize() {
    // What /dev/zero or a pipe would be: the limit is counted as bytes arrive.
    java.io.InputStream endless =
        new java.io.InputStream() {
          @Override
          public int read() {
            return 'a';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 'a');
            return len;
          }
        };
    ManifestInput in = new ManifestInput(endless, 1 << 20);
    char[] buf = new char[8192];

    assertThatThrownBy(
            () -> {
              while (in.read(buf, 0, buf.length) >= 0) {
                // keep reading
              }
            })
        .isInstanceOf(ManifestInput.InputFailure.class)
        .hasMessage("larger than 1 MiB, the limit for one file");
  }
}
