package org.spireregistrar.reconcile;

import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.Backoff;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.ClusterEvents;

/**
 * Reconcile mode's engine: informers only mark objects changed in a {@link WorkQueue}; one sync
 * thread takes the coalesced work and runs a {@link SyncPass} over it (desired entries from the
 * core, diffed against the {@link OwnedEntryIndex}, written by the {@link BatchWriter}).
 *
 * <p>A full resync runs at start, every {@code resyncInterval}, on gaining leadership, and after a
 * failed SPIRE call, which backs every pass off; an object whose write failed is retried with its
 * own backoff; changes that arrive during a pass are kept for the next. Nothing is written without
 * leadership, and nothing is deleted for want of an object before the caches have synced. Every
 * deadline comes from the {@link Ticker}.
 *
 * <p>Cold start: the engine {@link #takesObjectsWhileListing takes objects while the informers
 * list}, and once they are {@link #partlySynced partly synced} it runs early passes ({@link
 * SyncPass#runEarly}) over the objects listed so far, so the first entries of 100,000 pods land
 * while the rest are still being read; the full pass after the sync finishes the job.
 *
 * <p>Threads: the inputs (informer threads) touch only the thread-safe cluster cache and the queue,
 * whose lock is the only one; the sync thread alone uses the index, the pass and the writer.
 */
