package org.spireregistrar.crd;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.Backoff;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.CrdEntries;
import org.spireregistrar.crd.CrdKey.NodeKey;
import org.spireregistrar.crd.CrdKey.PodKey;
import org.spireregistrar.crd.CrdKey.SpiffeIdKey;
import org.spireregistrar.kubernetes.ClusterInformers;
import org.spireregistrar.reconcile.BatchWriter;
import org.spireregistrar.reconcile.Readiness;
import org.spireregistrar.reconcile.Ticker;
import org.spireregistrar.reconcile.WorkQueue;

/**
 * crd mode's controllers on one sync thread: informers (Pods, Nodes, Endpoints, SpiffeIDs) mark
 * keys dirty in a {@link WorkQueue}; each batch runs the pod and node controllers for its Pod and
 * Node keys (Kubernetes writes), then the SpiffeID controller for its SpiffeID keys (SPIRE writes,
 * batched). A full resync (at start, every {@code resync_interval}, after a failure) re-lists the
 * SPIRE entries and looks at every key. Work is held until the caches have synced and while this
 * replica is not the leader.
 */
final class CrdControllers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CrdControllers.class);
  private static final String HOLD_CACHES = "caches not synced";
  private static final String HOLD_LEADER = "not the leader";

  private final WorkQueue<CrdKey> queue;
  private final CrdCache cache;
  private final PodController pods;
  private final SpiffeIdController spiffeIds;
  private final BatchWriter writer;
  private final ClusterInformers cluster;
  private final CrdMetrics metrics;
  private final boolean podController;
  private final Ticker ticker;
  private final Duration staleAfter;
  private volatile boolean leader;
  private volatile boolean synced;
  private volatile boolean spireReachable = true;
  private volatile long lastSuccessNanos;
  private Thread loop;

  CrdControllers(
      RegistrarConfig config,
      ApiClient client,
      EntryStore store,
      String namespace,
      Ticker ticker,
      CrdMetricsFactory metricsFactory) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    // As reconcile mode: two missed resyncs and a minute of slack.
    this.staleAfter = Readiness.staleAfter(config.reconcile().resyncInterval());
    this.queue =
        new WorkQueue<>(
            config.reconcile().resyncInterval(),
            new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30)),
            ticker);
    queue.hold(HOLD_CACHES);
    queue.hold(HOLD_LEADER);
    this.cache = new CrdCache(namespace, queue::addAll, this::cachesSynced);
    this.metrics = metricsFactory.create(() -> leader, cache::spiffeIdCount);
    this.writer = new BatchWriter(store, 50, 2, () -> leader);
    SpiffeIdClient spiffeIdClient = new SpiffeIdClient(client);
    this.podController = config.crd().podController();
    // Templates are parsed only with a pod controller, as upstream (a bad one aborts start-up).
    this.pods =
        podController
            ? new PodController(
                CrdEntries.forConfig(config),
                cache,
                spiffeIdClient,
                namespace,
                config.common().cluster())
            : null;
    this.spiffeIds =
        new SpiffeIdController(
            store,
            writer,
            spiffeIdClient,
            cache,
            EntryIdPrefix.forCluster(config.common().cluster()),
            config.crd().addSvcDnsName(),
            metrics,
            config.common().trustDomain());
    this.cluster = new ClusterInformers(client, cache, config.crd().addSvcDnsName());
    // SpiffeIDs are listed and watched with the pods, nodes and endpoints: one sync, one health.
    cluster.watchAlso(
        new ClusterInformers.Resource<>(
            "spiffeid.spiffe.io",
            "v1beta1",
            "spiffeids",
            "SpiffeID",
            SpiffeIdObject::of,
            SpiffeIdObject::namespace,
            SpiffeIdObject::name),
        cache::spiffeIdUpserted,
        cache::spiffeIdDeleted);
  }

  /** How the metrics are made (they need the controllers' state). */
  interface CrdMetricsFactory {
    CrdMetrics create(
        java.util.function.BooleanSupplier leader, java.util.function.IntSupplier spiffeIds);
  }

  void start() {
    cluster.start();
    loop = new Thread(this::run, "crd-controllers");
    loop.setDaemon(true);
    loop.start();
  }

  /** Every informer (SpiffeIDs, Pods, Nodes, Endpoints) has listed once. */
  private void cachesSynced() {
    synced = true;
    log.info("Kubernetes caches synced (SpiffeIDs, Pods, Nodes, Endpoints)");
    queue.release(HOLD_CACHES);
  }

  void setLeader(boolean value) {
    leader = value;
    if (value) {
      queue.release(HOLD_LEADER);
    } else {
      queue.hold(HOLD_LEADER);
    }
  }

  private void run() {
    try {
      while (true) {
        Optional<WorkQueue.Batch<CrdKey>> next = queue.take();
        if (next.isEmpty()) {
          return;
        }
        process(next.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void process(WorkQueue.Batch<CrdKey> batch) {
    long start = System.nanoTime();
    Set<CrdKey> keys = new HashSet<>(batch.firstChanged().keySet());
    try {
      if (batch.fullResync()) {
        spiffeIds.relist();
        keys.addAll(cache.allKeys());
      }
      spireReachable = true;
    } catch (EntryStoreException e) {
      spireReachable = false;
      Duration delay = queue.failed(batch);
      log.warn("Unable to list SPIRE entries, retrying in {}: {}", delay, e.getMessage());
      return;
    }
    Set<CrdKey> failed = new HashSet<>();
    List<SpiffeIdKey> spiffeIdKeys = new ArrayList<>();
    List<CrdKey> later = new ArrayList<>();
    try {
      List<CrdKey> generating = new ArrayList<>();
      for (CrdKey key : keys) {
        if (key instanceof SpiffeIdKey s) {
          spiffeIdKeys.add(s);
        } else if (podController && leader) {
          if (generating.size() < GENERATE_PER_PASS) {
            generating.add(key);
          } else {
            later.add(key);
          }
        }
      }
      // Entries first (one batch call per 50), then the slower SpiffeID writes for pods and
      // nodes, at most GENERATE_PER_PASS of them: a burst of new pods gets its entries pass by
      // pass instead of all at the end.
      SpiffeIdController.Outcome outcome = spiffeIds.sync(spiffeIdKeys, batch.fullResync());
      failed.addAll(outcome.failed());
      if (outcome.notLeader() || !leader) {
        queue.requeue(batch);
        return;
      }
      spireReachable = !outcome.storeFailed();
      failed.addAll(syncGenerated(generating));
    } catch (RuntimeException e) {
      // A bug or an unexpected client failure: retry the batch with backoff, keep running.
      log.error("crd controllers: pass failed: {}", e.toString(), e);
      queue.failed(batch);
      return;
    }
    Set<CrdKey> ok = new HashSet<>(keys);
    ok.removeAll(failed);
    queue.complete(batch, ok, failed);
    queue.addAll(later);
    if (spireReachable) {
      // Items that keep failing (a write SPIRE refuses) do not make the replica unready; a pass
      // that could not talk to SPIRE does.
      lastSuccessNanos = ticker.nanoTime();
    }
    metrics.pass(Duration.ofNanos(System.nanoTime() - start));
  }

  /** Readiness: empty when ready, else why not. */
  Optional<String> readiness() {
    return Readiness.of(
        synced,
        cluster::watchProblem,
        leader,
        spireReachable,
        lastSuccessNanos,
        ticker.nanoTime(),
        staleAfter);
  }

  WorkQueue<CrdKey> queue() {
    return queue;
  }

  SpiffeIdController spiffeIdController() {
    return spiffeIds;
  }

  /** Pods and nodes whose SpiffeIDs are written in one pass; the rest wait for the next. */
  private static final int GENERATE_PER_PASS = 64;

  /** SpiffeID writes in flight at once for pods and nodes: each is an API round trip. */
  private static final int GENERATE_CONCURRENCY = 8;

  private final ExecutorService generators =
      Executors.newFixedThreadPool(
          GENERATE_CONCURRENCY,
          r -> {
            Thread t = new Thread(r, "crd-spiffeid-writer");
            t.setDaemon(true);
            return t;
          });

  /**
   * Brings the generated SpiffeIDs of these pods and nodes to their desired state, up to {@link
   * #GENERATE_CONCURRENCY} API calls at once (a burst of 1,000 new pods is 1,000 creates, each
   * passing the validating webhook); the keys whose write failed.
   */
  private Set<CrdKey> syncGenerated(List<CrdKey> keys) {
    Set<CrdKey> failed = ConcurrentHashMap.newKeySet();
    if (keys.size() <= 1) {
      keys.forEach(k -> syncOne(k, failed));
      return failed;
    }
    List<Future<?>> running = new ArrayList<>(keys.size());
    for (CrdKey key : keys) {
      running.add(generators.submit(() -> syncOne(key, failed)));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while writing SpiffeIDs", e);
      }
    }
    return failed;
  }

  private void syncOne(CrdKey key, Set<CrdKey> failed) {
    boolean ok = true;
    if (key instanceof PodKey p) {
      ok = pods.sync(p);
    } else if (key instanceof NodeKey n) {
      ok = pods.sync(n);
    }
    if (!ok) {
      failed.add(key);
    }
  }

  @Override
  public void close() {
    cluster.close();
    queue.close();
    if (loop != null) {
      try {
        loop.join(Duration.ofSeconds(30).toMillis()); // finish the write in flight
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    writer.close();
    generators.shutdownNow();
  }
}
