package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CLI's output for the examples and every --help, against golden files. */
class GoldenOutputTest {

  record Case(String golden, int exitCode, String[] args) {
    @Override
    public String toString() {
      return golden;
    }
  }

  private static final String CLUSTER = "../examples/cluster";

  /** The original's crd quick start, with its add_svc_dns_names typo. */
  private static final String QUICK_START =
      "src/test/resources/configs/upstream-crd-quick-start.conf";

  static Stream<Case> cases() {
    return Stream.of(
        new Case("help-root.txt", 0, new String[] {"--help"}),
        new Case("help-validate.txt", 0, new String[] {"validate", "--help"}),
        new Case("help-plan.txt", 0, new String[] {"plan", "--help"}),
        new Case("help-demo.txt", 0, new String[] {"demo", "--help"}),
        new Case("help-bench.txt", 0, new String[] {"bench", "--help"}),
        new Case("help-generate-config.txt", 0, new String[] {"generate-config", "--help"}),
        new Case(
            "validate-webhook.txt",
            0,
            new String[] {"validate", "-config", "../examples/webhook/registrar.conf"}),
        new Case(
            "validate-reconcile.txt",
            0,
            new String[] {"validate", "-config", "../examples/reconcile/registrar.conf"}),
        new Case(
            "validate-crd.txt",
            0,
            new String[] {"validate", "-config", "../examples/crd/registrar.conf"}),
        new Case(
            "validate-upstream-crd-quick-start.txt",
            0,
            new String[] {"validate", "-config", QUICK_START}),
        new Case(
            "validate-strict-upstream-crd-quick-start.txt",
            1,
            new String[] {"validate", "--strict", "-config", QUICK_START}),
        new Case(
            "validate-strict-crd.txt",
            0,
            new String[] {"validate", "--strict", "-config", "../examples/crd/registrar.conf"}),
        new Case(
            "plan-webhook-json.txt",
            1,
            new String[] {"plan", "-config", "../examples/webhook/registrar.conf", "-f", CLUSTER}),
        new Case(
            "plan-reconcile-json.txt",
            0,
            new String[] {
              "plan", "-config", "../examples/reconcile/registrar.conf", "-f", CLUSTER
            }),
        new Case(
            "plan-crd-json.txt",
            0,
            new String[] {"plan", "-config", "../examples/crd/registrar.conf", "-f", CLUSTER}),
        new Case(
            "plan-reconcile-table.txt",
            0,
            new String[] {
              "plan",
              "-config",
              "../examples/reconcile/registrar.conf",
              "-f",
              CLUSTER,
              "-o",
              "table"
            }),
        new Case(
            "plan-crd-table.txt",
            0,
            new String[] {
              "plan", "-config", "../examples/crd/registrar.conf", "-f", CLUSTER, "-o", "table"
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesGoldenFile(Case c) {
    CliRun run = CliRun.of(c.args());
    Golden.assertMatches(
        c.golden(),
        "exit: " + run.exitCode() + "\n--- stdout\n" + run.out() + "--- stderr\n" + run.err());
    assertThat(run.exitCode()).isEqualTo(c.exitCode());
  }
}
