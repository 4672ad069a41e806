package org.spireregistrar.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * The identity policy of {@code registrar.conf} (service-account IDs, entries parented to the pod's
 * node, DNS names from the pod IP, federation from the annotation) tested against a SPIRE server
 * that speaks the real Entry API over a Unix socket.
 */
class IdentityControllerTest {

  static final Path CONFIG = Path.of("../reconcile/registrar.conf");
  static final String NODE_ID = "spiffe://example.org/spire-k8s-registrar/demo-cluster/node/node-a";

  @TempDir Path dir;
  InMemorySpireServer spire;
  GrpcEntryStore store;
  IdentityController controller;

  @BeforeEach
  void start() {
    spire =
        InMemorySpireServer.builder()
            .trustDomain("example.org")
            .socketPath(dir.resolve("api.sock"))
            .start();
    spire.addFederatedBundle(TrustDomain.parse("partner.example"));
    store = GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS);
    controller = IdentityController.fromConfigFile(CONFIG, store);
  }

  @AfterEach
  void stop() {
    store.close();
    spire.close();
  }

  static Workload pod(String namespace, String name, String sa, Map<String, String> annotations) {
    return new Workload(
        namespace,
        name,
        "uid-" + name,
        sa,
        "node-a",
        "",
        "10.0.1.5",
        Map.of("app", name),
        annotations,
        false);
  }

  static ClusterObjects cluster(Workload... pods) {
    return new ClusterObjects(
        List.of(pods), List.of(new NodeInfo("node-a", "n-uid", Map.of())), List.of(), List.of());
  }

  Entry entryFor(String spiffeId) {
    return spire.entries().stream()
        .filter(e -> e.spiffeId().toString().equals(spiffeId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no entry for " + spiffeId + ": " + spire.entries()));
  }

  @Test
  void givesEachPodItsServiceAccountIdentityOnItsOwnNode() {
    IdentityController.SyncResult result =
        controller.sync(
            cluster(
                pod("shop", "web-0", "web", Map.of("spiffe.io/federatesWith", "partner.example"))));

    assertThat(result.failed()).isEmpty();
    assertThat(result.rejected()).isEmpty();
    Entry web = entryFor("spiffe://example.org/ns/shop/sa/web");
    assertThat(web.parentId()).hasToString(NODE_ID);
    assertThat(web.spec().selectors())
        .containsExactly(Selector.k8s("ns:shop"), Selector.k8s("pod-name:web-0"));
    assertThat(web.spec().dnsNames())
        .containsExactly("10-0-1-5.shop.pod.cluster.local", "10-0-1-5.shop.pod");
    assertThat(web.spec().federatesWith()).containsExactly(TrustDomain.parse("partner.example"));
    // The node entry the pod's entry hangs off.
    assertThat(entryFor(NODE_ID).spec().selectors()).isNotEmpty();
  }

  @Test
  void disabledNamespacesGetNoIdentity() {
    controller.sync(cluster(pod("kube-system", "dns-0", "coredns", Map.of())));

    assertThat(spire.entries()).extracting(e -> e.spiffeId().toString()).containsExactly(NODE_ID);
  }

  @Test
  void removesTheIdentityOfAPodThatIsGoneButNeverAForeignEntry() {
    Entry foreign =
        Entry.of(
            new EntryId("foreign-1"),
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/ci/runner"),
                SpiffeId.parse("spiffe://example.org/spire/agent/x509pop/ci"),
                List.of(Selector.parse("unix:uid:1000"))));
    spire.putEntry(foreign);
    controller.sync(cluster(pod("shop", "web-0", "web", Map.of())));
    assertThat(spire.entries()).hasSize(3);

    IdentityController.SyncResult result = controller.sync(cluster());

    assertThat(result.diff().deletes()).hasSize(1);
    assertThat(spire.entries())
        .extracting(e -> e.spiffeId().toString())
        .containsExactlyInAnyOrder(NODE_ID, "spiffe://example.org/ci/runner");
  }

  @Test
  void aSecondSyncOfTheSameClusterWritesNothing() {
    ClusterObjects cluster = cluster(pod("shop", "web-0", "web", Map.of()));
    controller.sync(cluster);

    IdentityController.SyncResult again = controller.sync(cluster);

    assertThat(again.diff().isEmpty()).isTrue();
    assertThat(again.diff().unchanged()).isEqualTo(2);
  }

  @Test
  void aFederationWithAnUnknownTrustDomainIsReportedAndTheRestWritten() {
    IdentityController.SyncResult result =
        controller.sync(
            cluster(
                pod("shop", "web-0", "web", Map.of("spiffe.io/federatesWith", "nowhere.example")),
                pod("shop", "api-0", "api", Map.of())));

    assertThat(result.failed()).hasSize(1);
    assertThat(result.failed().get(0).message()).contains("nowhere.example");
    entryFor("spiffe://example.org/ns/shop/sa/api");
  }

  @Test
  void refusesAConfigurationOfAnotherMode() {
    var webhook =
        HclConfigLoader.parse(
            "trust_domain = \"example.org\"\ncluster = \"c\"\nmode = \"webhook\"\n"
                + "server_socket_path = \"/tmp/api.sock\"\n",
            "inline.conf");

    assertThatThrownBy(() -> new IdentityController(webhook, store))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reconcile");
  }
}
