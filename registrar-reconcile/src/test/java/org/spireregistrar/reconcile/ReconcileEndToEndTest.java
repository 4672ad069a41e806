package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.CommonConfig;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.LeaseLeaderElection;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * Reconcile mode end to end: the production Kubernetes client against the API stand-in (real HTTP
 * watches), the real gRPC store over a Unix socket against the in-memory SPIRE server.
 */
class ReconcileEndToEndTest {
  private static final TrustDomain TD = new TrustDomain("example.org");
  private static final Duration CONVERGE = Duration.ofSeconds(20);
  private static final String ROOT = "spiffe://example.org/spire-k8s-registrar/c1/node";

  @TempDir Path dir;
  private InMemorySpireServer spire;
  private KubernetesApiStandIn k8s;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() {
    spire =
        InMemorySpireServer.builder().trustDomain(TD).socketPath(dir.resolve("api.sock")).start();
    k8s = KubernetesApiStandIn.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    k8s.close();
    spire.close();
  }

  private RegistrarConfig config(String podLabel, boolean dnsNames, boolean leaderElection) {
    return config(spire.address(), podLabel, dnsNames, leaderElection);
  }

  /**
   * Reconcile mode's configuration for cluster {@code c1} (kube-system disabled, 10-minute resync),
   * as the reconcile tests run it.
   */
  static RegistrarConfig config(
      String serverAddress, String podLabel, boolean dnsNames, boolean leaderElection) {
    CommonConfig common =
        new CommonConfig(
            "info",
            "",
            "",
            TD,
            serverAddress,
            "",
            "",
            "c1",
            podLabel,
            "",
            Mode.RECONCILE,
            List.of("kube-system"));
    ReconcileConfig rc =
        new ReconcileConfig(
            "127.0.0.1:0",
            leaderElection,
            "leases",
            "spire-k8s-registrar",
            dnsNames,
            "cluster.local",
            Duration.ofMinutes(10));
    return new RegistrarConfig(common, WebhookConfig.DEFAULTS, rc, CrdConfig.DEFAULTS, List.of());
  }

