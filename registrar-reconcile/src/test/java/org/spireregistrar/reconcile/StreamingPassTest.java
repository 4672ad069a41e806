package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.policy.IdPolicy;
import org.spireregistrar.core.policy.ServiceAccountIdPolicy;

/**
 * A pass streams its writes: calls go out while the rest of the objects are still being computed.
 * Progress of the computation is observed through an ID policy that counts the pods it is asked
 * about, so every assertion is about order, never about elapsed time.
 */
class StreamingPassTest {
  private static final TrustDomain TD = new TrustDomain("example.org");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int PODS = 500;

  private final InMemoryEntryStore memory = new InMemoryEntryStore();
  private final FakeTicker ticker = new FakeTicker();
  private final AtomicInteger computed = new AtomicInteger();
  private SyncEngine engine;

  /** The service-account policy, counting the pods it computes an ID for. */
  private final IdPolicy counting =
      new IdPolicy() {
        private final IdPolicy inner = new ServiceAccountIdPolicy(TD);

        @Override
        public Optional<SpiffeId> workloadId(Workload pod) {
          computed.incrementAndGet();
          return inner.workloadId(pod);
        }
      };

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  private SyncEngine engine(EntryStore store, int writeConcurrency) {
    return engine(store, writeConcurrency, false);
  }

  private SyncEngine engine(EntryStore store, int writeConcurrency, boolean dnsNames) {
    ReconcileEntries entries =
        new ReconcileEntries(
            TD, "c1", "spire-k8s-registrar", counting, List.of(), dnsNames, "cluster.local");
    engine =
        new SyncEngine(
            entries,
            "c1",
            dnsNames,
            UnaryOperator.identity(),
            store,
            new SyncEngine.Options(
                Duration.ofMinutes(10),
                50,
                Duration.ofMillis(5),
                Duration.ofMillis(50),
                writeConcurrency),
            SyncListener.NONE,
            ticker);
    for (int i = 0; i < PODS; i++) {
      engine.podUpserted(
          new Workload(
              "shop",
              "p" + i,
              "uid-" + i,
              "sa" + i,
              "n1",
              "",
              "10.0.0.1",
              Map.of(),
              Map.of(),
              false));
    }
    return engine;
  }

  private static void startSynced(SyncEngine e) {
    e.start();
    e.setLeader(true);
    e.cachesSynced();
  }

  @Test
  void theFirstBatchIsWrittenBeforeTheLastObjectIsComputed() throws Exception {
    AtomicLong computedAtFirstCreate = new AtomicLong(-1);
    EntryStore store =
        new Delegating(memory) {
          @Override
          public List<EntryResult> create(List<EntrySpec> specs) {
            computedAtFirstCreate.compareAndSet(-1, computed.get());
            return memory.create(specs);
          }
        };
    SyncEngine e = engine(store, 1);
    startSynced(e);
    assertThat(e.awaitIdle(WAIT)).isTrue();

    assertThat(memory.entries()).hasSize(PODS);
    assertThat(computed).hasValue(PODS);
    assertThat(computedAtFirstCreate.get()).isBetween(50L, PODS / 2L);
    // Streaming keeps every call but the last full: the same calls as one diff of everything.
    assertThat(memory.calls("create")).isEqualTo(PODS / 50);
    assertThat(memory.calls("list")).isEqualTo(1);
  }

