package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    assertThat(workDirectory(run.out())).doesNotExist();
  }

  static final Pattern SOCKET = Pattern.compile("unix://(\\S+)/api\\.sock");

  static Path workDirectory(String output) {
    Matcher m = SOCKET.matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return Path.of(m.group(1));
  }

  @Test
  void sigtermClosesEverythingAndRemovesTheWorkDirectory() throws Exception {
    Process demo =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "demo",
                "--keep-running",
                "-config",
                "../examples/reconcile/registrar.conf",
                "-f",
                "../examples/cluster")
            .redirectErrorStream(true)
            .start();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
      Path work = null;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (work == null && SOCKET.matcher(line).find()) {
          work = workDirectory(line);
        }
        if (line.contains("serving until Ctrl-C")) {
          break;
        }
      }
      assertThat(work).isNotNull();
      assertThat(work.resolve("kubeconfig")).exists();

      demo.toHandle().destroy(); // SIGTERM (Process.destroy would also close our pipes)

      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
      StringBuilder rest = new StringBuilder();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        rest.append(line).append('\n');
      }
      assertThat(rest.toString()).contains("demo: stopping").contains("Reconcile mode stopped");
      // Removed before the JVM halted: the shutdown hook waits for the close path.
      assertThat(work).doesNotExist();
    } finally {
      demo.destroyForcibly();
    }
  }

  @Test
  void crdModeRunsPodsToSpiffeIdsToEntriesWithTheWebhookInThePath() {
    CliRun run =
        CliRun.of(
            "demo",
            "--mode",
            "crd",
            "-config",
            "../examples/crd/registrar.conf",
            "-f",
            "../examples/cluster",
            "--pods",
            "20");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("SpiffeID webhook on")
        .contains("+ created  spiffe://example.org/reports/batch")
        .contains("+ created  spiffe://example.org/region/eu-de/ns/shop/sa/api")
        .contains("+ created  spiffe://example.org/reports/nightly")
        .contains(
            "denied (HTTP 403): admission webhook \"k8s-workload-registrar.spire.svc\" denied the"
                + " request: spec.spiffeId must begin with spiffe://example.org")
        .contains("converged (healed)")
        .contains("- deleted  spiffe://example.org/region/eu-de/ns/shop/sa/api\n")
        .contains("pod created -> entry in SPIRE, 20 pods")
        .contains("converged (scale down): 7 entries left")
        .contains("MintX509SVID=1");
    assertThat(workDirectory(run.out())).doesNotExist();
  }

  @Test
  void refusesAConfigurationOfAnotherMode() {
    CliRun run = CliRun.of("demo", "-config", "../examples/webhook/registrar.conf");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("the demo runs reconcile mode, but the configuration names mode \"webhook\"");
  }
}
