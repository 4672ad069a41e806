package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceAccess;

/**
 * The root command checks its Kubernetes permissions before it starts a mode: the real command
 * line, the production client (found through {@code ~/.kube/config}) and the API stand-in's
 * SelfSubjectAccessReview answers.
 */
class RbacSelfCheckCliTest {
  private static final String RECONCILE =
      """
      trust_domain = "example.org"
      server_socket_path = "%s"
      cluster = "c1"
      mode = "reconcile"
      metrics_addr = "0"
      leader_election = true
      """;

  @TempDir Path dir;
  private KubernetesApiStandIn standIn;
  private String home;

  @BeforeEach
  void start() {
    assumeTrue(System.getenv("KUBECONFIG") == null, "KUBECONFIG would take precedence");
    assumeTrue(System.getenv("MY_POD_NAMESPACE") == null, "the namespace would not be default");
    standIn = KubernetesApiStandIn.start();
    standIn.writeKubeconfig(dir.resolve(".kube/config"));
    home = System.getProperty("user.home");
    System.setProperty("user.home", dir.toString());
  }

  @AfterEach
  void stop() {
    if (standIn != null) {
      System.setProperty("user.home", home);
      standIn.close();
    }
  }

  @Test
  void missingPermissionsEndStartUpNamingEachOneAndTheManifest() throws Exception {
    standIn.grantOnly(
        List.of(
            ResourceAccess.of("list", "", "pods", ""),
            ResourceAccess.of("list", "", "nodes", ""),
            ResourceAccess.of("watch", "", "nodes", ""),
            ResourceAccess.of("get", "coordination.k8s.io", "leases", "default"),
            ResourceAccess.of("update", "coordination.k8s.io", "leases", "default")));
    Path conf = dir.resolve("r.conf");
    Files.writeString(conf, RECONCILE.formatted(dir.resolve("no-spire.sock")));

    CliRun run = CliRun.of("-config", conf.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains(
            "error: the registrar's Kubernetes identity lacks 2 permissions its mode needs"
                + " (checked with SelfSubjectAccessReview):\n"
                + "missing permission: watch pods (cluster-wide) — see deploy/reconcile/rbac.yaml\n"
                + "missing permission: create leases.coordination.k8s.io (namespace default) — see"
                + " deploy/reconcile/rbac.yaml\n")
        .doesNotContain("\tat ");
    assertThat(standIn.requests())
        .as("nothing but the reviews: no informer started")
        .allMatch(r -> r.resource().equals("selfsubjectaccessreviews"));
  }
}
