package org.spireregistrar.crd;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** crd mode's own series on {@code /metrics}. */
final class CrdMetrics {
  private final Counter created;
  private final Counter updated;
  private final Counter deleted;
  private final Counter failed;
  private final Counter rejected;
  private final Timer pass;
  private final AtomicLong entries = new AtomicLong();

  CrdMetrics(MeterRegistry registry, BooleanSupplier leader, java.util.function.IntSupplier ids) {
    created = writes(registry, "created");
    updated = writes(registry, "updated");
    deleted = writes(registry, "deleted");
    failed = writes(registry, "failed");
    rejected =
        Counter.builder("registrar_spiffeids_rejected")
            .description("SpiffeIDs whose spec could not become an entry (bad input)")
            .register(registry);
    pass =
        Timer.builder("registrar_sync_pass_seconds")
            .description("Duration of one pass of the crd controllers")
            .register(registry);
    Gauge.builder("registrar_leader", () -> leader.getAsBoolean() ? 1 : 0)
        .description("1 while this replica is the leader")
        .register(registry);
    Gauge.builder("registrar_spiffeids", ids::getAsInt)
        .description("SpiffeID objects seen")
        .register(registry);
    Gauge.builder("registrar_entries_current", entries::get)
        .description("Entries in the SPIRE server as last seen")
        .register(registry);
  }

  private static Counter writes(MeterRegistry registry, String result) {
    return Counter.builder("registrar_entry_writes")
        .description("Entries written to SPIRE, by result")
        .tag("result", result)
        .register(registry);
  }

  void created() {
    created.increment();
  }

  void updated() {
    updated.increment();
  }

  void deleted() {
    deleted.increment();
  }

  void failed() {
    failed.increment();
  }

  void rejected() {
    rejected.increment();
  }

  void pass(Duration d) {
    pass.record(d);
  }

  void entriesKnown(int n) {
    entries.set(n);
  }
}
