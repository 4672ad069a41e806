package org.spireregistrar.reconcile;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.spireregistrar.core.Backoff;

/**
 * A sync loop's pending work: the keys that changed, the keys waiting to be retried, and whether a
 * full resync is due. Producers on any thread add keys; one consumer takes them a batch at a time
 * and says how each batch ended.
 *
 * <ul>
 *   <li><b>Coalescing.</b> A key added several times before it is taken is taken once, with the
 *       {@link Ticker} time of its first change (for latency).
 *   <li><b>Nothing is dropped.</b> Keys added while a batch is in flight wait for the next batch;
 *       keys of a batch that did not sync go back with their first-change time.
 *   <li><b>Per-key backoff.</b> A key that {@link #complete completed} as failed is retried {@link
 *       Backoff#delay} of its consecutive failures later; completing it as synced resets the count.
 *   <li><b>Whole-batch failure</b> ({@link #failed}): every key goes back, a full resync is asked
 *       for, and no batch is handed out before the backoff of the consecutive whole-batch failures
 *       has passed.
 *   <li><b>Full resync</b> is requested at construction, by {@link #requestFullResync}, by lifting
 *       a {@link #hold}, and after a whole-batch failure; it is also due {@code resyncInterval}
 *       after the last full batch was handed out.
 *   <li><b>Holds</b> (caches not synced, not the leader) keep takes from handing out any work.
 * </ul>
 *
 * <p>Every deadline (retry, backoff, resync) is a reading of the {@link Ticker}, and {@link #take}
 * waits for it through the ticker, so a test that advances a fake ticker drives all timing.
 *
 * <p>Locking: every field below is guarded by {@code lock}, the one place producers and the
 * consumer meet; no callback runs under it. The consumer (one thread) takes a batch, then ends it
 * exactly once with {@link #complete}, {@link #failed}, {@link #retryAfter} or {@link #requeue}
 * before taking the next.
 *
 * @param <K> the key of a unit of work (reconcile mode: {@link ObjectKey})
 */
public final class WorkQueue<K> {

  /**
   * Work handed out by {@link #take}.
   *
   * @param fullResync whether everything should be listed and compared, not only {@code
   *     firstChanged}'s keys
   * @param firstChanged the changed keys, in the order they first changed, each with the {@link
   *     Ticker} time of its first change not yet synced; unmodifiable
   */
  public record Batch<K>(boolean fullResync, Map<K, Long> firstChanged) {}

  private record Delayed(long due, long firstChanged) {}

  private final long resyncIntervalNanos;
  private final Backoff backoff;
  private final Ticker ticker;
  private final RandomGenerator jitter;
  private final Object lock = new Object();

  // Guarded by lock.
  private LinkedHashMap<K, Long> dirty = new LinkedHashMap<>();
  private final Map<K, Delayed> delayed = new HashMap<>();
  private final Map<K, Integer> failures = new HashMap<>();
  private final Set<String> holds = new HashSet<>();
  private boolean fullResync = true;
  private boolean resyncScheduled;
  private long nextResyncAt;
  private boolean paused;
  private long pausedUntil;
  private int batchFailures;
  private Batch<K> inFlight;
  private boolean closed;
  // What the consumer is waiting for, while it waits; see awaitParked.
  private boolean consumerParked;
  private boolean consumerHasDeadline;
  private long consumerDeadline;

  /**
   * A queue whose retry delays are jittered by a private random source.
   *
   * @param resyncInterval how long after a full batch the next is due
   * @param backoff delays of per-key retries and of the whole queue after a failed batch
   * @param ticker the time source of every deadline
   */
  public WorkQueue(Duration resyncInterval, Backoff backoff, Ticker ticker) {
    this(resyncInterval, backoff, ticker, new SplittableRandom());
  }

  /**
   * A queue whose retry delays are jittered by {@code jitter} (only ever used under the queue's
   * lock, so it need not be thread-safe).
   */
  public WorkQueue(
      Duration resyncInterval, Backoff backoff, Ticker ticker, RandomGenerator jitter) {
    this.resyncIntervalNanos = resyncInterval.toNanos();
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.jitter = Objects.requireNonNull(jitter, "jitter");
  }

  // ---------------------------------------------------------------- producers (any thread)

  /** Marks {@code key} changed; a key already pending keeps its first-change time. */
  public void add(K key) {
    Objects.requireNonNull(key, "key");
    long now = ticker.nanoTime();
    synchronized (lock) {
      boolean wasEmpty = dirty.isEmpty();
      dirty.putIfAbsent(key, now);
      wakeIfUseful(wasEmpty);
    }
  }

