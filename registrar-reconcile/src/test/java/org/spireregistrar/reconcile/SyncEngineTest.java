package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryAttributes;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.policy.IdPolicy;
import org.spireregistrar.core.policy.LabelIdPolicy;
import org.spireregistrar.core.policy.ServiceAccountIdPolicy;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

class SyncEngineTest {
  private static final TrustDomain TD = new TrustDomain("example.org");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration RESYNC = Duration.ofMinutes(10);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(5);
  private static final Duration MAX_BACKOFF = Duration.ofMillis(50);
  private static final String ROOT = "spiffe://example.org/spire-k8s-registrar/c1/node";

  private final InMemoryEntryStore store = new InMemoryEntryStore();
  private final FakeTicker ticker = new FakeTicker();
  private final List<SyncReport> reports = Collections.synchronizedList(new ArrayList<>());
  private SyncEngine engine;

  /** Awaits a condition the sync thread brings about; polled often, the passes are quick. */
  private static ConditionFactory eventually() {
    return await().atMost(WAIT).pollInterval(Duration.ofMillis(2));
  }

  private SyncEngine engine(String podLabel, boolean dnsNames) {
    return engine(podLabel, dnsNames, 1);
  }

  private SyncEngine engine(String podLabel, boolean dnsNames, int writeConcurrency) {
    return engine(podLabel, dnsNames, writeConcurrency, store);
  }

  private SyncEngine engine(
      String podLabel, boolean dnsNames, int writeConcurrency, EntryStore store) {
    IdPolicy policy =
        podLabel.isEmpty() ? new ServiceAccountIdPolicy(TD) : new LabelIdPolicy(TD, podLabel);
    ReconcileEntries entries =
        new ReconcileEntries(
            TD,
            "c1",
            "spire-k8s-registrar",
            policy,
            List.of("kube-system"),
            dnsNames,
            "cluster.local");
    SyncEngine.Options options =
        new SyncEngine.Options(RESYNC, 50, MIN_BACKOFF, MAX_BACKOFF, writeConcurrency);
    engine =
        new SyncEngine(
            entries,
            "c1",
            dnsNames,
            java.util.function.UnaryOperator.identity(),
            store,
            options,
            new SyncListener() {
              @Override
              public void onPass(SyncReport report) {
                reports.add(report);
              }
            },
            ticker);
    return engine;
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  private static Workload pod(String ns, String name, String sa, String node) {
    return new Workload(ns, name, "uid-" + name, sa, node, "", "", Map.of(), Map.of(), false);
  }

  private static Workload labelled(String ns, String name, String node, String value) {
    return new Workload(
        ns, name, "uid-" + name, "sa", node, "", "", Map.of("app", value), Map.of(), false);
  }

  private void startSynced(SyncEngine e) throws InterruptedException {
    e.start();
    e.setLeader(true);
    e.cachesSynced();
    assertThat(e.awaitIdle(WAIT)).isTrue();
  }

  private Optional<Entry> entryFor(String spiffeId) {
    return store.entries().stream()
        .filter(e -> e.spiffeId().toString().equals(spiffeId))
        .findFirst();
  }

  @Test
  void createsNodeAndPodEntriesOnceCachesSync() throws Exception {
    SyncEngine e = engine("", false);
    e.nodeUpserted(new NodeInfo("n1", "u1", Map.of()));
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    e.start();
    e.setLeader(true);
    // Nothing is written while the informers have not listed everything.
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(store.writeCalls()).isZero();
    assertThat(store.calls("list")).isZero();
    e.cachesSynced();
    assertThat(e.awaitIdle(WAIT)).isTrue();

    Entry node = entryFor(ROOT + "/n1").orElseThrow();
    assertThat(node.parentId()).hasToString("spiffe://example.org/spire/server");
    assertThat(node.spec().selectorStrings())
        .containsExactly("k8s_psat:agent_node_name:n1", "k8s_psat:cluster:c1");
    Entry web = entryFor("spiffe://example.org/ns/shop/sa/web").orElseThrow();
    assertThat(web.parentId()).hasToString(ROOT + "/n1");
    assertThat(web.spec().selectorStrings()).containsExactly("k8s:ns:shop", "k8s:pod-name:web-0");
  }

  @Test
  void writesNothingWhileNotLeader() throws Exception {
    SyncEngine e = engine("", false);
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    e.start();
    e.cachesSynced();
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(e.awaitIdle(Duration.ZERO)).isFalse();
    assertThat(store.entries()).isEmpty();
    assertThat(store.writeCalls()).isZero();
    e.setLeader(true);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).hasSize(1);
  }

