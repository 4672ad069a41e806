package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo end to end, in-process: real gRPC over a Unix socket, real HTTP watches. */
class DemoCommandTest {

  @Test
  void runsTheScriptedChurnAndConverges() {
    CliRun run =
        CliRun.of(
            "demo",
            "-config",
            "../examples/reconcile/registrar.conf",
            "-f",
            "../examples/cluster",
            "--pods",
            "50");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("converged (initial sync)")
        .contains("+ created  spiffe://example.org/ns/shop/sa/api  (pod shop/api-0)")
        .contains("~ updated  spiffe://example.org/ns/shop/sa/api  (pod shop/api-0)")
        .contains("- deleted  spiffe://example.org/ns/shop/sa/api  (pod shop/api-0)")
        .contains("pod created -> entry in SPIRE, 50 pods")
        .contains("converged (scale down)")
        // The terminating pod and the unscheduled pod have no entry; the rest do.
        .doesNotContain("pod-name:old-web-1")
        .doesNotContain("pod-name:pending-0")
        .contains("k8s:ns:shop,k8s:pod-name:web-0")
        .contains("7 entries");
  }

  @Test
  void refusesAConfigurationOfAnotherMode() {
    CliRun run = CliRun.of("demo", "-config", "../examples/webhook/registrar.conf");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("the demo runs reconcile mode, but the configuration names mode \"webhook\"");
  }
}
