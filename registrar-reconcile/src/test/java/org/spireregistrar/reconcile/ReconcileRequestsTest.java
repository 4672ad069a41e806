package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.kubernetes.LeaseLeaderElection;
import org.spireregistrar.kubernetes.Permission;
import org.spireregistrar.kubernetes.RequiredPermissions;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.kubernetes.testing.StandInRequest;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * {@link RequiredPermissions} for reconcile mode is what reconcile mode really asks the API server:
 * a run with DNS names and leader election (start, sync, renew, release on close) makes exactly the
 * listed kinds of request, no other and none fewer.
 */
class ReconcileRequestsTest {
  private static final TrustDomain TD = new TrustDomain("example.org");
  private static final String NS = "registrar-ns";

  @TempDir Path dir;
  private InMemorySpireServer spire;
  private KubernetesApiStandIn k8s;

  @BeforeEach
  void start() {
    spire =
        InMemorySpireServer.builder().trustDomain(TD).socketPath(dir.resolve("api.sock")).start();
    k8s = KubernetesApiStandIn.start();
  }

  @AfterEach
  void stop() {
    k8s.close();
    spire.close();
  }

  private RegistrarConfig config(boolean dnsNames, boolean leaderElection) {
    return ReconcileEndToEndTest.config(spire.address(), "", dnsNames, leaderElection);
  }

  /**
   * What the stand-in saw, as permissions: the namespace, when there is one, is the registrar's.
   */
  static Set<Permission> observed(KubernetesApiStandIn k8s, String namespace) {
    List<StandInRequest> requests =
        k8s.requests().stream().filter(StandInRequest::isResourceRequest).toList();
    assertThat(requests)
        .allSatisfy(r -> assertThat(r.namespace()).as(r.toString()).isIn("", namespace));
    return requests.stream()
        .map(
            r ->
                new Permission(
                    r.verb(),
                    r.group(),
                    r.resource(),
                    r.subresource(),
                    r.namespace().isEmpty()
                        ? Permission.Scope.CLUSTER
                        : Permission.Scope.NAMESPACE))
        .collect(Collectors.toSet());
  }

  @Test
  void requestsAreExactlyTheRequiredPermissionsWithDnsNamesAndLeaderElection() throws Exception {
    runAndCompare(config(true, true));
  }

  @Test
  void requestsAreExactlyTheRequiredPermissionsWithNeither() throws Exception {
    runAndCompare(config(false, false));
  }

  private void runAndCompare(RegistrarConfig config) throws Exception {
    k8s.create(
        ResourceType.NODES.collectionPath(null),
        Map.of("apiVersion", "v1", "kind", "Node", "metadata", Map.of("name", "n1")));
    k8s.create(
        ResourceType.PODS.collectionPath("shop"),
        Map.of(
            "apiVersion", "v1",
            "kind", "Pod",
            "metadata", Map.of("name", "web-0", "namespace", "shop"),
            "spec",
                Map.of(
                    "serviceAccountName", "web",
                    "nodeName", "n1",
                    "containers", List.of(Map.of("name", "c", "image", "busybox"))),
            "status", Map.of("podIP", "10.0.0.5")));
    GrpcEntryStore store =
        GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS);
    ReconcileMode mode =
        new ReconcileMode(
            config,
            k8s.client(),
            store,
            new ReconcileMode.Runtime(
                NS,
                "replica-a",
                new LeaseLeaderElection.Timing(
                    Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(200))),
            SyncListener.NONE);
    try (store) {
      mode.start();
      // Node entry + pod entry (+ the cluster root is not written by reconcile mode).
      await().atMost(Duration.ofSeconds(20)).until(() -> spire.entries().size() >= 2);
      if (config.reconcile().leaderElection()) {
        // Renewed at least once: the Lease has been updated, not only created.
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> k8s.requestCount("update", "leases") > 0);
      }
    } finally {
      mode.close();
    }

    assertThat(observed(k8s, NS))
        .containsExactlyInAnyOrderElementsOf(RequiredPermissions.forConfig(config));
  }
}
