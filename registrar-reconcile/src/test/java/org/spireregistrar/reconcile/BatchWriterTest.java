package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;

class BatchWriterTest {
  private static final SpiffeId PARENT = SpiffeId.parse("spiffe://example.org/parent");

  private final InMemoryEntryStore memory = new InMemoryEntryStore();
  private final List<Integer> callSizes = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Predicate<List<?>> failCall = items -> false;
  private volatile CyclicBarrier meet;
  private BatchWriter writer;

  /** The in-memory store, with calls recorded and whole-call failures and meetings injected. */
  private final EntryStore store =
      new EntryStore() {
        @Override
        public List<Entry> list(EntryFilter filter) {
          return memory.list(filter);
        }

        @Override
        public List<EntryResult> create(List<EntrySpec> specs) {
          return call(specs, () -> memory.create(specs));
        }

        @Override
        public List<EntryResult> createWithIds(List<Entry> entries) {
          return call(entries, () -> memory.createWithIds(entries));
        }

        @Override
        public List<EntryResult> update(List<Entry> entries) {
          return call(entries, () -> memory.update(entries));
        }

        @Override
        public List<EntryResult> delete(List<EntryId> ids) {
          return call(ids, () -> memory.delete(ids));
        }
      };

  private List<EntryResult> call(List<?> items, Supplier<List<EntryResult>> rpc) {
    callSizes.add(items.size());
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      if (meet != null) {
        meet.await(10, TimeUnit.SECONDS);
      }
      if (failCall.test(items)) {
        throw new EntryStoreException("call starting at " + items.get(0) + " failed", true);
      }
      return rpc.get();
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private BatchWriter writer(int batchSize, int concurrency, BooleanSupplier leader) {
    writer = new BatchWriter(store, batchSize, concurrency, leader);
    return writer;
  }

  @AfterEach
  void close() {
    if (writer != null) {
      writer.close();
    }
  }

  private static EntrySpec spec(int i) {
    return EntrySpec.of(
        SpiffeId.parse("spiffe://example.org/w/" + i),
        PARENT,
        List.of(Selector.parse("k8s:pod-name:p" + i)));
  }

  private static List<EntrySpec> specs(int n) {
    return IntStream.range(0, n).mapToObj(BatchWriterTest::spec).toList();
  }

  private static <T> List<T> items(List<WriteOutcome<T>> outcomes) {
    return outcomes.stream().map(WriteOutcome::item).toList();
  }

  @Test
  void splitsItemsIntoCallsOfBatchSize() {
    List<WriteOutcome<EntrySpec>> out = writer(50, 1, () -> true).create(specs(120));
    assertThat(callSizes).containsExactly(50, 50, 20);
    assertThat(items(out)).isEqualTo(specs(120));
    assertThat(out)
        .allSatisfy(
            o ->
                assertThat(((WriteOutcome.Written<EntrySpec>) o).result().code())
                    .isEqualTo(EntryResult.Code.OK));
    assertThat(memory.entries()).hasSize(120);
  }

  @Test
  void returnsTheStoresResultForEachItemInInputOrder() {
    memory.failItems(s -> s.spiffeId().path().equals("/w/7"), EntryResult.Code.INTERNAL, "boom");
    BatchWriter w = writer(5, 2, () -> true);
    List<WriteOutcome<EntrySpec>> created = w.create(specs(12));
    assertThat(items(created)).isEqualTo(specs(12));
    for (int i = 0; i < 12; i++) {
      EntryResult r = ((WriteOutcome.Written<EntrySpec>) created.get(i)).result();
      assertThat(r.code())
          .as("item %d", i)
          .isEqualTo(i == 7 ? EntryResult.Code.INTERNAL : EntryResult.Code.OK);
      if (i != 7) {
        assertThat(r.entry().orElseThrow().spec()).isEqualTo(spec(i));
      }
    }

    List<EntryId> ids = new ArrayList<>(memory.entries().stream().map(Entry::id).sorted().toList());
    ids.add(3, new EntryId("unknown"));
    List<WriteOutcome<EntryId>> deleted = w.delete(ids);
    assertThat(items(deleted)).isEqualTo(ids);
    assertThat(deleted)
        .extracting(o -> ((WriteOutcome.Written<EntryId>) o).result().code())
        .containsExactlyElementsOf(
            ids.stream()
                .map(
                    id ->
                        id.value().equals("unknown")
                            ? EntryResult.Code.NOT_FOUND
                            : EntryResult.Code.OK)
                .toList());
    assertThat(memory.entries()).isEmpty();
  }

  @ParameterizedTest(name = "{0} calls in flight")
  @ValueSource(ints = {1, 3})
  void aWholeCallFailureFailsOnlyThatCallsItems(int concurrency) {
    failCall = items -> items.contains(spec(45));
    List<WriteOutcome<EntrySpec>> out = writer(20, concurrency, () -> true).create(specs(120));

    assertThat(items(out)).isEqualTo(specs(120));
    for (int i = 0; i < 120; i++) {
      if (i >= 40 && i < 60) {
        assertThat(out.get(i)).as("item %d", i).isInstanceOf(WriteOutcome.CallFailed.class);
        assertThat(((WriteOutcome.CallFailed<EntrySpec>) out.get(i)).error())
            .hasMessage("call starting at " + spec(40) + " failed");
      } else {
        assertThat(out.get(i)).as("item %d", i).isInstanceOf(WriteOutcome.Written.class);
      }
    }
    assertThat(callSizes).as("later calls are still made").hasSize(6);
    assertThat(memory.entries()).hasSize(100);
    assertThat(WriteOutcome.firstCallFailure(out)).isPresent();
    assertThat(WriteOutcome.leadershipLost(out)).isFalse();
  }

  @Test
  void leadershipLossStopsFurtherWindowsAndIsReportedPerItem() {
    AtomicInteger asked = new AtomicInteger();
    // Leader for the first window only.
    BatchWriter w = writer(10, 2, () -> asked.incrementAndGet() == 1);
    List<WriteOutcome<EntrySpec>> out = w.create(specs(50));

    assertThat(items(out)).isEqualTo(specs(50));
    assertThat(out.subList(0, 20)).allMatch(o -> o instanceof WriteOutcome.Written<?>);
    assertThat(out.subList(20, 50)).allMatch(o -> o instanceof WriteOutcome.NotLeader<?>);
    assertThat(callSizes).containsExactly(10, 10);
    assertThat(asked).hasValue(2);
    assertThat(memory.entries()).hasSize(20);
    assertThat(WriteOutcome.leadershipLost(out)).isTrue();
    assertThat(WriteOutcome.firstCallFailure(out)).isEmpty();
  }

  @Test
  void writesNothingWithoutLeadership() {
    List<WriteOutcome<EntrySpec>> out = writer(10, 1, () -> false).create(specs(5));
    assertThat(out).hasSize(5).allMatch(o -> o instanceof WriteOutcome.NotLeader<?>);
    assertThat(items(out)).isEqualTo(specs(5));
    assertThat(callSizes).isEmpty();
  }

  @Test
  void makesUpToWriteConcurrencyCallsAtOnce() {
    // Each call waits for three others: only four concurrent calls can get through.
    meet = new CyclicBarrier(4);
    List<WriteOutcome<EntrySpec>> out = writer(10, 4, () -> true).create(specs(80));
    assertThat(out).allMatch(o -> o instanceof WriteOutcome.Written<?>);
    assertThat(callSizes).hasSize(8);
    assertThat(maxInFlight).hasValue(4);
    assertThat(memory.entries()).hasSize(80);
  }

  @Test
  void nothingToWriteMakesNoCallAndAsksNothing() {
    AtomicInteger asked = new AtomicInteger();
    BatchWriter w =
        writer(
            10,
            2,
            () -> {
              asked.incrementAndGet();
              return true;
            });
    assertThat(w.create(List.of())).isEmpty();
    assertThat(w.update(List.of())).isEmpty();
    assertThat(w.delete(List.of())).isEmpty();
    assertThat(callSizes).isEmpty();
    assertThat(asked).hasValue(0);
  }

  private static List<Entry> withIds(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> Entry.of(new EntryId("prefix." + i), spec(i)))
        .toList();
  }

