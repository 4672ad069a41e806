package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.policy.ServiceAccountIdPolicy;

/**
 * Early passes: once the informers are partly synced, the entries of the objects listed so far are
 * written in full calls only, nothing is deleted for want of an object, and the full pass after the
 * sync writes the rest and deletes what no object calls for, reusing the index. The fake ticker
 * never moves on its own, so {@code awaitParked} marks the point where all the engine may do has
 * been done.
 */
class EarlyPassTest {
  private static final TrustDomain TD = new TrustDomain("example.org");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String ROOT = "spiffe://example.org/spire-k8s-registrar/c1/node";
  private static final int BATCH = 50;

  private final InMemoryEntryStore store = new InMemoryEntryStore();
  private final FakeTicker ticker = new FakeTicker();
  private SyncEngine engine;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  private SyncEngine engine() {
    ReconcileEntries entries =
        new ReconcileEntries(
            TD,
            "c1",
            "spire-k8s-registrar",
            new ServiceAccountIdPolicy(TD),
            List.of("kube-system"),
            false,
            "cluster.local");
    engine =
        new SyncEngine(
            entries,
            "c1",
            false,
            UnaryOperator.identity(),
            store,
            new SyncEngine.Options(
                Duration.ofMinutes(10), BATCH, Duration.ofMillis(5), Duration.ofMillis(50), 1),
            SyncListener.NONE,
            ticker);
    engine.start();
    engine.setLeader(true);
    return engine;
  }

  private static Workload pod(String name) {
    return new Workload("shop", name, "uid-" + name, name, "n1", "", "", Map.of(), Map.of(), false);
  }

  private static Entry podEntry(String id, String name) {
    return Entry.of(
        new EntryId(id),
        EntrySpec.of(
            SpiffeId.parse("spiffe://example.org/ns/shop/sa/" + name),
            SpiffeId.parse(ROOT + "/n1"),
            List.of(Selector.parse("k8s:ns:shop"), Selector.parse("k8s:pod-name:" + name))));
  }

  private boolean has(String podName) {
    return store.entries().stream()
        .anyMatch(e -> e.spiffeId().toString().endsWith("/sa/" + podName));
  }

  @Test
  void earlyPassesSendFullCallsOnlyDeleteNothingAndTheSyncFinishes() throws Exception {
    // An owned entry of a pod that no longer exists, and one of a pod listed late.
    store.put(podEntry("stale", "gone-0"));
    Entry late = podEntry("kept", "late-0");
    store.put(late);
    SyncEngine e = engine();
    e.partlySynced();
    for (int i = 0; i < 120; i++) {
      e.podUpserted(pod("p-" + i));
    }
    assertThat(e.awaitParked(WAIT)).isTrue();

    // However the 120 pods were split into passes, what did not fill a call is carried over.
    assertThat(store.calls("create")).isEqualTo(2);
    assertThat(store.entries().stream().filter(x -> x.spiffeId().toString().contains("/sa/p-")))
        .hasSize(2 * BATCH);
    assertThat(store.calls("list")).isEqualTo(1);
    // The stale entry stays: the pod it was for may just not have been listed yet.
    assertThat(store.calls("delete")).isZero();
    assertThat(has("gone-0")).isTrue();
    assertThat(e.status().cachesSynced()).isFalse();
    assertThat(e.awaitIdle(Duration.ZERO)).isFalse();

    // A pod deleted while listing keeps its entry until the sync says it is gone for good.
    String written =
        store.entries().stream()
            .map(x -> x.spiffeId().toString())
            .filter(s -> s.contains("/sa/p-"))
            .findFirst()
            .orElseThrow();
    String deletedPod = written.substring(written.lastIndexOf('/') + 1);
    e.podDeleted("shop", deletedPod);
    e.podUpserted(pod("late-0")); // its entry is already right: nothing to write
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(has(deletedPod)).isTrue();
    assertThat(store.calls("delete")).isZero();
    assertThat(store.calls("create")).isEqualTo(2);

    e.cachesSynced();
    assertThat(e.awaitIdle(WAIT)).isTrue();
    // The rest in one more call; the stale entry and the deleted pod's go; the index is reused.
    assertThat(store.calls("create")).isEqualTo(3);
    assertThat(store.calls("delete")).isEqualTo(1);
    assertThat(store.calls("list")).isEqualTo(1);
    assertThat(has("gone-0")).isFalse();
    assertThat(has(deletedPod)).isFalse();
    assertThat(store.entries()).hasSize(120 - 1 + 1);
    assertThat(store.entries()).contains(late);
    assertThat(e.status().cachesSynced()).isTrue();

    // The next full resync lists SPIRE again, as every periodic resync does.
    e.requestResync();
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.calls("list")).isEqualTo(2);
    assertThat(store.writeCalls()).isEqualTo(4);
  }

  @Test
  void anEarlyPassThatFailedListsSpireAgainAndLosesNothing() throws Exception {
    SyncEngine e = engine();
    store.setUnavailable(true);
    e.partlySynced();
    for (int i = 0; i < 70; i++) {
      e.podUpserted(pod("p-" + i));
    }
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(store.entries()).isEmpty();

    store.setUnavailable(false);
    ticker.advance(Duration.ofSeconds(1)); // past the backoff
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(store.entries()).hasSize(BATCH);
    long lists = store.calls("list");
    assertThat(lists).isGreaterThanOrEqualTo(2);

    e.cachesSynced();
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).hasSize(70);
    assertThat(store.calls("list")).isEqualTo(lists);
  }

  @Test
  void withoutPartlySyncedNothingIsWrittenBeforeTheSync() throws Exception {
    SyncEngine e = engine();
    for (int i = 0; i < 120; i++) {
      e.podUpserted(pod("p-" + i));
    }
    assertThat(e.awaitParked(WAIT)).isTrue();
    assertThat(store.calls("list")).isZero();
    assertThat(store.writeCalls()).isZero();
    e.cachesSynced();
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(store.entries()).hasSize(120);
    assertThat(store.calls("create")).isEqualTo(3);
  }
}
