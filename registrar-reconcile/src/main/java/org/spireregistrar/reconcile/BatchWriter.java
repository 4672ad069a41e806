package org.spireregistrar.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
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
          try {
            record(chunk, rpc.apply(chunk), out);
          } catch (EntryStoreException e) {
            failed(chunk, e, out);
          }
        }
      } else {
        List<Future<List<EntryResult>>> inFlight = new ArrayList<>(window.size());
        for (List<T> chunk : window) {
          inFlight.add(calls.submit(() -> rpc.apply(chunk)));
        }
        for (int c = 0; c < window.size(); c++) {
          List<T> chunk = window.get(c);
          try {
            record(chunk, inFlight.get(c).get(), out);
          } catch (ExecutionException e) {
            failed(chunk, asStoreException(e.getCause()), out);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(chunk, new EntryStoreException("interrupted", true, e), out);
          }
        }
      }
    }
    return out;
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