  @Test
  void createWithIdsKeepsTheChosenIdsInCallsOfBatchSizeAndInputOrder() {
    List<WriteOutcome<Entry>> out = writer(10, 2, () -> true).createWithIds(withIds(25));

    assertThat(callSizes).containsExactlyInAnyOrder(10, 10, 5);
    assertThat(items(out)).isEqualTo(withIds(25));
    assertThat(out)
        .extracting(o -> ((WriteOutcome.Written<Entry>) o).result().entry().orElseThrow())
        .containsExactlyElementsOf(withIds(25));
    assertThat(memory.entries()).containsExactlyInAnyOrderElementsOf(withIds(25));
  }

  @Test
  void createWithIdsReportsCallFailuresAndLeadershipLossPerItem() {
    failCall = items -> items.contains(withIds(12).get(11));
    AtomicInteger asked = new AtomicInteger();
    // Leader for the first window (two calls) only.
    List<WriteOutcome<Entry>> out =
        writer(10, 2, () -> asked.incrementAndGet() == 1).createWithIds(withIds(30));

    assertThat(items(out)).isEqualTo(withIds(30));
    assertThat(out.subList(0, 10)).allMatch(o -> o instanceof WriteOutcome.Written<?>);
    assertThat(out.subList(10, 20)).allMatch(o -> o instanceof WriteOutcome.CallFailed<?>);
    assertThat(out.subList(20, 30)).allMatch(o -> o instanceof WriteOutcome.NotLeader<?>);
    assertThat(memory.entries()).containsExactlyInAnyOrderElementsOf(withIds(10));
  }

  @Test
  void createWithIdsAgainstAServerThatIgnoresIdsReturnsTheServersIds() {
    memory.ignoreClientIds(true);
    List<WriteOutcome<Entry>> out = writer(10, 1, () -> true).createWithIds(withIds(3));

    assertThat(items(out)).isEqualTo(withIds(3));
    for (int i = 0; i < 3; i++) {
      Entry created = ((WriteOutcome.Written<Entry>) out.get(i)).result().entry().orElseThrow();
      assertThat(created.spec()).isEqualTo(spec(i));
      assertThat(created.id()).isNotEqualTo(withIds(3).get(i).id());
    }
  }
}
