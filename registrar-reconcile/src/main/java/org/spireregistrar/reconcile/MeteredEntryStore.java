package org.spireregistrar.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;

/**
 * An {@link EntryStore} decorator recording call latency ({@code registrar_spire_call_seconds}) and
 * whole-call failures ({@code registrar_spire_call_errors}) per method.
 */
public final class MeteredEntryStore implements EntryStore {
  private final EntryStore delegate;
  private final Map<String, Timer> timers;
  private final Map<String, Counter> errors;

  public MeteredEntryStore(EntryStore delegate, MeterRegistry registry) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    String[] methods = {"list", "create", "update", "delete"};
    this.timers = new java.util.HashMap<>();
    this.errors = new java.util.HashMap<>();
    for (String m : methods) {
      timers.put(
          m,
          Timer.builder("registrar_spire_call_seconds")
              .description("Latency of SPIRE entry API calls made through the store")
              .tag("method", m)
              .publishPercentileHistogram()
              .register(registry));
      errors.put(
          m,
          Counter.builder("registrar_spire_call_errors")
              .description("SPIRE entry API calls that failed as a whole")
              .tag("method", m)
              .register(registry));
    }
  }

  private <T> T record(String method, Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } catch (EntryStoreException e) {
      errors.get(method).increment();
      throw e;
    } finally {
      timers
          .get(method)
          .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public List<Entry> list(EntryFilter filter) {
    return record("list", () -> delegate.list(filter));
  }

  @Override
  public List<Entry> list(EntryFilter filter, Function<String, Entry> listedBefore) {
    return record("list", () -> delegate.list(filter, listedBefore));
  }

  @Override
  public List<EntryResult> create(List<EntrySpec> specs) {
    return record("create", () -> delegate.create(specs));
  }

  @Override
  public List<EntryResult> createWithIds(List<Entry> entries) {
    return record("create", () -> delegate.createWithIds(entries));
  }

  @Override
  public List<EntryResult> update(List<Entry> entries) {
    return record("update", () -> delegate.update(entries));
  }

  @Override
  public List<EntryResult> delete(List<EntryId> ids) {
    return record("delete", () -> delegate.delete(ids));
  }
}
