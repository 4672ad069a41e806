package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.crd.CrdMode;
import org.spireregistrar.crd.SpiffeIdCrd;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * {@code plan --server} in crd mode agrees with crd mode itself: against the entries crd mode wrote
 * (through the Kubernetes API stand-in and the in-memory SPIRE server) and the cluster's objects as
 * {@code kubectl get} would give them, it plans nothing; with a changed identity template it plans
 * exactly the writes crd mode then makes.
 */
class PlanServerCrdTest {

  private static final String CRD_CONF = "../examples/crd/registrar.conf";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONVERGED = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void plansNothingAfterCrdModeConvergedAndExactlyItsWritesAfterAChange() throws Exception {
    RegistrarConfig loaded = HclConfigLoader.load(Path.of(CRD_CONF));
    Path socket = dir.resolve("api.sock");
    try (InMemorySpireServer spire = DemoCommand.startSpire(loaded, socket);
        KubernetesApiStandIn k8s = KubernetesApiStandIn.start()) {
      k8s.create(new YAMLMapper().readTree(SpiffeIdCrd.manifest()));
      k8s.load(Path.of("../examples/cluster"));

      runCrdMode(loaded, spire, k8s, "eu-de");
      CliRun converged = plan(CRD_CONF, dump(k8s, "converged.json"), socket, "-o", "table");
      assertThat(converged.exitCode()).as(converged.out() + converged.err()).isZero();
      assertThat(converged.out()).contains("0 to create, 0 to update, 0 to delete");

      // A new region in the identity template: every pod's SPIFFE ID changes.
      Path changed = dir.resolve("changed.conf");
      Files.writeString(
          changed,
          Files.readString(Path.of(CRD_CONF)).replace("region = \"eu-de\"", "region = \"eu-fr\""));
      CliRun planned = plan(changed.toString(), dump(k8s, "before.json"), socket, "-o", "json");
      assertThat(planned.exitCode()).as(planned.err()).isEqualTo(3);
      JsonNode summary = JSON.readTree(planned.out()).at("/summary");
      assertThat(summary.at("/update").asInt()).isPositive();

      spire.resetCounters();
      runCrdMode(HclConfigLoader.load(changed), spire, k8s, "eu-fr");
      assertThat(spire.counters().entries("BatchCreateEntry"))
          .isEqualTo(summary.at("/create").asLong());
      assertThat(spire.counters().entries("BatchUpdateEntry"))
          .isEqualTo(summary.at("/update").asLong());
      assertThat(spire.counters().entries("BatchDeleteEntry"))
          .isEqualTo(summary.at("/delete").asLong());

      CliRun after = plan(changed.toString(), dump(k8s, "after.json"), socket);
      assertThat(after.exitCode()).as(after.out() + after.err()).isZero();
    }
  }

  /** Runs crd mode until every pod entry carries {@code region} and nothing is pending. */
  private void runCrdMode(
      RegistrarConfig loaded, InMemorySpireServer spire, KubernetesApiStandIn k8s, String region)
      throws Exception {
    RegistrarConfig config =
        CrdDemo.embedded(loaded, spire.address(), dir.resolve("certs-" + region));
    try (GrpcEntryStore store =
            GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS);
        CrdMode mode = new CrdMode(config, k8s.client(), store, CrdMode.Runtime.of("spire"))) {
      mode.start();
      await()
          .atMost(CONVERGED)
          .until(
              () -> {
                List<Entry> entries = spire.entries();
                boolean pods =
                    entries.stream()
                        .filter(e -> e.spiffeId().path().startsWith("/region/"))
                        .allMatch(e -> e.spiffeId().path().startsWith("/region/" + region + "/"));
                boolean linked =
                    k8s.list("/apis/spiffeid.spiffe.io/v1beta1/spiffeids").stream()
                        .allMatch(s -> !s.at("/status/entryId").asText().isEmpty());
                return entries.size() == 6 && pods && linked && mode.awaitIdle(Duration.ZERO);
              });
    }
  }

  /** The cluster's objects as one {@code kind: List}, as {@code kubectl get … -o json} writes. */
  private Path dump(KubernetesApiStandIn k8s, String name) throws IOException {
    ObjectNode list = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "List");
    ArrayNode items = list.putArray("items");
    add(items, k8s.list("/api/v1/pods"), "v1", "Pod");
    add(items, k8s.list("/api/v1/nodes"), "v1", "Node");
    add(items, k8s.list("/api/v1/endpoints"), "v1", "Endpoints");
    add(
        items,
        k8s.list("/apis/spiffeid.spiffe.io/v1beta1/spiffeids"),
        "spiffeid.spiffe.io/v1beta1",
        "SpiffeID");
    Path file = dir.resolve(name);
    Files.writeString(file, JSON.writeValueAsString(list));
    return file;
  }

  private static void add(ArrayNode items, List<ObjectNode> objects, String version, String kind) {
    for (ObjectNode o : objects) {
      items.add(o.deepCopy().put("apiVersion", version).put("kind", kind));
    }
  }

  private static CliRun plan(String config, Path objects, Path socket, String... more) {
    String[] base = {
      "plan",
      "-config",
      config,
      "-f",
      objects.toString(),
      "--server",
      socket.toString(),
      "--exit-code"
    };
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliRun.of(args);
  }
}