public final class SyncEngine implements ClusterEvents, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
  private static final String CACHES_NOT_SYNCED = "caches not synced";
  private static final String NOT_LEADER = "not leader";

  /**
   * Tuning.
   *
   * @param resyncInterval how often a full resync runs
   * @param batchSize entries per write call (leadership is re-checked between calls)
   * @param minBackoff first retry delay after a failure; positive
   * @param maxBackoff longest retry delay; positive
   * @param writeConcurrency batch calls in flight at once (a cold start of 10,000 pods is bound by
   *     SPIRE round trips, not by the server); a pass keeps computing while they are in flight, and
   *     leadership is re-checked before each call
   */
  public record Options(
      Duration resyncInterval,
      int batchSize,
      Duration minBackoff,
      Duration maxBackoff,
      int writeConcurrency) {
    public static final Options DEFAULTS =
        new Options(Duration.ofMinutes(10), 50, Duration.ofMillis(100), Duration.ofSeconds(30), 4);

    public Options {
      Objects.requireNonNull(resyncInterval, "resyncInterval");
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be positive");
      }
      Objects.requireNonNull(minBackoff, "minBackoff");
      Objects.requireNonNull(maxBackoff, "maxBackoff");
      new Backoff(minBackoff, maxBackoff); // rejects delays that are not positive
      if (writeConcurrency < 1) {
        throw new IllegalArgumentException("writeConcurrency must be positive");
      }
    }

    /** Options with one write call at a time. */
    public Options(
        Duration resyncInterval, int batchSize, Duration minBackoff, Duration maxBackoff) {
      this(resyncInterval, batchSize, minBackoff, maxBackoff, 1);
    }

    public Options withResyncInterval(Duration interval) {
      return new Options(interval, batchSize, minBackoff, maxBackoff, writeConcurrency);
    }

    /**
     * Retry delays, per object and after a failed SPIRE call: {@code minBackoff} doubling to {@code
     * maxBackoff}.
     */
    public Backoff backoff() {
      return new Backoff(minBackoff, maxBackoff);
    }
  }

  private final boolean dnsNames;
  private final UnaryOperator<Workload> relevant;
  private final Options options;
  private final ClusterCache cache = new ClusterCache();
  private final WorkQueue<ObjectKey> queue;
  private final OwnedEntryIndex index;
  private final BatchWriter writer;
  private final SyncPass pass;
  private final AtomicReference<Thread> thread = new AtomicReference<>();
  private final AtomicLong inputEvents = new AtomicLong();
  // Set (before the hold is lifted) once every informer has listed; passes before are early.
  private volatile boolean synced;
  // Counted down once the full pass after the sync has been asked for: awaitIdle waits for it.
  private final CountDownLatch syncRequested = new CountDownLatch(1);
  private volatile long lastSuccessNanos;

  /**
   * An engine whose deadlines follow {@code nanoClock}, which must advance with real time.
   *
   * @param nanoClock monotonic time source ({@code System::nanoTime})
   * @see #SyncEngine(ReconcileEntries, String, boolean, UnaryOperator, EntryStore, Options,
   *     SyncListener, Ticker)
   */
  public SyncEngine(
      ReconcileEntries entries,
      String cluster,
      boolean dnsNames,
      UnaryOperator<Workload> relevant,
      EntryStore store,
      Options options,
      SyncListener listener,
      LongSupplier nanoClock) {
    this(entries, cluster, dnsNames, relevant, store, options, listener, Ticker.of(nanoClock));
  }

  /**
   * @param entries the entry rules (root ID, policies)
   * @param cluster the cluster name (to recognise node entries)
   * @param dnsNames whether pod entries carry DNS names (Endpoints changes then matter)
   * @param relevant reduces a pod to the fields the policy reads, so that other changes (status,
   *     unrelated labels) compare equal and trigger no work; {@code UnaryOperator.identity()} to
   *     keep everything
   * @param store where entries live
   * @param options tuning
   * @param listener observer; {@link SyncListener#NONE} for none
   * @param ticker the time of every resync, backoff and retry deadline ({@link Ticker#SYSTEM})
   */
  public SyncEngine(
      ReconcileEntries entries,
      String cluster,
      boolean dnsNames,
      UnaryOperator<Workload> relevant,
      EntryStore store,
      Options options,
      SyncListener listener,
      Ticker ticker) {
    this.dnsNames = dnsNames;
    this.relevant = Objects.requireNonNull(relevant, "relevant");
    this.options = Objects.requireNonNull(options, "options");
    this.queue = new WorkQueue<>(options.resyncInterval(), options.backoff(), ticker);
    queue.hold(CACHES_NOT_SYNCED);
    queue.hold(NOT_LEADER);
    this.index = new OwnedEntryIndex(entries.owned());
    this.writer =
        new BatchWriter(store, options.batchSize(), options.writeConcurrency(), this::mayWrite);
    this.pass =
        new SyncPass(
            entries, cluster, dnsNames, cache, store, index, writer, listener, queue::add, ticker);
  }

  /** An engine for a validated reconcile-mode configuration. */
  public static SyncEngine forConfig(
      RegistrarConfig config, EntryStore store, SyncListener listener) {
    return forConfig(config, store, listener, relevantView(config));
  }

  /**
   * As {@link #forConfig(RegistrarConfig, EntryStore, SyncListener)}, with the pods it is given
   * reduced by {@code relevant}: {@link UnaryOperator#identity()} when they come reduced already
   * (from informers built with {@link #relevantView}), so no event is reduced twice.
   */
  public static SyncEngine forConfig(
      RegistrarConfig config,
      EntryStore store,
      SyncListener listener,
      UnaryOperator<Workload> relevant) {
    return new SyncEngine(
        ReconcileEntries.forConfig(config),
        config.common().cluster(),
        config.reconcile().addPodDnsNames(),
        relevant,
        store,
        Options.DEFAULTS.withResyncInterval(config.reconcile().resyncInterval()),
        listener,
        Ticker.SYSTEM);
  }

  /**
   * The pod fields reconcile mode reads under {@code config}: namespace, name, service account,
   * node, termination, the pod IP only with DNS names, the configured label or annotation, and the
   * federation annotation.
   */
  public static UnaryOperator<Workload> relevantView(RegistrarConfig config) {
    return RelevantFields.of(config);
  }

  /** A pod was added or changed. Changes the policy does not read trigger nothing. */
  @Override
  public void podUpserted(Workload pod) {
    inputEvents.incrementAndGet();
    pod = relevant.apply(pod);
    Workload old = cache.putPod(pod);
    if (!pod.equals(old)) {
      queue.add(new ObjectKey.Pod(pod.namespace(), pod.name()));
    }
  }

  /** A pod is gone. */
  @Override
  public void podDeleted(String namespace, String name) {
    inputEvents.incrementAndGet();
    cache.removePod(namespace, name);
    queue.add(new ObjectKey.Pod(namespace, name));
  }

  /** A node was added or changed. */
  @Override
  public void nodeUpserted(NodeInfo node) {
    inputEvents.incrementAndGet();
    NodeInfo old = cache.putNode(node);
    if (!node.equals(old)) {
      queue.add(new ObjectKey.Node(node.name()));
    }
  }

  /** A node is gone. */
  @Override
  public void nodeDeleted(String name) {
    inputEvents.incrementAndGet();
    cache.removeNode(name);
    queue.add(new ObjectKey.Node(name));
  }

  /** An Endpoints object was added or changed: the pods it targets (before and after) re-sync. */
  @Override
  public void endpointsUpserted(EndpointsInfo endpoints) {
    inputEvents.incrementAndGet();
    podsWithDnsNames(cache.putEndpoints(endpoints));
  }

  /** An Endpoints object is gone. */
  @Override
  public void endpointsDeleted(String namespace, String name) {
    inputEvents.incrementAndGet();
    podsWithDnsNames(cache.removeEndpoints(namespace, name));
  }

  private void podsWithDnsNames(Collection<ObjectKey.Pod> pods) {
    if (dnsNames) {
      queue.addAll(pods);
    }
  }

  /**
   * The informers have listed everything once. Until then nothing is written, so a half-loaded
   * cache can never cause deletes.
   */
  @Override
  public void cachesSynced() {
    synced = true;
    if (!queue.release(CACHES_NOT_SYNCED)) { // which asks for a full resync
      queue.requestFullResync(); // the hold was lifted early
    }
    syncRequested.countDown();
  }

  /** Yes: see {@link #partlySynced}. */
  @Override
  public boolean takesObjectsWhileListing() {
    return true;
  }

  /**
   * The objects delivered so far may be written: early passes start (see {@link
   * SyncPass#runEarly}); nothing is deleted for want of an object until {@link #cachesSynced}.
   */
  @Override
  public void partlySynced() {
    if (!synced) {
      queue.release(CACHES_NOT_SYNCED);
    }
  }

  /**
   * Whether this replica may write. Gaining leadership starts with a full resync; losing it stops
   * writing before the next call.
   */
  public void setLeader(boolean isLeader) {
    if (isLeader) {
      queue.release(NOT_LEADER);
    } else {
      queue.hold(NOT_LEADER);
    }
  }

  /** Asks for a full resync as soon as possible. */
  public void requestResync() {
    queue.requestFullResync();
  }

  /** Starts the sync thread. */
  public void start() {
    Thread t = new Thread(this::loop, "registrar-sync");
    t.setDaemon(true);
    if (thread.compareAndSet(null, t)) {
      t.start();
    }
  }

  /** Stops after the write call in flight (if any) completes. */
  @Override
  public void close() {
    queue.close();
    Thread t = thread.get();
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    writer.close();
  }

  /**
   * Waits until nothing is pending: no dirty object, no retry scheduled, no resync requested, no
   * pass running, and the last pass succeeded.
   *
   * @param timeout the longest wait, in real time
   * @return whether that state was reached within {@code timeout}
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!syncRequested.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return false;
    }
    return queue.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /** For tests with a fake ticker: see {@link WorkQueue#awaitParked}. */
  boolean awaitParked(Duration timeout) throws InterruptedException {
    return queue.awaitParked(timeout);
  }

  /**
   * How many object events the engine has received (filtered ones included): lets a caller wait
   * until a change it made has arrived before waiting for {@link #awaitIdle}.
   */
  public long inputEvents() {
    return inputEvents.get();
  }

  /** Health as {@code /readyz} reports it. */
  public Status status() {
    return new Status(
        synced,
        !queue.isHeld(NOT_LEADER),
        queue.batchFailures() == 0,
        index.loaded(),
        lastSuccessNanos,
        index.size());
  }

  /**
   * Engine health.
   *
   * @param cachesSynced the informers listed everything once
   * @param leader this replica may write
   * @param spireReachable the last SPIRE call succeeded
   * @param indexLoaded owned entries have been listed at least once
   * @param lastSuccessNanos ticker time of the last successful pass; 0 before
   * @param ownedEntries entries in the owned index
   */
  public record Status(
      boolean cachesSynced,
      boolean leader,
      boolean spireReachable,
      boolean indexLoaded,
      long lastSuccessNanos,
      int ownedEntries) {}

  private boolean mayWrite() {
    return !queue.isClosed() && !queue.isHeld(NOT_LEADER);
  }

  private void loop() {
    try {
      Optional<WorkQueue.Batch<ObjectKey>> batch;
      while ((batch = queue.take()).isPresent()) {
        sync(batch.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      // An Error (out of memory, a stack overflow): nothing will sync any more, so the process
      // must be reported unhealthy for its supervisor to restart it.
      died = "the sync loop stopped: " + t;
      log.error("The sync loop stopped; /healthz reports it", t);
    }
  }

  private volatile String died;

  /**
   * Liveness: empty while the sync loop runs (or was closed), else why it stopped — an {@code
   * Error} ended it and nothing will sync until the process is restarted.
   */
  public Optional<String> liveness() {
    return Optional.ofNullable(died);
  }

  /** Runs one pass over {@code batch} and tells the queue how it ended. */
  private void sync(WorkQueue.Batch<ObjectKey> batch) {
    SyncPass.Outcome outcome;
    try {
      if (!synced) {
        outcome = pass.runEarly(batch.firstChanged()); // a full resync waits for the sync
      } else {
        // Until a list has succeeded there is no index to compare against.
        outcome = pass.run(batch.fullResync() || !index.loaded(), batch.firstChanged());
      }
    } catch (RuntimeException e) {
      // A bug, not an input problem: keep the engine alive and retry everything later.
      log.error("Sync pass failed unexpectedly; retrying with a full resync", e);
      queue.retryAfter(batch, options.maxBackoff());
      return;
    }
    if (outcome instanceof SyncPass.Completed done) {
      // A pass that reached SPIRE counts even when some objects failed (an annotation naming a
      // trust domain without a bundle): those are retried, logged and counted, and must not keep
      // the replica unready while everything else is written.
      lastSuccessNanos = done.finishedAt();
      queue.complete(batch, done.synced(), done.failed());
    } else if (outcome instanceof SyncPass.StoreFailed failed) {
      Duration delay = queue.failed(batch);
      log.warn(
          "SPIRE call failed ({}); retrying in {} ms with a full resync",
          failed.error().getMessage(),
          delay.toMillis());
    } else {
      queue.requeue(batch);
      log.info("Leadership lost; stopped writing");
    }
  }
}
