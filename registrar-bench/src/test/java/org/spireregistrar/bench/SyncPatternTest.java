package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * The SPIRE calls each strategy makes, counted by the in-memory server over a real Unix socket, on
 * a tiny cluster: 120 pods on 1 node (121 entries), then one relabel, one delete and one periodic
 * full pass.
 */
class SyncPatternTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  // Longer than any test: the periodic passes run only when asked.
  private static final Duration NEVER = Duration.ofHours(1);

  @TempDir Path dir;

  private InMemorySpireServer spire;
  private GrpcEntryStore store;
  private Strategy strategy;

  @AfterEach
  void stop() {
    if (strategy != null) {
      strategy.close();
    }
    if (store != null) {
      store.close();
    }
    if (spire != null) {
      spire.close();
    }
  }

  record Case(
      String name,
      String strategy,
      Map<String, Long> cold,
      Map<String, Long> relabel,
      Map<String, Long> delete,
      Map<String, Long> resync) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "registrar: one list, batches of 50; one write per event; one paged list per resync",
            "registrar",
            Map.of("ListEntries", 1L, "BatchCreateEntry", 3L),
            Map.of("BatchUpdateEntry", 1L),
            Map.of("BatchDeleteEntry", 1L),
            Map.of("ListEntries", 1L)),
        new Case(
            "original: a list and a single-entry write per object; pod and node polls",
            "original",
            Map.of("ListEntries", 121L, "BatchCreateEntry", 121L),
            Map.of("ListEntries", 1L, "BatchUpdateEntry", 1L),
            Map.of("ListEntries", 1L, "BatchDeleteEntry", 1L),
            Map.of("ListEntries", 2L)),
        new Case(
            "scm: a full list every pass; a relabel is a delete and a create",
            "scm",
            Map.of("ListEntries", 1L, "BatchCreateEntry", 3L),
            Map.of("ListEntries", 1L, "BatchDeleteEntry", 1L, "BatchCreateEntry", 1L),
            Map.of("ListEntries", 1L, "BatchDeleteEntry", 1L),
            Map.of("ListEntries", 1L)));
  }

  private Strategy start(String id) {
    spire =
        InMemorySpireServer.builder()
            .trustDomain(BenchRunner.TRUST_DOMAIN)
            .socketPath(dir.resolve("api.sock"))
            .start();
    store = GrpcEntryStore.connect(spire.address(), "", BenchRunner.storeOptions(id));
    strategy = BenchRunner.create(id, BenchRunner.config(), store, NEVER);
    return strategy;
  }

  /** The same pod with another workload label value: its entry's SPIFFE ID changes. */
  private static Workload relabelled(Workload p) {
    return new Workload(
        p.namespace(),
        p.name(),
        p.uid(),
        p.serviceAccount(),
        p.nodeName(),
        p.hostname(),
        p.podIp(),
        Map.of(SyntheticCluster.LABEL, "relabelled"),
        p.annotations(),
        p.terminating());
  }

  private Map<String, Long> rpcsSince() {
    Map<String, Long> rpcs = spire.counters().rpcsByMethod();
    spire.resetCounters();
    return rpcs;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void makesTheSpireCallsOfItsAlgorithm(Case c) throws Exception {
    Strategy s = start(c.strategy());
    SyntheticCluster cluster = new SyntheticCluster(7, 120, 1);

    for (NodeInfo n : cluster.nodes()) {
      s.nodeUpserted(n);
    }
    for (Workload p : cluster.workloads()) {
      s.podUpserted(p);
    }
    s.start();
    assertThat(s.awaitIdle(WAIT)).isTrue();
    assertThat(spire.entryCount()).isEqualTo(121);
    assertThat(rpcsSince()).isEqualTo(c.cold());

    Workload relabelled = relabelled(cluster.workloads().get(1));
    s.podUpserted(relabelled);
    assertThat(s.awaitIdle(WAIT)).isTrue();
    assertThat(rpcsSince()).isEqualTo(c.relabel());

    Workload victim = cluster.workloads().get(0);
    // Not the relabelled pod: its entry changed above.
    s.podDeleted(victim.namespace(), victim.name());
    assertThat(s.awaitIdle(WAIT)).isTrue();
    assertThat(rpcsSince()).isEqualTo(c.delete());
    assertThat(spire.entryCount()).isEqualTo(120);

    assertThat(s.resyncOnce(WAIT)).isTrue();
    assertThat(rpcsSince()).isEqualTo(c.resync());
  }
}