  private ReconcileMode startMode(RegistrarConfig config, String identity) {
    GrpcEntryStore store =
        GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS);
    closeables.add(store);
    ReconcileMode mode =
        new ReconcileMode(
            config,
            k8s.client(),
            store,
            new ReconcileMode.Runtime(
                "registrar-ns",
                identity,
                new LeaseLeaderElection.Timing(
                    Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(200))),
            SyncListener.NONE);
    closeables.add(mode);
    mode.start();
    return mode;
  }

  // ------------------------------------------------------------------ object helpers

  private void node(String name) {
    k8s.create(
        ResourceType.NODES.collectionPath(null),
        Map.of(
            "apiVersion",
            "v1",
            "kind",
            "Node",
            "metadata",
            Map.of("name", name, "uid", "uid-" + name)));
  }

  private static Map<String, Object> podObject(
      String ns, String name, String sa, String node, Map<String, String> labels, String ip) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", name);
    meta.put("namespace", ns);
    meta.put("labels", labels);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("serviceAccountName", sa);
    if (node != null) {
      spec.put("nodeName", node);
    }
    spec.put("containers", List.of(Map.of("name", "c", "image", "busybox")));
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    pod.put("metadata", meta);
    pod.put("spec", spec);
    if (ip != null) {
      pod.put("status", Map.of("podIP", ip));
    }
    return pod;
  }

  private void pod(String ns, String name, String sa, String node, Map<String, String> labels) {
    k8s.create(ResourceType.PODS.collectionPath(ns), podObject(ns, name, sa, node, labels, null));
  }

  private String podPath(String ns, String name) {
    return ResourceType.PODS.objectPath(ns, name);
  }

  /** Entries in SPIRE owned by the registrar, as specs. */
  private Set<EntrySpec> ownedSpecs(RegistrarConfig config) {
    Predicate<Entry> owned = ReconcileEntries.forConfig(config).owned();
    Set<EntrySpec> out = new HashSet<>();
    for (Entry e : spire.entries()) {
      if (owned.test(e)) {
        out.add(e.spec());
      }
    }
    return out;
  }

  private Set<EntrySpec> planned(RegistrarConfig config) {
    List<Workload> pods = new ArrayList<>();
    List<NodeInfo> nodes = new ArrayList<>();
    List<EndpointsInfo> endpoints = new ArrayList<>();
    for (var n : k8s.list(ResourceType.NODES.collectionPath(null))) {
      nodes.add(
          new NodeInfo(n.at("/metadata/name").asText(), n.at("/metadata/uid").asText(), Map.of()));
    }
    for (var p : k8s.list(ResourceType.PODS.collectionPath(null))) {
      Map<String, String> labels = new LinkedHashMap<>();
      p.at("/metadata/labels")
          .properties()
          .forEach(f -> labels.put(f.getKey(), f.getValue().asText()));
      pods.add(
          new Workload(
              p.at("/metadata/namespace").asText(),
              p.at("/metadata/name").asText(),
              p.at("/metadata/uid").asText(),
              p.at("/spec/serviceAccountName").asText(),
              p.at("/spec/nodeName").asText(""),
              "",
              p.at("/status/podIP").asText(""),
              labels,
              Map.of(),
              !p.at("/metadata/deletionTimestamp").isMissingNode()
                  && !p.at("/metadata/deletionTimestamp").isNull()));
    }
    return new HashSet<>(
        Planner.plan(config, new ClusterObjects(pods, nodes, endpoints, List.of())).entries());
  }

  private void awaitConverged(RegistrarConfig config) {
    await()
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(ownedSpecs(config)).isEqualTo(planned(config)));
    assertThat(spire.entries().size())
        .as("no duplicates")
        .isEqualTo(new HashSet<>(spire.entries().stream().map(e -> e.spec()).toList()).size());
  }

  private static Entry foreign(String id, String spiffeId, String parent, String... selectors) {
    return Entry.of(
        new EntryId(id),
        EntrySpec.of(
            SpiffeId.parse(spiffeId),
            SpiffeId.parse(parent),
            java.util.Arrays.stream(selectors).map(Selector::parse).toList()));
  }

  // ------------------------------------------------------------------ tests

  @Test
  void entriesFollowPodsAndNodesAndMatchThePlan() {
    List<Entry> foreignEntries =
        List.of(
            foreign(
                "f-other-parent",
                "spiffe://example.org/x",
                "spiffe://example.org/agent/a",
                "k8s:ns:shop",
                "k8s:pod-name:web-0"),
            foreign(
                "f-lookalike",
                "spiffe://example.org/y",
                ROOT + "X/n1",
                "k8s:ns:shop",
                "k8s:pod-name:web-1"),
            foreign(
                "f-other-root",
                "spiffe://example.org/other/c1/node/n1",
                "spiffe://example.org/spire/server",
                "k8s_psat:agent_node_name:n1",
                "k8s_psat:cluster:c1"));
    foreignEntries.forEach(spire::putEntry);
    RegistrarConfig config = config("app", false, false);
    node("n1");
    node("n2");
    for (int i = 0; i < 10; i++) {
      pod("shop", "web-" + i, "web", i % 2 == 0 ? "n1" : "n2", Map.of("app", "web" + i));
    }
    pod("shop", "pending", "web", null, Map.of("app", "pending"));
    pod("shop", "nolabel", "web", "n1", Map.of());
    pod("kube-system", "dns", "dns", "n1", Map.of("app", "dns"));
    startMode(config, "a");
    awaitConverged(config);
    assertThat(ownedSpecs(config)).hasSize(2 + 10);

    // Relabel, schedule, reschedule (delete + recreate on another node), terminate, delete.
    k8s.patch(
        podPath("shop", "web-0"), Map.of("metadata", Map.of("labels", Map.of("app", "renamed"))));
    k8s.patch(podPath("shop", "pending"), Map.of("spec", Map.of("nodeName", "n2")));
    k8s.delete(podPath("shop", "web-1"));
    pod("shop", "web-1", "web", "n1", Map.of("app", "web1"));
    k8s.patch(
        podPath("shop", "web-2"), Map.of("metadata", Map.of("finalizers", List.of("test/hold"))));
    k8s.delete(podPath("shop", "web-2"));
    k8s.delete(podPath("shop", "web-3"));
    k8s.delete(ResourceType.NODES.objectPath(null, "n2"));
    awaitConverged(config);
    Set<String> ids = new HashSet<>();
    ownedSpecs(config).forEach(s -> ids.add(s.spiffeId().toString()));
    assertThat(ids)
        .contains("spiffe://example.org/renamed", "spiffe://example.org/pending")
        .doesNotContain(
            "spiffe://example.org/web0",
            "spiffe://example.org/web2",
            "spiffe://example.org/web3",
            ROOT + "/n2");
    assertThat(spire.entries()).containsAll(foreignEntries);
  }

  @Test
  void endpointsChangesUpdateDnsNames() {
    RegistrarConfig config = config("", true, false);
    node("n1");
    k8s.create(
        ResourceType.PODS.collectionPath("shop"),
        podObject("shop", "web-0", "web", "n1", Map.of(), "10.0.0.5"));
    startMode(config, "a");
    await().atMost(CONVERGE).until(() -> dnsOf("spiffe://example.org/ns/shop/sa/web").size() == 2);

    k8s.create(
        ResourceType.ENDPOINTS.collectionPath("shop"),
        Map.of(
            "apiVersion",
            "v1",
            "kind",
            "Endpoints",
            "metadata",
            Map.of("name", "frontend", "namespace", "shop"),
            "subsets",
            List.of(
                Map.of(
                    "addresses",
                    List.of(
                        Map.of(
                            "ip",
                            "10.0.0.5",
                            "targetRef",
                            Map.of("kind", "Pod", "name", "web-0", "namespace", "shop")))))));
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertThat(dnsOf("spiffe://example.org/ns/shop/sa/web"))
                    .startsWith("10-0-0-5.shop.pod.cluster.local", "10-0-0-5.shop.pod")
                    .contains("frontend.shop.svc.cluster.local", "frontend.shop.svc"));
    k8s.delete(ResourceType.ENDPOINTS.objectPath("shop", "frontend"));
    await().atMost(CONVERGE).until(() -> dnsOf("spiffe://example.org/ns/shop/sa/web").size() == 2);
  }

  @Test
  void singleCharacterNamespaceKeepsItsDnsNamesOnCurrentSpire() {
    RegistrarConfig config = config("", true, false);
    node("n1");
    k8s.create(
        ResourceType.PODS.collectionPath("a"),
        podObject("a", "web-0", "web", "n1", Map.of(), "10.0.0.5"));
    startMode(config, "a");

    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertThat(dnsOf("spiffe://example.org/ns/a/sa/web"))
                    .containsExactly("10-0-0-5.a.pod.cluster.local", "10-0-0-5.a.pod"));
  }

  @Test
  void spireBefore19GetsEntriesWithoutTheNamesItRefuses() throws Exception {
    spire.close();
    spire =
        InMemorySpireServer.builder()
            .trustDomain(TD)
            .socketPath(dir.resolve("old.sock"))
            .legacyDnsRules(true)
            .start();
    RegistrarConfig config = config("", true, false);
    node("n1");
    k8s.create(
        ResourceType.PODS.collectionPath("a"),
        podObject("a", "web-0", "web", "n1", Map.of(), "10.0.0.5"));
    k8s.create(
        ResourceType.PODS.collectionPath("shop"),
        podObject("shop", "web-0", "web", "n1", Map.of(), "10.0.0.6"));
    startMode(config, "a");

    // The entry is retried without the names SPIRE < 1.9 refuses; other entries keep theirs.
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                spire.entries().stream()
                    .anyMatch(
                        e -> e.spiffeId().toString().equals("spiffe://example.org/ns/a/sa/web")));
    assertThat(dnsOf("spiffe://example.org/ns/a/sa/web")).isEmpty();
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertThat(dnsOf("spiffe://example.org/ns/shop/sa/web"))
                    .containsExactly("10-0-0-6.shop.pod.cluster.local", "10-0-0-6.shop.pod"));

    // Later entries are written without such names straight away, and nothing is rewritten.
    k8s.create(
        ResourceType.PODS.collectionPath("b"),
        podObject("b", "api-0", "api", "n1", Map.of(), "10.0.0.7"));
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                spire.entries().stream()
                    .anyMatch(
                        e -> e.spiffeId().toString().equals("spiffe://example.org/ns/b/sa/api")));
    assertThat(dnsOf("spiffe://example.org/ns/b/sa/api")).isEmpty();
    assertThat(spire.counters().rpcs("BatchUpdateEntry")).isZero();
  }

  private List<String> dnsOf(String spiffeId) {
    return spire.entries().stream()
        .filter(e -> e.spiffeId().toString().equals(spiffeId))
        .findFirst()
        .map(e -> e.spec().dnsNames())
        .orElse(List.of());
  }

  @Test
  void convergesAfterSpireOutageDuringChurn() {
    RegistrarConfig config = config("", false, false);
    node("n1");
    startMode(config, "a");
    awaitConverged(config);
    spire.setUnavailable(true);
    for (int i = 0; i < 40; i++) {
      pod("churn", "p" + i, "sa" + i, "n1", Map.of());
    }
    for (int i = 0; i < 10; i++) {
      k8s.delete(podPath("churn", "p" + i));
    }
    await().pollDelay(Duration.ofMillis(500)).atMost(CONVERGE).until(() -> true);
    spire.setUnavailable(false);
    awaitConverged(config);
    assertThat(ownedSpecs(config)).hasSize(1 + 30);
  }

  @Test
  void convergesAfterWatchDropsAndExpiredResourceVersions() {
    RegistrarConfig config = config("", false, false);
    node("n1");
    ReconcileMode mode = startMode(config, "a");
    awaitConverged(config);
    k8s.dropWatches();
    pod("w", "a", "sa", "n1", Map.of());
    awaitConverged(config);
    k8s.expireHistory();
    k8s.dropWatches();
    pod("w", "b", "sa", "n1", Map.of());
    k8s.delete(podPath("w", "a"));
    awaitConverged(config);
    assertThat(mode.engine().status().cachesSynced()).isTrue();
  }

  @Test
  void restartMidBatchConvergesWithoutDuplicates() throws Exception {
    RegistrarConfig config = config("", false, false);
    node("n1");
    for (int i = 0; i < 400; i++) {
      pod("big", "p" + i, "sa" + i, "n1", Map.of());
    }
    spire.faults().latency(Duration.ofMillis(20));
    ReconcileMode first = startMode(config, "a");
    await().atMost(CONVERGE).until(() -> spire.entryCount() > 0);
    first.close();
    spire.faults().latency(Duration.ZERO);
    startMode(config, "b");
    awaitConverged(config);
    assertThat(ownedSpecs(config)).hasSize(401);
  }

  @Test
  void onlyTheLeaderWritesAndAStandbyTakesOver() {
    RegistrarConfig config = config("", false, true);
    node("n1");
    pod("le", "p0", "sa", "n1", Map.of());
    ReconcileMode a = startMode(config, "replica-a");
    ReconcileMode b = startMode(config, "replica-b");
    awaitConverged(config);
    await()
        .atMost(CONVERGE)
        .until(() -> a.engine().status().leader() ^ b.engine().status().leader());
    ReconcileMode leader = a.engine().status().leader() ? a : b;
    ReconcileMode standby = leader == a ? b : a;
    leader.close();
    // Released on close (holder cleared), so the standby need not wait out the 15 s lease.
    assertThat(
            k8s.get(
                    "/apis/coordination.k8s.io/v1/namespaces/registrar-ns/leases/spire-k8s-registrar-leader-election")
                .orElseThrow()
                .path("spec")
                .path("holderIdentity")
                .asText(""))
        .isIn("", leader == a ? "replica-b" : "replica-a");
    await().atMost(CONVERGE).until(() -> standby.engine().status().leader());
    pod("le", "p1", "sa1", "n1", Map.of());
    awaitConverged(config);
    assertThat(
            k8s.get(
                "/apis/coordination.k8s.io/v1/namespaces/registrar-ns/leases/spire-k8s-registrar-leader-election"))
        .isPresent();
  }

  @Test
  void servesMetricsHealthAndReadiness() throws Exception {
    RegistrarConfig config = config("", false, false);
    node("n1");
    ReconcileMode mode = startMode(config, "a");
    awaitConverged(config);
    String base = "http://127.0.0.1:" + mode.healthAddress().orElseThrow().getPort();
    HttpClient http = HttpClient.newHttpClient();
    await().atMost(CONVERGE).until(() -> get(http, base + "/readyz").statusCode() == 200);
    assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = get(http, base + "/metrics");
    assertThat(metrics.body())
        .contains("registrar_entry_writes_total{op=\"created\"} 1.0")
        .contains("registrar_entries_current")
        .contains("registrar_leader 1.0")
        .contains("registrar_spire_call_seconds");

    spire.setUnavailable(true);
    pod("m", "p", "sa", "n1", Map.of());
    await().atMost(CONVERGE).until(() -> get(http, base + "/readyz").statusCode() == 503);
    assertThat(get(http, base + "/readyz").body()).contains("SPIRE server unreachable");
    assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
    spire.setUnavailable(false);
    await().atMost(CONVERGE).until(() -> get(http, base + "/readyz").statusCode() == 200);
    assertThat(get(http, base + "/nope").statusCode()).isEqualTo(404);
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
