package org.spireregistrar.spire.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;

/**
 * Faults an {@link InMemorySpireServer} injects, for tests and benchmarks. Thread-safe; changes
 * apply to the next RPC.
 *
 * <ul>
 *   <li>{@link #latency(Duration)}: added to every RPC before it is handled (RPCs wait their
 *       latency concurrently, as round trips do);
 *   <li>{@link #costPerEntry(Duration)}: the datastore's work, added for every entry an Entry RPC
 *       writes or a list page returns; serialized across RPCs (see the method);
 *   <li>{@link #setUnavailable}, {@link #unavailableFor}, {@link #failNextRpcs}: whole RPCs fail
 *       with UNAVAILABLE (as a restarting server does);
 *   <li>{@link #failItems}: chosen items of BatchCreate/Update/DeleteEntry fail with a per-item
 *       status; the rest of the batch is processed.
 * </ul>
 */
public final class Faults {

  private record ItemFailure(Predicate<EntrySpec> which, EntryResult.Code code, String message) {}

  private final Clock clock;
  private volatile Duration latency = Duration.ZERO;
  private volatile Duration costPerEntry = Duration.ZERO;
  private volatile boolean unavailable;
  private volatile Instant unavailableUntil = Instant.MIN;
  private final AtomicInteger failNext = new AtomicInteger();
  private volatile List<ItemFailure> itemFailures = List.of();

  Faults(Clock clock) {
    this.clock = clock;
  }

  /** Adds {@code perRpc} to every RPC (zero to stop). */
  public Faults latency(Duration perRpc) {
    Objects.requireNonNull(perRpc, "perRpc");
    if (perRpc.isNegative()) {
      throw new IllegalArgumentException("latency cannot be negative: " + perRpc);
    }
    latency = perRpc;
    return this;
  }

  public Duration latency() {
    return latency;
  }

  /**
   * Adds {@code perEntry} for every entry an Entry RPC handles: each entry a {@code
   * BatchCreateEntry}, {@code BatchUpdateEntry} or {@code BatchDeleteEntry} carries, each entry a
   * {@code ListEntries} page returns. This is the datastore's work, and it is serialized: one RPC's
   * work at a time, in arrival order, as SPIRE's SQL datastore serializes writes (SQLite, its
   * default, allows one writer; a single server's transactions on a shared table queue likewise).
   * So a batch of n costs {@code latency + n × perEntry}, and calls in flight overlap their latency
   * but not their work. Zero (the default) stops it.
   */
  public Faults costPerEntry(Duration perEntry) {
    Objects.requireNonNull(perEntry, "perEntry");
    if (perEntry.isNegative()) {
      throw new IllegalArgumentException("cost per entry cannot be negative: " + perEntry);
    }
    costPerEntry = perEntry;
    return this;
  }

  public Duration costPerEntry() {
    return costPerEntry;
  }

  /** While {@code true}, every RPC fails with UNAVAILABLE. */
  public Faults setUnavailable(boolean value) {
    unavailable = value;
    return this;
  }

  /** Every RPC fails with UNAVAILABLE for {@code period} from now (by the server's clock). */
  public Faults unavailableFor(Duration period) {
    unavailableUntil = clock.instant().plus(period);
    return this;
  }

  /** The next {@code count} RPCs fail with UNAVAILABLE (deterministic, for retry tests). */
  public Faults failNextRpcs(int count) {
    failNext.set(count);
    return this;
  }

  /**
   * Of the next RPCs of {@code method} (e.g. {@code ListEntries}), the first {@code skip} are
   * served and the {@code count} after them fail with UNAVAILABLE (deterministic, for tests of one
   * call among several); replaces an earlier such fault.
   */
  public Faults failRpcsOf(String method, int skip, int count) {
    if (skip < 0 || count < 0) {
      throw new IllegalArgumentException("skip and count must not be negative");
    }
    methodFault = new MethodFault(Objects.requireNonNull(method, "method"), skip, count);
    return this;
  }

  /** What {@link #failRpcsOf} set: RPCs of {@code method} still to serve, then to fail. */
  private static final class MethodFault {
    final String method;
    int skip;
    int count;

    MethodFault(String method, int skip, int count) {
      this.method = method;
      this.skip = skip;
      this.count = count;
    }

    synchronized boolean fails(String rpc) {
      if (!method.equals(rpc)) {
        return false;
      }
      if (skip > 0) {
        skip--;
        return false;
      }
      if (count > 0) {
        count--;
        return true;
      }
      return false;
    }
  }

  private volatile MethodFault methodFault;

  /**
   * Items whose spec matches {@code which} fail with {@code code} and {@code message}, and nothing
   * is written for them. On update the spec is the entry after the update; on delete, the stored
   * entry's. Later registrations are checked after earlier ones.
   */
  public synchronized Faults failItems(
      Predicate<EntrySpec> which, EntryResult.Code code, String message) {
    List<ItemFailure> next = new ArrayList<>(itemFailures);
    next.add(
        new ItemFailure(
            Objects.requireNonNull(which, "which"),
            Objects.requireNonNull(code, "code"),
            Objects.requireNonNull(message, "message")));
    itemFailures = List.copyOf(next);
    return this;
  }

  /** Removes every fault. */
  public synchronized Faults clear() {
    latency = Duration.ZERO;
    costPerEntry = Duration.ZERO;
    unavailable = false;
    unavailableUntil = Instant.MIN;
    failNext.set(0);
    methodFault = null;
    itemFailures = List.of();
    return this;
  }

  boolean rpcUnavailable(String method) {
    if (unavailable || clock.instant().isBefore(unavailableUntil)) {
      return true;
    }
    MethodFault f = methodFault;
    if (f != null && f.fails(method)) {
      return true;
    }
    return failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  /** The injected (code, message) for {@code spec}, if any. */
  Optional<ItemFailureResult> itemFailure(EntrySpec spec) {
    for (ItemFailure f : itemFailures) {
      if (f.which().test(spec)) {
        return Optional.of(new ItemFailureResult(f.code(), f.message()));
      }
    }
    return Optional.empty();
  }

  boolean hasItemFailures() {
    return !itemFailures.isEmpty();
  }

  record ItemFailureResult(EntryResult.Code code, String message) {}
}