  @Test
  void followsRelabelRescheduleTerminationAndDeletion() throws Exception {
    SyncEngine e = engine("app", false);
    startSynced(e);
    e.podUpserted(labelled("shop", "p", "n1", "v1"));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(entryFor("spiffe://example.org/v1")).isPresent();

    e.podUpserted(labelled("shop", "p", "n1", "v2"));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries())
        .singleElement()
        .satisfies(x -> assertThat(x.spiffeId()).hasToString("spiffe://example.org/v2"));

    e.podUpserted(labelled("shop", "p", "n2", "v2"));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries())
        .singleElement()
        .satisfies(x -> assertThat(x.parentId()).hasToString(ROOT + "/n2"));

    Workload terminating =
        new Workload("shop", "p", "uid-p", "sa", "n2", "", "", Map.of("app", "v2"), Map.of(), true);
    e.podUpserted(terminating);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).isEmpty();

    e.podUpserted(labelled("shop", "p", "n2", "v3"));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).hasSize(1);
    e.podDeleted("shop", "p");
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).isEmpty();
  }

  @Test
  void unchangedPodUpdatesTriggerNoWork() throws Exception {
    SyncEngine e = engine("", false);
    startSynced(e);
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    int passes = reports.size();
    long writes = store.writeCalls();
    for (int i = 0; i < 20; i++) {
      e.podUpserted(pod("shop", "web-0", "web", "n1"));
    }
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(reports).hasSize(passes);
    assertThat(store.writeCalls()).isEqualTo(writes);
  }

  @Test
  void relevantViewKeepsOnlyWhatThePolicyReads() {
    var common =
        new org.spireregistrar.core.config.CommonConfig(
            "info",
            "",
            "",
            TD,
            "unix:///s",
            "",
            "",
            "c1",
            "app",
            "",
            org.spireregistrar.core.config.Mode.RECONCILE,
            List.of());
    var config =
        new org.spireregistrar.core.config.RegistrarConfig(
            common,
            org.spireregistrar.core.config.WebhookConfig.DEFAULTS,
            org.spireregistrar.core.config.ReconcileConfig.DEFAULTS,
            org.spireregistrar.core.config.CrdConfig.DEFAULTS,
            List.of());
    var view = SyncEngine.relevantView(config);
    Workload a =
        new Workload(
            "ns",
            "p",
            "u1",
            "sa",
            "n1",
            "h",
            "10.0.0.1",
            Map.of("app", "v", "other", "x"),
            Map.of("spiffe.io/federatesWith", "a.org", "note", "1"),
            false);
    Workload statusAndNoise =
        new Workload(
            "ns",
            "p",
            "u2",
            "sa",
            "n1",
            "h2",
            "10.0.0.9",
            Map.of("app", "v", "other", "y"),
            Map.of("spiffe.io/federatesWith", "a.org", "note", "2"),
            false);
    assertThat(view.apply(a)).isEqualTo(view.apply(statusAndNoise));
    Workload relabelled =
        new Workload(
            "ns",
            "p",
            "u1",
            "sa",
            "n1",
            "h",
            "10.0.0.1",
            Map.of("app", "w"),
            Map.of("spiffe.io/federatesWith", "a.org"),
            false);
    assertThat(view.apply(a)).isNotEqualTo(view.apply(relabelled));
    assertThat(view.apply(a).annotations()).containsOnlyKeys("spiffe.io/federatesWith");
    assertThat(view.apply(a).podIp()).as("no DNS names configured").isEmpty();
  }

  @Test
  void neverTouchesForeignEntries() throws Exception {
    SpiffeId server = SpiffeId.parse("spiffe://example.org/spire/server");
    List<Entry> foreign =
        List.of(
            // Same selectors as our pod, parented elsewhere.
            entry(
                "f1",
                "spiffe://example.org/other",
                "spiffe://example.org/agent/x",
                "k8s:ns:shop",
                "k8s:pod-name:web-0"),
            // A look-alike root: .../nodeX is not under .../node.
            entry(
                "f2",
                "spiffe://example.org/ns/shop/sa/web",
                ROOT + "X/n1",
                "k8s:ns:shop",
                "k8s:pod-name:web-0"),
            // Another controller's root.
            entry(
                "f3",
                "spiffe://example.org/other-registrar/c1/node/n1",
                server.toString(),
                "k8s_psat:agent_node_name:n1",
                "k8s_psat:cluster:c1"),
            // Another trust domain's ID under the same path.
            entry(
                "f4",
                "spiffe://other.org/spire-k8s-registrar/c1/node/n9",
                server.toString(),
                "k8s_psat:agent_node_name:n9",
                "k8s_psat:cluster:c1"));
    foreign.forEach(store::put);
    SyncEngine e = engine("", false);
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    startSynced(e);
    assertThat(store.entries()).containsAll(foreign);
    assertThat(store.entries()).hasSize(foreign.size() + 1);
  }

  @Test
  void fullResyncRemovesStaleOwnedEntriesAndDuplicates() throws Exception {
    String spiffe = "spiffe://example.org/ns/shop/sa/web";
    store.put(
        entry(
            "a-stale",
            "spiffe://example.org/ns/gone/sa/x",
            ROOT + "/n1",
            "k8s:ns:gone",
            "k8s:pod-name:x"));
    store.put(entry("b-dup", spiffe, ROOT + "/n1", "k8s:ns:shop", "k8s:pod-name:web-0"));
    store.put(entry("c-dup", spiffe, ROOT + "/n1", "k8s:ns:shop", "k8s:pod-name:web-0"));
    // A pod in a disabled namespace loses the entry it had.
    store.put(
        entry(
            "d-disabled",
            "spiffe://example.org/ns/kube-system/sa/dns",
            ROOT + "/n1",
            "k8s:ns:kube-system",
            "k8s:pod-name:dns"));
    SyncEngine e = engine("", false);
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    e.podUpserted(pod("kube-system", "dns", "dns", "n1"));
    startSynced(e);
    assertThat(store.entries()).extracting(x -> x.id().value()).containsExactly("b-dup");
  }

  @Test
  void rejectedPodKeepsItsExistingEntry() throws Exception {
    Entry existing =
        entry("keep", "spiffe://example.org/good", ROOT + "/n1", "k8s:ns:shop", "k8s:pod-name:p");
    store.put(existing);
    SyncEngine e = engine("app", false);
    e.podUpserted(labelled("shop", "p", "n1", "not valid!"));
    startSynced(e);
    assertThat(store.entries()).containsExactly(existing);
    assertThat(reports).anySatisfy(r -> assertThat(r.rejected()).isEqualTo(1));
  }

  @Test
  void recoversFromSpireOutageWithoutLosingChanges() throws Exception {
    SyncEngine e = engine("", false);
    startSynced(e);
    store.setUnavailable(true);
    for (int i = 0; i < 30; i++) {
      e.podUpserted(pod("shop", "p" + i, "sa", "n1"));
    }
    // The engine backs off in ticker time, which stands still until advanced.
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(e.status().spireReachable()).isFalse();
    assertThat(e.awaitIdle(Duration.ZERO)).isFalse();
    store.setUnavailable(false);
    ticker.advance(MAX_BACKOFF);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).hasSize(30);
    assertThat(e.status().spireReachable()).isTrue();
  }

  @Test
  void anObjectThatKeepsFailingDoesNotHoldBackTheLastSuccessfulPass() throws Exception {
    SyncEngine e = engine("", false);
    store.failItems(
        spec -> spec.spiffeId().toString().endsWith("/sa/bad"), EntryResult.Code.INTERNAL, "no");
    e.start();
    e.setLeader(true);
    e.podUpserted(pod("shop", "good", "good", "n1"));
    e.podUpserted(pod("shop", "bad", "bad", "n1"));
    e.cachesSynced();
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(entryFor("spiffe://example.org/ns/shop/sa/good")).isPresent();
    assertThat(entryFor("spiffe://example.org/ns/shop/sa/bad")).isEmpty();
    // Readiness reads this: the pass reached SPIRE and wrote the rest.
    assertThat(e.status().lastSuccessNanos()).isNotZero();
    assertThat(e.status().spireReachable()).isTrue();
  }

  @Test
  void anErrorThatEndsTheSyncLoopIsReportedForTheLivenessProbe() throws Exception {
    EntryStore failing =
        new EntryStore() {
          @Override
          public List<Entry> list(org.spireregistrar.core.EntryFilter filter) {
            throw new StackOverflowError("deep");
          }

          @Override
          public List<EntryResult> create(List<org.spireregistrar.core.EntrySpec> specs) {
            return store.create(specs);
          }

          @Override
          public List<EntryResult> update(List<Entry> entries) {
            return store.update(entries);
          }

          @Override
          public List<EntryResult> delete(List<org.spireregistrar.core.EntryId> ids) {
            return store.delete(ids);
          }
        };
    SyncEngine e = engine("", false, 1, failing);
    assertThat(e.liveness()).isEmpty();
    e.start();
    e.setLeader(true);
    e.cachesSynced();
    eventually().until(() -> e.liveness().isPresent());
    assertThat(e.liveness().get())
        .startsWith("the sync loop stopped: java.lang.StackOverflowError");
  }

  @Test
  void retriesFailedItemsWithoutBlockingOthers() throws Exception {
    SyncEngine e = engine("", false);
    startSynced(e);
    AtomicBoolean failing = new AtomicBoolean(true);
    store.failItems(
        spec -> failing.get() && spec.spiffeId().toString().endsWith("/sa/bad"),
        EntryResult.Code.INTERNAL,
        "boom");
    e.podUpserted(pod("shop", "good", "good", "n1"));
    e.podUpserted(pod("shop", "bad", "bad", "n1"));
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(entryFor("spiffe://example.org/ns/shop/sa/good")).isPresent();
    assertThat(entryFor("spiffe://example.org/ns/shop/sa/bad")).isEmpty();
    assertThat(e.awaitIdle(Duration.ZERO)).as("a retry is pending").isFalse();
    assertThat(e.status().spireReachable()).as("an item failure is not an outage").isTrue();
    long creates = store.calls("create");

    // The first retry comes between half and all of minBackoff later.
    ticker.advance(MIN_BACKOFF.dividedBy(2).minusNanos(1));
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(store.calls("create")).isEqualTo(creates);
    ticker.advance(MIN_BACKOFF.dividedBy(2).plusNanos(1));
    eventually().until(() -> store.calls("create") == creates + 1);

    // It failed again: the second waits at least minBackoff (half of twice as long).
    assertThat(e.awaitParked(WAIT)).isTrue();
    ticker.advance(MIN_BACKOFF.minusNanos(1));
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(store.calls("create")).isEqualTo(creates + 1);

    failing.set(false);
    ticker.advance(MAX_BACKOFF);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(entryFor("spiffe://example.org/ns/shop/sa/bad")).isPresent();
    assertThat(store.calls("create")).isEqualTo(creates + 2);
  }

  @Test
  void endpointsChangesUpdateDnsNames() throws Exception {
    SyncEngine e = engine("", true);
    startSynced(e);
    Workload web =
        new Workload("shop", "web-0", "u", "web", "n1", "", "10.0.0.5", Map.of(), Map.of(), false);
    e.podUpserted(web);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(entryFor("spiffe://example.org/ns/shop/sa/web").orElseThrow().spec().dnsNames())
        .containsExactly("10-0-0-5.shop.pod.cluster.local", "10-0-0-5.shop.pod");

    EndpointsInfo eps =
        new EndpointsInfo(
            "shop",
            "frontend",
            List.of(new EndpointsInfo.Address("10.0.0.5", "", "Pod", "shop", "web-0", "u")),
            List.of());
    e.endpointsUpserted(eps);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(entryFor("spiffe://example.org/ns/shop/sa/web").orElseThrow().spec().dnsNames())
        .contains(
            "frontend.shop.svc.cluster.local", "frontend.shop.svc", "frontend.shop", "frontend");

    e.endpointsDeleted("shop", "frontend");
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(entryFor("spiffe://example.org/ns/shop/sa/web").orElseThrow().spec().dnsNames())
        .containsExactly("10-0-0-5.shop.pod.cluster.local", "10-0-0-5.shop.pod");
  }

  @Test
  void adoptsSimilarEntryCreatedByAnotherReplica() throws Exception {
    Entry other =
        entry(
            "other",
            "spiffe://example.org/ns/shop/sa/web",
            ROOT + "/n1",
            "k8s:ns:shop",
            "k8s:pod-name:web-0");
    SyncEngine e = engine("", false);
    startSynced(e);
    // Written behind the engine's back after its index was loaded.
    store.put(other);
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).containsExactly(other);
  }

  @Test
  void concurrentBatchCallsConvergeAndSurviveAnOutageMidPass() throws Exception {
    SyncEngine e = engine("", false, 4);
    for (int i = 0; i < 500; i++) {
      e.podUpserted(pod("shop", "p" + i, "sa" + i, "n1"));
    }
    startSynced(e);
    assertThat(store.entries()).hasSize(500);
    assertThat(store.calls("create")).isEqualTo(10);

    // Delete half while SPIRE is down, then let it come back: nothing lost, nothing stale.
    store.setUnavailable(true);
    for (int i = 0; i < 250; i++) {
      e.podDeleted("shop", "p" + i);
    }
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(e.status().spireReachable()).isFalse();
    assertThat(store.entries()).hasSize(500);
    store.setUnavailable(false);
    ticker.advance(MAX_BACKOFF);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries())
        .hasSize(250)
        .allSatisfy(
            x ->
                assertThat(Integer.parseInt(x.spiffeId().path().replaceAll(".*/sa/sa", "")))
                    .isGreaterThanOrEqualTo(250));
  }

  @Test
  void coalescesABurstIntoFewBatchedCalls() throws Exception {
    SyncEngine e = engine("", false);
    for (int i = 0; i < 500; i++) {
      e.podUpserted(pod("shop", "p" + i, "sa" + i, "n1"));
    }
    startSynced(e);
    assertThat(store.entries()).hasSize(500);
    // One list, then creates in batches of 50.
    assertThat(store.calls("create")).isEqualTo(10);
    assertThat(store.calls("list")).isEqualTo(1);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
  @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomForeignEntriesAreNeverTouched(long seed) throws Exception {
    java.util.Random rnd = new java.util.Random(seed);
    String[] parents = {
      "spiffe://example.org/spire/server",
      "spiffe://example.org/agent/x",
      ROOT + "X/n1",
      "spiffe://example.org/spire-k8s-registrar/c2/node/n1",
      "spiffe://other.org/spire-k8s-registrar/c1/node/n1",
      "spiffe://example.org/spire-k8s-registrar/c1/nodes/n1"
    };
    List<Entry> foreign = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String parent = parents[rnd.nextInt(parents.length)];
      String ns = "ns" + rnd.nextInt(3);
      String pod = "p" + rnd.nextInt(10);
      String spiffe =
          rnd.nextBoolean()
              ? "spiffe://example.org/ns/" + ns + "/sa/sa" + rnd.nextInt(3)
              : "spiffe://example.org/foreign/" + i;
      Entry e =
          rnd.nextBoolean()
              ? entry("f" + i, spiffe, parent, "k8s:ns:" + ns, "k8s:pod-name:" + pod)
              : entry(
                  "f" + i,
                  spiffe,
                  parent,
                  "k8s_psat:agent_node_name:n" + rnd.nextInt(3),
                  "k8s_psat:cluster:c1");
      if (!e.parentId().toString().startsWith(ROOT + "/")
          && !e.spiffeId().toString().startsWith(ROOT + "/")) {
        foreign.add(e);
        store.put(e);
      }
    }
    SyncEngine e = engine("", false);
    for (int i = 0; i < 3; i++) {
      e.nodeUpserted(new NodeInfo("n" + i, "u" + i, Map.of()));
    }
    for (int i = 0; i < 20; i++) {
      e.podUpserted(
          pod(
              "ns" + rnd.nextInt(3),
              "p" + rnd.nextInt(10),
              "sa" + rnd.nextInt(3),
              "n" + rnd.nextInt(3)));
    }
    startSynced(e);
    e.podDeleted("ns0", "p0");
    e.nodeDeleted("n1");
    e.requestResync();
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).containsAll(foreign);
  }

  @Test
  void fullResyncRunsEveryResyncIntervalOfTickerTime() throws Exception {
    SyncEngine e = engine("", false);
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    startSynced(e);
    assertThat(store.calls("list")).isEqualTo(1);
    // Written behind the engine's back: only a full resync can see it.
    Entry stale =
        entry(
            "stale",
            "spiffe://example.org/ns/gone/sa/x",
            ROOT + "/n1",
            "k8s:ns:gone",
            "k8s:pod-name:x");
    store.put(stale);
    int passes = reports.size();

    ticker.advance(RESYNC.minusNanos(1));
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(store.calls("list")).isEqualTo(1);
    assertThat(reports).hasSize(passes);

    ticker.advance(Duration.ofNanos(1));
    eventually().until(() -> reports.size() > passes);
    assertThat(reports.get(passes).full()).isTrue();
    assertThat(reports.get(passes).deleted()).isEqualTo(1);
    assertThat(store.calls("list")).isEqualTo(2);
    assertThat(store.entries()).doesNotContain(stale).hasSize(1);

    // The next one is due an interval after this one started.
    ticker.advance(RESYNC.minusNanos(1));
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(store.calls("list")).isEqualTo(2);
    ticker.advance(Duration.ofNanos(1));
    eventually().until(() -> store.calls("list") == 3);
  }

  @Test
  void aFullResyncAfterAQuietOneSeesEntriesChangedOrDeletedBehindItsBack(@TempDir Path dir)
      throws Exception {
    // Over the socket: the store hands back the index's own objects for entries listed unchanged.
    try (InMemorySpireServer spire =
            InMemorySpireServer.builder().trustDomain(TD).socketPath(dir.resolve("s")).start();
        GrpcEntryStore grpc =
            GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS)) {
      SyncEngine e = engine("", false, 1, grpc);
      for (String name : List.of("web-0", "web-1", "web-2", "web-3")) {
        e.podUpserted(pod("shop", name, name, "n1"));
      }
      startSynced(e);
      int passes = reports.size();
      e.requestResync();
      eventually().until(() -> reports.size() > passes);
      assertThat(reports.get(passes).unchanged()).isEqualTo(4);

      // Someone else edits web-0's hint (not ours) and web-1's DNS names keeping its revision,
      // deletes web-2's entry and adds a copy of web-3's under another ID.
      Map<String, Entry> byPod = new HashMap<>();
      for (Entry x : spire.entries()) {
        byPod.put(x.spec().selectorStrings().get(1).substring("k8s:pod-name:".length()), x);
      }
      Entry web0 = byPod.get("web-0");
      Entry web1 = byPod.get("web-1");
      spire.putEntry(
          new Entry(
              web0.id(),
              web0.spec(),
              new EntryAttributes(
                  false, 0, 0, 0, false, "theirs", web0.attributes().revisionNumber())));
      spire.putEntry(web1.withSpec(web1.spec().withDnsNames(List.of("evil.example.com"))));
      grpc.delete(List.of(byPod.get("web-2").id()));
      Entry web3 = byPod.get("web-3");
      spire.putEntry(new Entry(new EntryId("copy-of-web-3"), web3.spec(), web3.attributes()));

      int before = reports.size();
      e.requestResync();
      eventually().until(() -> reports.size() > before);
      SyncReport pass = reports.get(before);
      assertThat(pass.updated()).isEqualTo(1);
      assertThat(pass.created()).isEqualTo(1);
      assertThat(pass.deleted()).isEqualTo(1);
      assertThat(pass.unchanged()).isEqualTo(2);
      Map<String, Entry> after = new HashMap<>();
      for (Entry x : spire.entries()) {
        after.put(x.spec().selectorStrings().get(1).substring("k8s:pod-name:".length()), x);
      }
      assertThat(after.get("web-0").attributes().hint()).isEqualTo("theirs");
      assertThat(after.get("web-1").spec().dnsNames()).isEmpty();
      assertThat(after.get("web-1").id()).isEqualTo(web1.id());
      assertThat(after).containsKey("web-2").hasSize(4);
      assertThat(spire.entries()).hasSize(4);
    }
  }

  @Test
  void retryAfterAFailedSpireCallWaitsForTheBackoffThenResyncsEverything() throws Exception {
    SyncEngine e = engine("", false);
    startSynced(e);
    store.setUnavailable(true);
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(reports.get(reports.size() - 1).error()).isNotEmpty();
    assertThat(e.status().spireReachable()).isFalse();
    store.setUnavailable(false);
    long lists = store.calls("list");
    int passes = reports.size();

    // The first retry comes between half and all of minBackoff later.
    ticker.advance(MIN_BACKOFF.dividedBy(2).minusNanos(1));
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(reports).hasSize(passes);
    assertThat(store.entries()).isEmpty();

    ticker.advance(MIN_BACKOFF.dividedBy(2).plusNanos(1));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(reports).hasSize(passes + 1);
    assertThat(reports.get(passes).full()).as("recovery starts with a full resync").isTrue();
    assertThat(store.calls("list")).isEqualTo(lists + 1);
    assertThat(store.entries()).hasSize(1);
    assertThat(e.status().spireReachable()).isTrue();
  }

  @Test
  void backoffAfterRepeatedSpireFailuresGrowsUpToMaxBackoff() throws Exception {
    SyncEngine e = engine("", false);
    startSynced(e);
    store.setUnavailable(true);
    e.podUpserted(pod("shop", "web-0", "web", "n1"));
    // Failures 1..4 wait at most 5, 10, 20 and 40 ms; from the 5th on, at least 25 ms.
    for (Duration ceiling : List.of(5, 10, 20, 40).stream().map(Duration::ofMillis).toList()) {
      assertThat(e.awaitParked(WAIT)).isTrue();
      int passes = reports.size();
      ticker.advance(ceiling);
      eventually().until(() -> reports.size() == passes + 1);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(e.awaitParked(WAIT)).isTrue();
      int passes = reports.size();
      ticker.advance(MAX_BACKOFF.dividedBy(2).minusNanos(1));
      assertThat(e.awaitParked(WAIT)).isTrue();
      assertThat(reports).hasSize(passes);
      ticker.advance(MAX_BACKOFF.dividedBy(2).plusNanos(1));
      eventually().until(() -> reports.size() == passes + 1);
    }
    store.setUnavailable(false);
    ticker.advance(MAX_BACKOFF);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).hasSize(1);
  }

  @Test
  void stopsWritingWhenLeadershipIsLostMidPassAndFinishesAfterRegainingIt() throws Exception {
    // A store that takes leadership away during the first create call.
    AtomicBoolean dropLeadership = new AtomicBoolean(true);
    EntryStore losing =
        new EntryStore() {
          @Override
          public List<Entry> list(org.spireregistrar.core.EntryFilter filter) {
            return store.list(filter);
          }

          @Override
          public List<EntryResult> create(List<EntrySpec> specs) {
            if (dropLeadership.getAndSet(false)) {
              engine.setLeader(false);
            }
            return store.create(specs);
          }

          @Override
          public List<EntryResult> update(List<Entry> entries) {
            return store.update(entries);
          }

          @Override
          public List<EntryResult> delete(List<EntryId> ids) {
            return store.delete(ids);
          }
        };
    SyncEngine e = engine("", false, 1, losing);
    for (int i = 0; i < 120; i++) {
      e.podUpserted(pod("shop", "p" + i, "sa" + i, "n1"));
    }
    e.start();
    e.setLeader(true);
    e.cachesSynced();
    assertThat(e.awaitParked(WAIT)).isTrue();
    // The call in flight completed; the next window was not sent.
    assertThat(store.calls("create")).isEqualTo(1);
    assertThat(store.entries()).hasSize(50);
    assertThat(e.status().leader()).isFalse();
    assertThat(reports).as("an abandoned pass reports nothing").isEmpty();

    e.setLeader(true);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).hasSize(120);
    assertThat(store.calls("create")).isEqualTo(3);
  }

  private static Entry entry(String id, String spiffeId, String parent, String... selectors) {
    return Entry.of(
        new EntryId(id),
        EntrySpec.of(
            SpiffeId.parse(spiffeId),
            SpiffeId.parse(parent),
            java.util.Arrays.stream(selectors).map(Selector::parse).toList()));
  }
}