  @Test
  void computingGoesOnWhileTheFirstCallIsInFlight() throws Exception {
    CountDownLatch firstCallStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstCall = new CountDownLatch(1);
    AtomicInteger createCalls = new AtomicInteger();
    EntryStore store =
        new Delegating(memory) {
          @Override
          public List<EntryResult> create(List<EntrySpec> specs) {
            if (createCalls.incrementAndGet() == 1) {
              firstCallStarted.countDown();
              try {
                if (!releaseFirstCall.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                  throw new IllegalStateException("the test never released the first call");
                }
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new EntryStoreException("interrupted", true, ex);
              }
            }
            return memory.create(specs);
          }
        };
    SyncEngine e = engine(store, 2);
    startSynced(e);
    assertThat(firstCallStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    // The first call hangs: the pass still computes the next objects and sends the second call,
    // then waits for a free call slot (two in flight), with objects left to compute.
    await().atMost(WAIT).until(() -> createCalls.get() >= 2 && memory.calls("create") >= 1);
    await().atMost(WAIT).until(() -> computed.get() >= 150);
    assertThat(computed.get()).isLessThan(PODS);
    assertThat(createCalls).hasValue(2);
    assertThat(memory.entries()).hasSize(50); // the second call's

    releaseFirstCall.countDown();
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(memory.entries()).hasSize(PODS);
    assertThat(memory.calls("create")).isEqualTo(PODS / 50);
  }

  @Test
  void aFailedCallStopsTheStreamAndTheRetryResyncsEverything() throws Exception {
    AtomicInteger createCalls = new AtomicInteger();
    EntryStore store =
        new Delegating(memory) {
          @Override
          public List<EntryResult> create(List<EntrySpec> specs) {
            if (createCalls.incrementAndGet() == 2) {
              throw new EntryStoreException("SPIRE unavailable (test)", true, null);
            }
            return memory.create(specs);
          }
        };
    SyncEngine e = engine(store, 1);
    startSynced(e);
    assertThat(e.awaitParked(WAIT)).isTrue();
    // Nothing was sent after the failed call; the pass stopped there.
    assertThat(createCalls).hasValue(2);
    assertThat(memory.entries()).hasSize(50);
    assertThat(computed.get()).isLessThan(PODS);
    assertThat(e.status().spireReachable()).isFalse();

    ticker.advance(Duration.ofMillis(50));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(memory.entries()).hasSize(PODS);
    assertThat(memory.calls("create")).isEqualTo(1 + (PODS - 50) / 50);
  }

  @Test
  void aFullPassComputesOnlyWhatChangedSinceTheLastOne() throws Exception {
    SyncEngine e = engine(memory, 1, true);
    startSynced(e);
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(computed).hasValue(PODS);

    // Nothing changed: the full pass compares, computes nothing again and writes nothing.
    long writes = memory.writeCalls();
    e.requestResync();
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(computed).hasValue(PODS);
    assertThat(memory.writeCalls()).isEqualTo(writes);

    // An update the policy does not read keeps what was computed; a relevant one does not.
    e.podUpserted(
        new Workload(
            "shop", "p1", "uid-1", "sa1", "n1", "", "10.0.0.1", Map.of(), Map.of(), false));
    e.podUpserted(
        new Workload(
            "shop", "p2", "uid-2", "sa-new", "n1", "", "10.0.0.1", Map.of(), Map.of(), false));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(computed).hasValue(PODS + 1);
    assertThat(memory.entries())
        .anySatisfy(x -> assertThat(x.spiffeId().path()).endsWith("/sa-new"));

    // An Endpoints change can change any pod's DNS names: everything is computed again, and the
    // Service's names reach the pod it selects.
    e.endpointsUpserted(
        new org.spireregistrar.core.model.EndpointsInfo(
            "shop",
            "web",
            List.of(
                new org.spireregistrar.core.model.EndpointsInfo.Address(
                    "10.0.0.1", "", "Pod", "shop", "p3", "uid-3")),
            List.of()));
    assertThat(e.awaitIdle(WAIT)).isTrue();
    e.requestResync();
    assertThat(e.awaitIdle(WAIT)).isTrue();
    assertThat(computed.get()).isGreaterThanOrEqualTo(2 * PODS);
    assertThat(memory.entries())
        .anySatisfy(x -> assertThat(x.spec().dnsNames()).contains("web.shop.svc"));
  }

  /** A store that passes every call to another. */
  private static class Delegating implements EntryStore {
    private final EntryStore inner;

    Delegating(EntryStore inner) {
      this.inner = inner;
    }

    @Override
    public List<Entry> list(EntryFilter filter) {
      return inner.list(filter);
    }

    @Override
    public List<EntryResult> create(List<EntrySpec> specs) {
      return inner.create(specs);
    }

    @Override
    public List<EntryResult> update(List<Entry> entries) {
      return inner.update(entries);
    }

    @Override
    public List<EntryResult> delete(List<EntryId> ids) {
      return inner.delete(ids);
    }
  }
}
