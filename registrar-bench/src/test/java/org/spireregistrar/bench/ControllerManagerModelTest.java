package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

class ControllerManagerModelTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration NEVER = Duration.ofHours(1);

  @TempDir Path dir;

  @Test
  void listsInPagesOf200AndCreatesInBatchesOf50() throws Exception {
    try (InMemorySpireServer spire =
            InMemorySpireServer.builder()
                .trustDomain(BenchRunner.TRUST_DOMAIN)
                .socketPath(dir.resolve("api.sock"))
                .start();
        GrpcEntryStore store =
            GrpcEntryStore.connect(spire.address(), "", BenchRunner.storeOptions("scm"))) {
      ControllerManagerModel scm = new ControllerManagerModel(BenchRunner.config(), store, NEVER);
      try {
        SyntheticCluster cluster = new SyntheticCluster(3, 449, 1);
        feed(scm, cluster);
        scm.start();
        assertThat(scm.awaitIdle(WAIT)).isTrue();
        // 450 entries: 9 creates of 50, after one list of the empty server.
        assertThat(spire.counters().rpcs("BatchCreateEntry")).isEqualTo(9);
        assertThat(spire.counters().entries("BatchCreateEntry")).isEqualTo(450);
        assertThat(spire.counters().rpcs("ListEntries")).isEqualTo(1);

        spire.resetCounters();
        assertThat(scm.resyncOnce(WAIT)).isTrue();
        // 200 + 200 + 50, and nothing written.
        assertThat(spire.counters().rpcsByMethod())
            .containsExactly(java.util.Map.entry("ListEntries", 3L));
      } finally {
        scm.close();
      }
    }
  }

  @Test
  void dropsATriggerThatArrivesDuringAPassUntilTheNextTick() throws Exception {
    BlockingStore store = new BlockingStore();
    ControllerManagerModel scm = new ControllerManagerModel(BenchRunner.config(), store, NEVER);
    try {
      SyntheticCluster cluster = new SyntheticCluster(5, 3, 1);
      feed(scm, cluster);
      scm.start();
      // The first pass is now blocked in its create call, after reading the cache.
      assertThat(store.createEntered.await(30, TimeUnit.SECONDS)).isTrue();
      // Events before start found no reconciler waiting either: count from here.
      long droppedBefore = scm.droppedTriggers();
      Workload late = SyntheticCluster.workload(new SyntheticCluster.Pod(999, 1, 2, 2, 0, 42));
      scm.podUpserted(late);
      assertThat(scm.droppedTriggers()).isEqualTo(droppedBefore + 1);
      store.release.countDown();
      assertThat(scm.awaitPasses(1, WAIT)).isTrue();

      // No second pass: the trigger was dropped and the tick is an hour away.
      assertThat(store.entries()).hasSize(4).noneMatch(e -> isFor(e, late));

      assertThat(scm.resyncOnce(WAIT)).isTrue();
      assertThat(store.entries()).hasSize(5).anyMatch(e -> isFor(e, late));
      assertThat(scm.latencies().percentiles().count()).isEqualTo(5);
    } finally {
      store.release.countDown();
      scm.close();
    }
  }

  private static boolean isFor(Entry e, Workload pod) {
    return e.spec().selectorStrings().contains("k8s:pod-name:" + pod.name());
  }

  private static void feed(Strategy s, SyntheticCluster cluster) {
    for (NodeInfo n : cluster.nodes()) {
      s.nodeUpserted(n);
    }
    for (Workload p : cluster.workloads()) {
      s.podUpserted(p);
    }
  }

  /** An in-memory store whose first create blocks until released. */
  private static final class BlockingStore implements EntryStore {
    final InMemoryEntryStore delegate = new InMemoryEntryStore();
    final CountDownLatch createEntered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    List<Entry> entries() {
      return delegate.entries();
    }

    @Override
    public List<Entry> list(EntryFilter filter) {
      return delegate.list(filter);
    }

    @Override
    public List<EntryResult> create(List<EntrySpec> specs) {
      createEntered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return delegate.create(specs);
    }

    @Override
    public List<EntryResult> update(List<Entry> entries) {
      return delegate.update(entries);
    }

    @Override
    public List<EntryResult> delete(List<EntryId> ids) {
      return delegate.delete(ids);
    }
  }
}
