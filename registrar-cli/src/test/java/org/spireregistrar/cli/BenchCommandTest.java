package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class BenchCommandTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = new CommandLine(new BenchCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }

  @Test
  void jsonHasEveryScenarioStrategyRatioAndTarget() throws Exception {
    Run run =
        run(
            "--source",
            "memory",
            "--pods",
            "30",
            "--nodes",
            "2",
            "--rpc-latency",
            "0",
            "--churn-rate",
            "40",
            "--duration",
            "500ms",
            "--baseline-interval",
            "200ms",
            "--no-warmup",
            "-o",
            "json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(run.out());

    assertThat(root.path("settings").path("pods").asInt()).isEqualTo(30);
    assertThat(root.path("settings").path("source").asText()).isEqualTo("memory");
    assertThat(root.path("settings").path("seed").asLong()).isEqualTo(1);
    JsonNode scenarios = root.path("scenarios");
    assertThat(texts(scenarios, "name")).containsExactly("cold", "steady", "churn", "heap");
    for (JsonNode s : scenarios) {
      String name = s.path("name").asText();
      assertThat(texts(s.path("results"), "strategy"))
          .as(name)
          .containsExactly("registrar", "original", "scm");
      assertThat(s.path("ratios").has("original")).as(name).isTrue();
      assertThat(s.path("ratios").has("scm")).as(name).isTrue();
      assertThat(s.path("targets").size()).as(name).isPositive();
      for (JsonNode t : s.path("targets")) {
        assertThat(t.has("bar") && t.has("limit") && t.has("measured") && t.path("met").isBoolean())
            .as(name + " target " + t)
            .isTrue();
      }
      for (JsonNode r : s.path("results")) {
        String label = name + "/" + r.path("strategy").asText();
        if (name.equals("heap")) {
          assertThat(r.path("heap_mib").isNumber()).as(label).isTrue();
          assertThat(r.path("pods_tracked").asInt()).as(label).isPositive();
          continue;
        }
        assertThat(r.path("wall_ms").isNumber()).as(label).isTrue();
        assertThat(r.path("cpu_ms").isNumber()).as(label).isTrue();
        assertThat(r.path("rpcs_total").asLong()).as(label).isPositive();
        assertThat(r.path("rpcs").isObject()).as(label).isTrue();
        assertThat(r.path("write_rpcs").isIntegralNumber()).as(label).isTrue();
        assertThat(r.path("entries_written").isIntegralNumber()).as(label).isTrue();
        if (!name.equals("steady")) {
          assertThat(r.path("converged").asBoolean()).as(label).isTrue();
          assertThat(r.path("latency_p99_ms").isNumber()).as(label).isTrue();
          assertThat(r.path("latency_samples").asInt()).as(label).isPositive();
        }
      }
    }
    JsonNode coldResults = scenarios.get(0).path("results");
    for (JsonNode r : coldResults) {
      assertThat(r.path("entries_written").asLong()).isEqualTo(32);
    }
    JsonNode steady = scenarios.get(1).path("results");
    for (JsonNode r : steady) {
      assertThat(r.path("write_rpcs").asLong()).isZero();
      assertThat(r.path("rpcs").path("ListEntries").asLong()).isPositive();
    }
  }

  @Test
  void tableShowsEachScenarioWithRatiosAndTargets() {
    Run run =
        run(
            "--source",
            "memory",
            "--pods",
            "20",
            "--nodes",
            "1",
            "--rpc-latency",
            "0",
            "--scenarios",
            "cold,steady",
            "--strategies",
            "registrar,scm",
            "--baseline-interval",
            "200ms",
            "--no-warmup");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "Cold sync: 20 pods on 1 nodes into an empty SPIRE server (--source memory, RPC"
                + " latency 0s)")
        .contains(
            "Steady state: a full resync pass with nothing changed (20 pods; median of 3, after one"
                + " unmeasured)")
        .contains("spire-controller-manager (model)")
        .contains("ratio")
        .contains("target met    cold sync SPIRE RPCs: 2 (<= ceil(21/50) + 1 list page(s) + 5 = 7)")
        .doesNotContain("Churn:")
        .doesNotContain("original (model)");
    assertThat(run.err()).contains("registrar cold sync of 20 pods on 1 nodes");
  }

  /**
   * The production path end to end at a small size: realistic pods in the API stand-in, read
   * through informers by reconcile mode and by both models, written to SPIRE over a Unix socket
   * with a cost per entry. Structure, counts and convergence only: figures belong in the output.
   */
  @Test
  void sourceApiRunsEveryStrategyThroughInformersAndConverges() throws Exception {
    Run run =
        run(
            "--pods",
            "200",
            "--nodes",
            "4",
            "--rpc-latency",
            "0",
            "--rpc-cost-per-entry",
            "10us",
            "--churn-rate",
            "50",
            "--duration",
            "1s",
            "--baseline-interval",
            "300ms",
            "--no-warmup",
            "-o",
            "json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(run.out());
    assertThat(root.path("settings").path("source").asText()).isEqualTo("api");
    assertThat(root.path("settings").path("rpc_cost_per_entry_ms").asDouble()).isEqualTo(0.01);
    assertThat(run.err()).contains("registrar seeding the API server: 200 pods on 4 nodes");
    JsonNode scenarios = root.path("scenarios");
    assertThat(texts(scenarios, "name")).containsExactly("cold", "steady", "churn", "heap");
    for (JsonNode r : scenarios.get(0).path("results")) {
      String label = "cold/" + r.path("strategy").asText();
      assertThat(r.path("converged").asBoolean()).as(label).isTrue();
      assertThat(r.path("entries_written").asLong()).as(label).isEqualTo(204);
      assertThat(r.path("latency_samples").asInt()).as(label).isGreaterThanOrEqualTo(200);
    }
    for (JsonNode r : scenarios.get(1).path("results")) {
      assertThat(r.path("write_rpcs").asLong()).as("steady").isZero();
    }
    for (JsonNode r : scenarios.get(2).path("results")) {
      String label = "churn/" + r.path("strategy").asText();
      assertThat(r.path("events").asInt()).as(label).isEqualTo(50);
      assertThat(r.path("converged").asBoolean()).as(label).isTrue();
      assertThat(r.path("latency_samples").asInt()).as(label).isPositive();
    }
    for (JsonNode r : scenarios.get(3).path("results")) {
      assertThat(r.path("pods_tracked").asInt()).isPositive();
      assertThat(r.path("heap_mib").asDouble()).isPositive();
    }
  }

  @Test
  void checkFailsNamingEachMissedTarget() {
    // 600 ms per RPC: a cold sync needs a list and a create, so it cannot meet 500 ms.
    Run run =
        run(
            "--source",
            "memory",
            "--pods",
            "5",
            "--nodes",
            "1",
            "--rpc-latency",
            "600ms",
            "--scenarios",
            "cold",
            "--strategies",
            "registrar",
            "--no-warmup",
            "--check");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("target MISSED cold sync wall time (--source memory)");
    assertThat(run.err())
        .containsPattern("bench --check: \\d+ targets? missed:")
        .containsPattern(
            "\n  cold: cold sync wall time \\(--source memory\\): [0-9.]+ s, target <= 500 ms"
                + " \\(500 ms per 10,000 pods\\)\n");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          unknown scenario  | --scenarios=cold,warm | unknown scenario "warm"; valid scenarios are cold, steady, churn and heap
          unknown strategy  | --strategies=ours     | unknown strategy "ours"; valid strategies are registrar, original and scm
          unknown format    | -o=yaml               | invalid output format "yaml"; valid formats are table and json
          bad duration      | --duration=ten        | time: invalid duration "ten"
          no pods           | --pods=0              | --pods must be at least 1: 0
          unknown source    | --source=etcd         | unknown source "etcd"; valid sources are api and memory
          negative cost     | --rpc-cost-per-entry=-1ms | --rpc-cost-per-entry must not be negative: PT-0.001S
          """)
  void badOptionsAreUsageErrors(String name, String option, String message) {
    Run run = run(option);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(message).doesNotContain("\tat ");
  }
}
