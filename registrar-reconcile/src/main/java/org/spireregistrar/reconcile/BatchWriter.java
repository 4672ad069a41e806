package org.spireregistrar.reconcile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;

/**
 * Writes creates, updates or deletes to an {@link EntryStore} in calls of at most {@code batchSize}
 * items, with up to {@code writeConcurrency} calls in flight at once (a cold start of 10,000 pods
 * is bound by SPIRE round trips, not by the server). Before each window of calls it asks {@code
 * leader} whether writing is still allowed.
 *
 * <p>Every method returns one {@link WriteOutcome} per item, in input order: the store's result for
 * it, the failure of the whole call that carried it (only that call's items; the other calls are
 * still made), or {@link WriteOutcome.NotLeader} for every item of the windows not sent once
 * leadership was gone. Neither is thrown. A store that breaks its contract does throw: a result
 * count that is not the item count is an {@link IllegalStateException}, and an exception other than
 * {@link EntryStoreException} from a call made on the caller's thread propagates (one made on a
 * call thread becomes that call's failure).
 *
 * <p>A {@link Stream} sends calls while the caller is still computing what to write: each call goes
 * out as soon as it is full, and the results come back on the caller's thread, in the order the
 * calls were sent, whenever the caller looks ({@link Stream#poll}) or has to wait for a free call
 * slot.
 *
 * <p>Threads: one caller at a time (the sync thread); calls of a window run on the writer's own
 * daemon threads, which exist only while there is work and are stopped by {@link #close}.
 */
public final class BatchWriter implements AutoCloseable {
  private final EntryStore store;
  private final int batchSize;
  private final int writeConcurrency;
  private final BooleanSupplier leader;
  private final ThreadPoolExecutor calls;