  /** Marks every key of {@code keys} changed, as {@link #add} does. */
  public void addAll(Collection<? extends K> keys) {
    if (keys.isEmpty()) {
      return;
    }
    long now = ticker.nanoTime();
    synchronized (lock) {
      boolean wasEmpty = dirty.isEmpty();
      for (K key : keys) {
        dirty.putIfAbsent(Objects.requireNonNull(key, "key"), now);
      }
      wakeIfUseful(wasEmpty);
    }
  }

  /** Asks for a full resync as soon as a batch may start. */
  public void requestFullResync() {
    synchronized (lock) {
      fullResync = true;
      wakeConsumer();
    }
  }

  /** Hands out no work until {@code reason} is {@link #release released}. */
  public void hold(String reason) {
    synchronized (lock) {
      holds.add(Objects.requireNonNull(reason, "reason"));
    }
  }

  /**
   * Lifts the hold for {@code reason}. Work resumes with a full resync, since what happened while
   * it was held is unknown.
   *
   * @return whether there was such a hold
   */
  public boolean release(String reason) {
    synchronized (lock) {
      if (!holds.remove(reason)) {
        return false;
      }
      fullResync = true;
      wakeConsumer();
      return true;
    }
  }

  /** Whether work is held for {@code reason}. */
  public boolean isHeld(String reason) {
    synchronized (lock) {
      return holds.contains(reason);
    }
  }

  /** Makes {@link #take} return empty from now on; keys can still be added (and are ignored). */
  public void close() {
    synchronized (lock) {
      closed = true;
      wakeConsumer();
    }
  }

  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * Wakes the consumer only when new work can start a batch: not while held (lifting the hold wakes
   * it), and once per non-empty dirty set. Waking it per key would cost a context switch per pod on
   * a cold start.
   */
  private void wakeIfUseful(boolean dirtyWasEmpty) {
    if (dirtyWasEmpty && holds.isEmpty()) {
      wakeConsumer();
    }
  }

  private void wakeConsumer() {
    consumerParked = false;
    lock.notifyAll();
  }

  // ---------------------------------------------------------------- the consumer (one thread)

  /**
   * Waits for work that may start now (no hold, no backoff in force) and hands it out: the changed
   * keys, plus a full resync when one is requested or due. Delayed keys join once due.
   *
   * @return the batch; empty once the queue is {@link #close closed}
   * @throws IllegalStateException when the previous batch has not been ended
   * @throws InterruptedException when interrupted while waiting
   */
  public Optional<Batch<K>> take() throws InterruptedException {
    synchronized (lock) {
      while (!closed) {
        long now = ticker.nanoTime();
        Batch<K> batch = next(now);
        if (batch != null) {
          return Optional.of(batch);
        }
        park(now);
      }
      return Optional.empty();
    }
  }

  /**
   * The batch {@link #take} would hand out now, without waiting.
   *
   * @throws IllegalStateException when the previous batch has not been ended
   */
  public Optional<Batch<K>> poll() {
    synchronized (lock) {
      return closed ? Optional.empty() : Optional.ofNullable(next(ticker.nanoTime()));
    }
  }

  private Batch<K> next(long now) {
    if (inFlight != null) {
      throw new IllegalStateException("the previous batch has not been ended");
    }
    promoteDue(now);
    boolean resyncDue = resyncScheduled && now - nextResyncAt >= 0;
    if (!(fullResync || resyncDue || !dirty.isEmpty()) || !mayStart(now)) {
      return null;
    }
    boolean full = fullResync || resyncDue;
    if (full) {
      fullResync = false;
      resyncScheduled = true;
      nextResyncAt = now + resyncIntervalNanos;
    }
    inFlight = new Batch<>(full, Collections.unmodifiableMap(dirty));
    dirty = new LinkedHashMap<>();
    return inFlight;
  }

  private boolean mayStart(long now) {
    return holds.isEmpty() && !pausedAt(now);
  }

  private boolean pausedAt(long now) {
    return paused && now - pausedUntil < 0;
  }

