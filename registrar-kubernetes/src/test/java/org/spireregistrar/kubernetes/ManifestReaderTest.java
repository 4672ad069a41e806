package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
          """)
  void anUnreadableFileIsAnErrorNamingFileAndDocument(String name, String yaml, String message)
      throws IOException {
    Path f = write("bad.yaml", yaml.replace("\\n", "\n"));
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
}