  /**
   * @param store where the calls go
   * @param batchSize most items per call; positive
   * @param writeConcurrency most calls in flight at once; positive
   * @param leader whether this replica may still write; asked before each window of calls
   */
  public BatchWriter(
      EntryStore store, int batchSize, int writeConcurrency, BooleanSupplier leader) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive");
    }
    if (writeConcurrency < 1) {
      throw new IllegalArgumentException("writeConcurrency must be positive");
    }
    this.store = Objects.requireNonNull(store, "store");
    this.batchSize = batchSize;
    this.writeConcurrency = writeConcurrency;
    this.leader = Objects.requireNonNull(leader, "leader");
    this.calls = writeConcurrency > 1 ? callThreads(writeConcurrency) : null;
  }

  private static ThreadPoolExecutor callThreads(int n) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            n,
            n,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "registrar-write-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Creates {@code specs}; see the class comment for the outcomes. */
  public List<WriteOutcome<EntrySpec>> create(List<EntrySpec> specs) {
    return write(specs, store::create);
  }

  /**
   * Creates {@code entries} under their client-chosen IDs ({@link EntryStore#createWithIds}); see
   * the class comment for the outcomes.
   */
  public List<WriteOutcome<Entry>> createWithIds(List<Entry> entries) {
    return write(entries, store::createWithIds);
  }

  /** Updates {@code entries}; see the class comment for the outcomes. */
  public List<WriteOutcome<Entry>> update(List<Entry> entries) {
    return write(entries, store::update);
  }

  /** Deletes {@code ids}; see the class comment for the outcomes. */
  public List<WriteOutcome<EntryId>> delete(List<EntryId> ids) {
    return write(ids, store::delete);
  }

  /**
   * Starts a stream of writes (one per sync pass): see {@link Stream}. One open stream at a time;
   * the caller must {@link Stream#awaitAll} before starting another.
   */
  public Stream stream() {
    return new Stream();
  }

  /**
   * Writes sent while the caller goes on computing: items are added to {@link Lane}s (one per kind
   * of write); a lane sends a call as soon as it holds {@code batchSize} items, so every call but
   * the last of each lane is full, with up to {@code writeConcurrency} calls in flight across all
   * lanes (with one, each call is made on the caller's thread when it is full). Leadership is asked
   * before each call.
   *
   * <p>Each call's outcomes (one per item, in order) go to its lane's consumer on the caller's
   * thread, in the order the calls were sent: when the caller {@link #poll}s, when a lane has to
   * wait for a free call slot, and in {@link #awaitAll}. After a whole-call failure or a call not
   * sent for lack of leadership the stream {@link #stopped() stops}: it sends nothing more (items
   * added later are dropped, never sent) and only delivers the outcomes of the calls in flight.
   */
  public final class Stream {
    private final ArrayDeque<Call<?>> inFlight = new ArrayDeque<>();
    private EntryStoreException failure;
    private boolean leadershipLost;

    private Stream() {}

    /**
     * A lane of one kind of write.
     *
     * @param rpc the store call for a batch of items
     * @param outcomes receives each call's outcomes, on the caller's thread
     */
    public <T> Lane<T> lane(
        Function<List<T>, List<EntryResult>> rpc, Consumer<List<WriteOutcome<T>>> outcomes) {
      return new Lane<>(this, rpc, outcomes);
    }

    /** A lane of creates. */
    public Lane<EntrySpec> creates(Consumer<List<WriteOutcome<EntrySpec>>> outcomes) {
      return lane(store::create, outcomes);
    }

    /** A lane of updates. */
    public Lane<Entry> updates(Consumer<List<WriteOutcome<Entry>>> outcomes) {
      return lane(store::update, outcomes);
    }

    /** A lane of deletes. */
    public Lane<EntryId> deletes(Consumer<List<WriteOutcome<EntryId>>> outcomes) {
      return lane(store::delete, outcomes);
    }

    /** Whether a call failed as a whole or was not sent for lack of leadership. */
    public boolean stopped() {
      return failure != null || leadershipLost;
    }

    /** The first whole-call failure, if any. */
    public Optional<EntryStoreException> failure() {
      return Optional.ofNullable(failure);
    }

    /** Whether a call was not sent because writing was no longer allowed. */
    public boolean leadershipLost() {
      return leadershipLost;
    }

    /** Delivers the outcomes of the calls that have finished, in order; never blocks. */
    public void poll() {
      while (!inFlight.isEmpty() && inFlight.peekFirst().future.isDone()) {
        inFlight.pollFirst().deliver();
      }
    }

    /** Waits for every call in flight and delivers its outcomes, in order. */
    public void awaitAll() {
      while (!inFlight.isEmpty()) {
        inFlight.pollFirst().deliver();
      }
    }

    private <T> void send(Lane<T> lane, List<T> chunk) {
      if (!leader.getAsBoolean()) {
        leadershipLost = true;
        List<WriteOutcome<T>> out = new ArrayList<>(chunk.size());
        for (T item : chunk) {
          out.add(new WriteOutcome.NotLeader<>(item));
        }
        lane.outcomes.accept(out);
        return;
      }
      if (calls == null) {
        List<WriteOutcome<T>> out = new ArrayList<>(chunk.size());
        callNow(chunk, lane.rpc, out);
        lane.outcomes.accept(out);
        return;
      }
      while (inFlight.size() >= writeConcurrency) {
        inFlight.pollFirst().deliver();
      }
      inFlight.addLast(new Call<>(lane, chunk, calls.submit(() -> lane.rpc.apply(chunk))));
    }

    private int batchSize() {
      return batchSize;
    }

    private void noteFailures(List<? extends WriteOutcome<?>> out) {
      if (failure == null) {
        failure = WriteOutcome.firstCallFailure(out).orElse(null);
      }
    }
  }

  /**
   * One kind of write in a {@link Stream}.
   *
   * @param <T> the item written
   */
  public static final class Lane<T> {
    private final Stream stream;
    private final Function<List<T>, List<EntryResult>> rpc;
    private final Consumer<List<WriteOutcome<T>>> outcomes;
    private final int batchSize;
    private List<T> pending;

    private Lane(
        Stream stream,
        Function<List<T>, List<EntryResult>> rpc,
        Consumer<List<WriteOutcome<T>>> outcomes) {
      this.stream = stream;
      this.rpc = Objects.requireNonNull(rpc, "rpc");
      Consumer<List<WriteOutcome<T>>> sink = Objects.requireNonNull(outcomes, "outcomes");
      this.outcomes =
          out -> {
            stream.noteFailures(out);
            sink.accept(out);
          };
      this.batchSize = stream.batchSize();
      this.pending = new ArrayList<>(batchSize);
    }

    /** Adds an item; sends a call when {@code batchSize} are waiting. Dropped once stopped. */
    public void add(T item) {
      if (stream.stopped()) {
        return;
      }
      pending.add(item);
      if (pending.size() >= batchSize) {
        flush();
      }
    }

    /**
     * Takes back the items waiting (fewer than {@code batchSize}), unsent: the caller writes them
     * later, in a call of its own or with more.
     */
    public List<T> takePending() {
      List<T> taken = pending;
      pending = new ArrayList<>(batchSize);
      return taken;
    }

    /** Sends the items waiting (a call smaller than {@code batchSize}), if any. */
    public void flush() {
      if (pending.isEmpty() || stream.stopped()) {
        return;
      }
      List<T> chunk = pending;
      pending = new ArrayList<>(batchSize);
      stream.send(this, chunk);
    }
  }

  /** A call in flight and where its outcomes go. */
  private static final class Call<T> {
    private final Lane<T> lane;
    private final List<T> chunk;
    private final Future<List<EntryResult>> future;

    Call(Lane<T> lane, List<T> chunk, Future<List<EntryResult>> future) {
      this.lane = lane;
      this.chunk = chunk;
      this.future = future;
    }

    void deliver() {
      List<WriteOutcome<T>> out = new ArrayList<>(chunk.size());
      collect(chunk, future, out);
      lane.outcomes.accept(out);
    }
  }

  /** Stops the call threads once the calls in flight (if any) are done. */
  @Override
  public void close() {
    if (calls != null) {
      calls.shutdown();
    }
  }

  private <T> List<WriteOutcome<T>> write(List<T> items, Function<List<T>, List<EntryResult>> rpc) {
    List<List<T>> chunks = new ArrayList<>();
    for (int i = 0; i < items.size(); i += batchSize) {
      chunks.add(items.subList(i, Math.min(items.size(), i + batchSize)));
    }
    List<WriteOutcome<T>> out = new ArrayList<>(items.size());
    for (int start = 0; start < chunks.size(); start += writeConcurrency) {
      List<List<T>> window =
          chunks.subList(start, Math.min(chunks.size(), start + writeConcurrency));
      if (!leader.getAsBoolean()) {
        // Leadership is gone: this window and every later one stay unsent.
        for (T item : items.subList(out.size(), items.size())) {
          out.add(new WriteOutcome.NotLeader<>(item));
        }
        return out;
      }
      if (window.size() == 1 || calls == null) {
        for (List<T> chunk : window) {
          callNow(chunk, rpc, out);
        }
      } else {
        List<Future<List<EntryResult>>> inFlight = new ArrayList<>(window.size());
        for (List<T> chunk : window) {
          inFlight.add(calls.submit(() -> rpc.apply(chunk)));
        }
        for (int c = 0; c < window.size(); c++) {
          collect(window.get(c), inFlight.get(c), out);
        }
      }
    }
    return out;
  }

  /** Makes the call for {@code chunk} on this thread; its outcomes go to {@code out}. */
  private static <T> void callNow(
      List<T> chunk, Function<List<T>, List<EntryResult>> rpc, List<WriteOutcome<T>> out) {
    try {
      record(chunk, rpc.apply(chunk), out);
    } catch (EntryStoreException e) {
      failed(chunk, e, out);
    }
  }

  /** Waits for the call in flight for {@code chunk}; its outcomes go to {@code out}. */
  private static <T> void collect(
      List<T> chunk, Future<List<EntryResult>> call, List<WriteOutcome<T>> out) {
    try {
      record(chunk, call.get(), out);
    } catch (ExecutionException e) {
      failed(chunk, asStoreException(e.getCause()), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed(chunk, new EntryStoreException("interrupted", true, e), out);
    }
  }

  private static <T> void record(
      List<T> chunk, List<EntryResult> results, List<WriteOutcome<T>> out) {
    if (results.size() != chunk.size()) {
      throw new IllegalStateException(
          "the entry store returned " + results.size() + " results for " + chunk.size() + " items");
    }
    for (int i = 0; i < chunk.size(); i++) {
      out.add(new WriteOutcome.Written<>(chunk.get(i), results.get(i)));
    }
  }

  private static <T> void failed(List<T> chunk, EntryStoreException e, List<WriteOutcome<T>> out) {
    for (T item : chunk) {
      out.add(new WriteOutcome.CallFailed<>(item, e));
    }
  }

  private static EntryStoreException asStoreException(Throwable cause) {
    return cause instanceof EntryStoreException e
        ? e
        : new EntryStoreException("write call failed: " + cause, true, cause);
  }
}
