package org.spireregistrar.bench;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.reconcile.ObjectKey;
import org.spireregistrar.reconcile.ReconcileMode;
import org.spireregistrar.reconcile.SyncEngine;
import org.spireregistrar.reconcile.SyncListener;
import org.spireregistrar.reconcile.SyncReport;

/**
 * Our reconcile mode. With {@code --source memory}: the production {@link SyncEngine}, built by
 * {@link SyncEngine#forConfig} exactly as the CLI builds it, fed views directly. With {@code
 * --source api}: the whole {@link ReconcileMode} as the CLI's composition root builds it (client,
 * informers, engine), reading the API server; the views handed to this strategy are not used.
 *
 * <p>Latency of an object: from the first event of the pass that synced it (with {@code --source
 * api}: from when its change was sent, see {@link EventTimes}) to the return of the last write call
 * that carried one of its entries (or, when nothing needed writing, the end of the pass).
 */
final class RegistrarStrategy implements Strategy {
  private final SyncEngine engine;
  private final ReconcileMode mode;
  private final LatencyRecorder latencies = new LatencyRecorder();
  private final Duration resyncInterval;

  RegistrarStrategy(RegistrarConfig config, EntryStore store) {
    this.resyncInterval = config.reconcile().resyncInterval();
    this.engine = SyncEngine.forConfig(config, store, new Timing(latencies, null));
    this.mode = null;
    engine.start();
    engine.setLeader(true);
  }

  /** Reconcile mode reading {@code client}; nothing runs before {@link #start()}. */
  RegistrarStrategy(RegistrarConfig config, EntryStore store, ApiClient client, EventTimes times) {
    this.resyncInterval = config.reconcile().resyncInterval();
    this.mode =
        new ReconcileMode(
            config,
            client,
            store,
            ReconcileMode.Runtime.of("registrar-bench"),
            new Timing(latencies, times));
    this.engine = mode.engine();
  }

  /**
   * Turns the engine's callbacks (all on its sync thread) into latency samples, taken when the pass
   * ends: with {@code --source api}, the changes of its objects sent before it started reading the
   * caches were covered by it ({@link EventTimes#take(ObjectKey, long, long)}).
   */
  private static final class Timing implements SyncListener {
    /** An object the pass synced: when its first change was seen, when its last write returned. */
    private record Synced(ObjectKey key, long received, long end) {}

    private final LatencyRecorder latencies;
    private final EventTimes times;
    private final Map<ObjectKey, Long> lastWrite = new HashMap<>();
    private final List<Synced> synced = new ArrayList<>();
    private long passEnd;

    Timing(LatencyRecorder latencies, EventTimes times) {
      this.latencies = latencies;
      this.times = times;
    }

    @Override
    public void onWrite(WriteKind kind, ObjectKey key, String spiffeId) {
      if (key != null) {
        lastWrite.put(key, System.nanoTime());
      }
    }

    @Override
    public void onObjectSynced(ObjectKey key, long latencyNanos) {
      // The engine measures every object of a pass against one "now" taken just before the first
      // callback; take ours once per pass too, so the event time is recovered exactly.
      if (passEnd == 0) {
        passEnd = System.nanoTime();
      }
      Long written = lastWrite.remove(key);
      synced.add(new Synced(key, passEnd - latencyNanos, written != null ? written : passEnd));
    }

    @Override
    public void onPass(SyncReport report) {
      long passStart = passEnd - report.durationNanos();
      for (Synced s : synced) {
        Long since =
            times == null
                ? Long.valueOf(s.received())
                : times.take(s.key(), s.received(), passStart);
        if (since != null) {
          latencies.record(s.end() - since);
        }
      }
      synced.clear();
      lastWrite.clear();
      passEnd = 0;
    }
  }

  @Override
  public String id() {
    return "registrar";
  }

  @Override
  public String title() {
    return "registrar";
  }

  @Override
  public void podUpserted(Workload pod) {
    engine.podUpserted(pod);
  }

  @Override
  public void podDeleted(String namespace, String name) {
    engine.podDeleted(namespace, name);
  }

  @Override
  public void nodeUpserted(NodeInfo node) {
    engine.nodeUpserted(node);
  }

  @Override
  public void start() {
    if (mode != null) {
      mode.start(); // the informers list, then tell the engine its caches are synced
    } else {
      engine.cachesSynced();
    }
  }

  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return engine.awaitIdle(timeout);
  }

  @Override
  public boolean resyncOnce(Duration timeout) throws InterruptedException {
    engine.requestResync();
    return engine.awaitIdle(timeout);
  }

  @Override
  public Duration resyncInterval() {
    return resyncInterval;
  }

  @Override
  public LatencyRecorder latencies() {
    return latencies;
  }

  @Override
  public void close() {
    if (mode != null) {
      mode.close();
      // The mode's registry has JvmGcMetrics bound, whose GC listener lives as long as the JVM
      // and reaches the registry, whose gauges reach the mode: without this, a closed mode (its
      // informer caches included) stays on the heap for the rest of the run.
      mode.registry().clear();
      mode.registry().close();
    } else {
      engine.close();
    }
  }
}
