package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Backoff;

class WorkQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration RESYNC = Duration.ofMinutes(10);
  private static final Duration MS = Duration.ofMillis(1);
  private static final Duration NS = Duration.ofNanos(1);
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));

  /** Jitter that always draws the whole ceiling, so that delays are exact. */
  private static final RandomGenerator WHOLE_CEILING =
      new RandomGenerator() {
        @Override
        public long nextLong() {
          throw new UnsupportedOperationException("only bounded draws are expected");
        }

        @Override
        public long nextLong(long bound) {
          return bound - 1;
        }
      };

  private final FakeTicker ticker = new FakeTicker();
  private final WorkQueue<String> queue = new WorkQueue<>(RESYNC, BACKOFF, ticker, WHOLE_CEILING);
  private CompletableFuture<?> taker;

  @AfterEach
  void stop() {
    queue.close();
    if (taker != null) {
      taker.orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  /** Takes the first batch (the full resync every queue starts with) and completes it. */
  private void drainInitialResync() {
    WorkQueue.Batch<String> first = queue.poll().orElseThrow();
    assertThat(first.fullResync()).isTrue();
    queue.complete(first, List.of(), List.of());
  }

  private WorkQueue.Batch<String> pollKeys(String... keys) {
    Optional<WorkQueue.Batch<String>> batch = queue.poll();
    assertThat(batch).as("a batch is due").isPresent();
    assertThat(batch.get().firstChanged().keySet()).containsExactly(keys);
    return batch.get();
  }

  @Test
  void startsWithAFullResync() {
    WorkQueue.Batch<String> first = queue.poll().orElseThrow();
    assertThat(first.fullResync()).isTrue();
    assertThat(first.firstChanged()).isEmpty();
    queue.complete(first, List.of(), List.of());
    assertThat(queue.poll()).isEmpty();
  }

  @Test
  void coalescesRepeatedChangesKeepingTheFirstChangeTimeAndOrder() {
    drainInitialResync();
    long t0 = ticker.nanoTime();
    queue.add("a");
    ticker.advance(MS);
    queue.addAll(List.of("b", "a"));
    ticker.advance(MS);
    queue.add("a");

    WorkQueue.Batch<String> batch = pollKeys("a", "b");
    assertThat(batch.fullResync()).isFalse();
    assertThat(batch.firstChanged()).containsEntry("a", t0).containsEntry("b", t0 + MS.toNanos());
  }

  @Test
  void aChangeDuringABatchIsKeptForTheNextBatch() {
    drainInitialResync();
    queue.add("a");
    WorkQueue.Batch<String> first = pollKeys("a");
    ticker.advance(MS);
    long during = ticker.nanoTime();
    queue.add("a");
    queue.add("b");
    queue.complete(first, List.of("a"), List.of());

    WorkQueue.Batch<String> next = pollKeys("a", "b");
    assertThat(next.firstChanged()).containsEntry("a", during);
  }

  @Test
  void aBatchMustEndBeforeTheNextIsTaken() {
    WorkQueue.Batch<String> first = queue.poll().orElseThrow();
    assertThatThrownBy(queue::poll)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the previous batch has not been ended");
    queue.requeue(first);
    assertThatThrownBy(() -> queue.requeue(first))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("not the batch in flight");
  }

  @Test
  void failedKeysBackOffDoublingUpToTheCap() {
    drainInitialResync();
    long t0 = ticker.nanoTime();
    queue.add("a");
    for (Duration delay : List.of(10, 20, 40, 40, 40).stream().map(Duration::ofMillis).toList()) {
      WorkQueue.Batch<String> batch = pollKeys("a");
      assertThat(batch.firstChanged())
          .as("first change kept across retries")
          .containsEntry("a", t0);
      queue.complete(batch, List.of(), List.of("a"));

      ticker.advance(delay.minus(NS));
      assertThat(queue.poll()).as("before %s", delay).isEmpty();
      ticker.advance(NS);
    }
    pollKeys("a");
  }

  @Test
  void aSyncResetsTheKeysBackoff() {
    drainInitialResync();
    queue.add("a");
    queue.complete(pollKeys("a"), List.of(), List.of("a"));
    ticker.advance(Duration.ofMillis(10));
    queue.complete(pollKeys("a"), List.of(), List.of("a"));
    ticker.advance(Duration.ofMillis(20));
    queue.complete(pollKeys("a"), List.of("a"), List.of());

    queue.add("a");
    queue.complete(pollKeys("a"), List.of(), List.of("a"));
    ticker.advance(Duration.ofMillis(10));
    pollKeys("a");
  }

  @Test
  void aDelayedKeyDoesNotHoldBackOthers() {
    drainInitialResync();
    queue.add("a");
    queue.complete(pollKeys("a"), List.of(), List.of("a"));
    queue.add("b");
    queue.complete(pollKeys("b"), List.of("b"), List.of());
    assertThat(queue.poll()).isEmpty();
  }

  @Test
  void aWholeBatchFailureRequeuesEverythingBehindTheBatchBackoffWithAFullResync() {
    drainInitialResync();
    long t0 = ticker.nanoTime();
    queue.add("a");
    assertThat(queue.failed(pollKeys("a"))).isEqualTo(Duration.ofMillis(10));
    assertThat(queue.batchFailures()).isEqualTo(1);
    queue.add("b");

    ticker.advance(Duration.ofMillis(10).minus(NS));
    assertThat(queue.poll()).as("every key waits, new ones too").isEmpty();
    ticker.advance(NS);
    WorkQueue.Batch<String> retry = pollKeys("a", "b");
    assertThat(retry.fullResync()).isTrue();
    assertThat(retry.firstChanged()).containsEntry("a", t0);

    assertThat(queue.failed(retry)).isEqualTo(Duration.ofMillis(20));
    assertThat(queue.batchFailures()).isEqualTo(2);
    ticker.advance(Duration.ofMillis(20));
    queue.complete(pollKeys("a", "b"), List.of("a", "b"), List.of());
    assertThat(queue.batchFailures()).isZero();
  }

  @Test
  void retryAfterDelaysEverythingWithoutCountingAFailure() {
    drainInitialResync();
    queue.add("a");
    queue.retryAfter(pollKeys("a"), Duration.ofSeconds(1));
    assertThat(queue.batchFailures()).isZero();
    ticker.advance(Duration.ofSeconds(1).minus(NS));
    assertThat(queue.poll()).isEmpty();
    ticker.advance(NS);
    assertThat(pollKeys("a").fullResync()).isTrue();
  }

  @Test
  void holdsKeepWorkBackAndReleasingAsksForAFullResync() {
    drainInitialResync();
    queue.hold("not leader");
    queue.hold("caches not synced");
    queue.add("a");
    queue.requestFullResync();
    assertThat(queue.poll()).isEmpty();
    assertThat(queue.release("not leader")).isTrue();
    assertThat(queue.release("not leader")).isFalse();
    assertThat(queue.poll()).isEmpty();
    assertThat(queue.isHeld("caches not synced")).isTrue();

    queue.release("caches not synced");
    WorkQueue.Batch<String> batch = pollKeys("a");
    assertThat(batch.fullResync()).isTrue();
  }

  @Test
  void aFullResyncIsDueAnIntervalAfterTheLastOneStarted() {
    drainInitialResync();
    ticker.advance(RESYNC.minus(NS));
    assertThat(queue.poll()).isEmpty();
    ticker.advance(NS);
    WorkQueue.Batch<String> resync = queue.poll().orElseThrow();
    assertThat(resync.fullResync()).isTrue();
    ticker.advance(Duration.ofMinutes(1));
    queue.complete(resync, List.of(), List.of());

    // A requested one restarts the interval too.
    ticker.advance(Duration.ofMinutes(1));
    queue.requestFullResync();
    queue.complete(queue.poll().orElseThrow(), List.of(), List.of());
    ticker.advance(RESYNC.minus(NS));
    assertThat(queue.poll()).isEmpty();
    ticker.advance(NS);
    assertThat(queue.poll()).hasValueSatisfying(b -> assertThat(b.fullResync()).isTrue());
  }

  @Test
  void aBlockedTakeWakesWhenADelayedKeyFallsDue() throws Exception {
    drainInitialResync();
    queue.add("a");
    queue.complete(pollKeys("a"), List.of(), List.of("a"));
    CompletableFuture<Optional<WorkQueue.Batch<String>>> took = takeInBackground();

    assertThat(queue.awaitParked(WAIT)).isTrue();
    ticker.advance(Duration.ofMillis(10).minus(NS));
    assertThat(queue.awaitParked(WAIT)).isTrue();
    assertThat(took).isNotDone();

    ticker.advance(NS);
    assertThat(took.get(10, TimeUnit.SECONDS))
        .hasValueSatisfying(b -> assertThat(b.firstChanged()).containsOnlyKeys("a"));
  }

  @Test
  void aBlockedTakeWakesForANewKeyAndReturnsEmptyOnClose() throws Exception {
    drainInitialResync();
    CompletableFuture<Optional<WorkQueue.Batch<String>>> took = takeInBackground();
    assertThat(queue.awaitParked(WAIT)).isTrue();
    queue.add("a");
    WorkQueue.Batch<String> batch = took.get(10, TimeUnit.SECONDS).orElseThrow();
    assertThat(batch.firstChanged()).containsOnlyKeys("a");
    queue.complete(batch, List.of("a"), List.of());

    CompletableFuture<Optional<WorkQueue.Batch<String>>> closed = takeInBackground();
    assertThat(queue.awaitParked(WAIT)).isTrue();
    queue.close();
    assertThat(closed.get(10, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void idleOnlyWhenNothingIsPending() throws Exception {
    assertThat(queue.awaitIdle(Duration.ZERO)).as("initial resync pending").isFalse();
    WorkQueue.Batch<String> first = queue.poll().orElseThrow();
    assertThat(queue.awaitIdle(Duration.ZERO)).as("batch in flight").isFalse();
    queue.complete(first, List.of(), List.of());
    assertThat(queue.awaitIdle(Duration.ZERO)).isTrue();

    queue.add("a");
    assertThat(queue.awaitIdle(Duration.ZERO)).as("changed key").isFalse();
    queue.complete(pollKeys("a"), List.of(), List.of("a"));
    assertThat(queue.awaitIdle(Duration.ZERO)).as("delayed key").isFalse();
    ticker.advance(Duration.ofMillis(10));
    queue.complete(pollKeys("a"), List.of("a"), List.of());
    assertThat(queue.awaitIdle(Duration.ZERO)).isTrue();

    queue.hold("not leader");
    assertThat(queue.awaitIdle(Duration.ZERO)).as("held").isFalse();
  }

  @Test
  void aFailedKeyThatWasNotInTheBatchCountsFromItsFailure() {
    drainInitialResync();
    ticker.advance(MS);
    queue.requestFullResync();
    WorkQueue.Batch<String> resync = queue.poll().orElseThrow();
    long failedAt = ticker.nanoTime();
    // "x" was found by the full resync, not changed: its latency starts at its failure.
    queue.complete(resync, Set.of("y"), List.of("x"));
    ticker.advance(Duration.ofMillis(10));
    assertThat(pollKeys("x").firstChanged()).containsEntry("x", failedAt);
  }

  private CompletableFuture<Optional<WorkQueue.Batch<String>>> takeInBackground() {
    CompletableFuture<Optional<WorkQueue.Batch<String>>> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(queue.take());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            "test-taker");
    t.setDaemon(true);
    t.start();
    taker = f;
    return f;
  }
}