  private void promoteDue(long now) {
    var it = delayed.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (now - e.getValue().due() >= 0) {
        dirty.merge(e.getKey(), e.getValue().firstChanged(), WorkQueue::earlier);
        it.remove();
      }
    }
  }

  /** Waits for a producer, or until the first moment work may start without one. */
  private void park(long now) throws InterruptedException {
    boolean hasDeadline = false;
    long deadline = 0;
    for (Delayed d : delayed.values()) {
      deadline = hasDeadline ? earlier(deadline, d.due()) : d.due();
      hasDeadline = true;
    }
    if (pausedAt(now)) {
      deadline = hasDeadline ? earlier(deadline, pausedUntil) : pausedUntil;
      hasDeadline = true;
    }
    if (resyncScheduled && mayStart(now)) {
      deadline = hasDeadline ? earlier(deadline, nextResyncAt) : nextResyncAt;
      hasDeadline = true;
    }
    consumerParked = true;
    consumerHasDeadline = hasDeadline;
    consumerDeadline = deadline;
    lock.notifyAll(); // for awaitParked
    try {
      if (hasDeadline) {
        ticker.awaitUntil(lock, deadline);
      } else {
        lock.wait();
      }
    } finally {
      consumerParked = false;
    }
  }

  /**
   * Ends {@code batch}: keys of {@code failed} are retried after their per-key backoff, keys of
   * {@code synced} have theirs reset, and the whole-batch failure count is reset.
   */
  public void complete(
      Batch<K> batch, Collection<? extends K> synced, Collection<? extends K> failed) {
    synchronized (lock) {
      end(batch);
      long now = ticker.nanoTime();
      batchFailures = 0;
      if (!failures.isEmpty()) {
        for (K key : synced) {
          failures.remove(key);
        }
      }
      for (K key : failed) {
        int attempt = failures.merge(key, 1, Integer::sum);
        long due = now + backoff.delay(attempt, jitter).toNanos();
        Long first = batch.firstChanged().get(key);
        Delayed retry = new Delayed(due, first == null ? now : first);
        delayed.merge(
            key,
            retry,
            (old, nu) -> new Delayed(nu.due(), earlier(old.firstChanged(), nu.firstChanged())));
      }
      lock.notifyAll(); // for awaitIdle
    }
  }

  /**
   * Ends {@code batch} as failed as a whole (the store unreachable): its keys go back, a full
   * resync is requested, and no batch starts before the backoff of the consecutive whole-batch
   * failures has passed.
   *
   * @return that backoff
   */
  public Duration failed(Batch<K> batch) {
    synchronized (lock) {
      end(batch);
      batchFailures++;
      Duration delay = backoff.delay(batchFailures, jitter);
      retryEverythingAfter(batch, delay);
      return delay;
    }
  }

  /**
   * Ends {@code batch} as {@link #failed} does, with a given delay and without counting a
   * whole-batch failure (for failures that are not the store's).
   */
  public void retryAfter(Batch<K> batch, Duration delay) {
    synchronized (lock) {
      end(batch);
      retryEverythingAfter(batch, delay);
    }
  }

  /** Ends {@code batch} unfinished: its keys go back, to be taken again with no delay. */
  public void requeue(Batch<K> batch) {
    synchronized (lock) {
      end(batch);
      putBack(batch);
      lock.notifyAll(); // for awaitIdle
    }
  }

  private void retryEverythingAfter(Batch<K> batch, Duration delay) {
    putBack(batch);
    fullResync = true;
    paused = true;
    pausedUntil = ticker.nanoTime() + delay.toNanos();
    lock.notifyAll(); // for awaitIdle
  }

  private void end(Batch<K> batch) {
    if (batch == null || batch != inFlight) {
      throw new IllegalStateException("not the batch in flight");
    }
    inFlight = null;
  }

  private void putBack(Batch<K> batch) {
    for (var e : batch.firstChanged().entrySet()) {
      dirty.merge(e.getKey(), e.getValue(), WorkQueue::earlier);
    }
  }

  // ---------------------------------------------------------------- observers (any thread)

  /**
   * Consecutive whole-batch {@link #failed failures}; 0 after a {@link #complete completed} one.
   */
  public int batchFailures() {
    synchronized (lock) {
      return batchFailures;
    }
  }

  /**
   * Waits until nothing is pending: no hold, no changed or delayed key, no resync requested, no
   * batch in flight, and the last batch did not fail as a whole.
   *
   * @param timeout the longest wait, in real time (not the ticker's)
   * @return whether that state was reached within {@code timeout}
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return await(
        timeout,
        () ->
            holds.isEmpty()
                && dirty.isEmpty()
                && delayed.isEmpty()
                && !fullResync
                && inFlight == null
                && batchFailures == 0);
  }

  /**
   * Waits until the consumer is blocked in {@link #take} with nothing it may do: it has seen every
   * change that could start a batch, and the deadline it waits for (if any) has not come. With a
   * fake {@link Ticker}, that is the point where everything the last change or clock advance
   * allowed has been done: what has not happened by then will not happen without another.
   *
   * @param timeout the longest wait, in real time (not the ticker's)
   * @return whether that state was reached within {@code timeout}
   */
  public boolean awaitParked(Duration timeout) throws InterruptedException {
    return await(
        timeout,
        () -> consumerParked && (!consumerHasDeadline || ticker.nanoTime() - consumerDeadline < 0));
  }

  private boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** The earlier of two ticker readings (which may wrap around, like {@link System#nanoTime}). */
  private static long earlier(long a, long b) {
    return a - b <= 0 ? a : b;
  }
}
