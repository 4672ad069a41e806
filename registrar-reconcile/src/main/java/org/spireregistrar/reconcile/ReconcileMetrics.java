package org.spireregistrar.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Reconcile mode's Prometheus series (product §5): entries desired and current, writes by kind,
 * failed writes, sync pass duration, object-change-to-entry latency, and leader status.
 */
public final class ReconcileMetrics implements SyncListener {
  private final Map<WriteKind, Counter> writes = new EnumMap<>(WriteKind.class);
  private final Counter failures;
  private final Timer fullPass;
  private final Timer incrementalPass;
  private final Timer objectLatency;
  private final AtomicInteger desired = new AtomicInteger();
  private final AtomicInteger current = new AtomicInteger();

  public ReconcileMetrics(MeterRegistry registry, BooleanSupplier leader) {
    for (WriteKind k : WriteKind.values()) {
      writes.put(
          k,
          Counter.builder("registrar_entry_writes")
              .description("Entries written to SPIRE, by kind of write")
              .tag("op", k.name().toLowerCase(java.util.Locale.ROOT))
              .register(registry));
    }
    failures =
        Counter.builder("registrar_entry_write_failures")
            .description("Entry writes SPIRE refused (retried with backoff)")
            .register(registry);
    fullPass =
        Timer.builder("registrar_sync_pass_seconds")
            .description("Duration of sync passes")
            .tag("full", "true")
            .register(registry);
    incrementalPass =
        Timer.builder("registrar_sync_pass_seconds")
            .description("Duration of sync passes")
            .tag("full", "false")
            .register(registry);
    objectLatency =
        Timer.builder("registrar_object_sync_latency_seconds")
            .description("Time from a Kubernetes object change to its entries being in SPIRE")
            .publishPercentiles(0.5, 0.99)
            .publishPercentileHistogram()
            .register(registry);
    Gauge.builder("registrar_entries_desired", desired, AtomicInteger::get)
        .description("Entries the cluster's objects call for (as of the last full resync)")
        .register(registry);
    Gauge.builder("registrar_entries_current", current, AtomicInteger::get)
        .description("Entries owned by this registrar in SPIRE")
        .register(registry);
    Gauge.builder("registrar_leader", () -> leader.getAsBoolean() ? 1 : 0)
        .description("1 when this replica holds the leader lease and writes")
        .register(registry);
  }

  @Override
  public void onPass(SyncReport report) {
    (report.full() ? fullPass : incrementalPass)
        .record(report.durationNanos(), TimeUnit.NANOSECONDS);
    current.set(report.ownedEntries());
    if (report.full() && report.error().isEmpty()) {
      desired.set(report.desired());
    }
  }

  @Override
  public void onObjectSynced(ObjectKey key, long latencyNanos) {
    objectLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onWrite(WriteKind kind, ObjectKey key, String spiffeId) {
    writes.get(kind).increment();
  }

  @Override
  public void onWriteFailure(ObjectKey key, String message) {
    failures.increment();
  }
}
