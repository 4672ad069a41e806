package org.spireregistrar.spire.testing;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RPC and entry counts of an {@link InMemorySpireServer}, by gRPC method name ({@code
 * BatchCreateEntry}, {@code ListEntries}, {@code GetFederatedBundle}, …). Entries count the items
 * of a batch request (create, update, delete) or the entries returned (list, get). RPCs that failed
 * (injected UNAVAILABLE included) are counted too. Thread-safe; live (not a snapshot).
 */
public final class Counters {

  private final ConcurrentHashMap<String, AtomicLong> rpcs = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> entries = new ConcurrentHashMap<>();
  private final AtomicLong datastoreNanos = new AtomicLong();
  private final AtomicLong datastoreCalls = new AtomicLong();

  Counters() {}

  void rpc(String method) {
    rpcs.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
  }

  void entries(String method, int count) {
    entries.computeIfAbsent(method, m -> new AtomicLong()).addAndGet(count);
  }

  void datastoreWork(long nanos) {
    datastoreNanos.addAndGet(nanos);
    datastoreCalls.incrementAndGet();
  }

  void reset() {
    rpcs.clear();
    entries.clear();
    datastoreNanos.set(0);
    datastoreCalls.set(0);
  }

  /**
   * Datastore work charged so far ({@link Faults#costPerEntry} × entries, summed over RPCs), in
   * nanoseconds; 0 while no cost per entry is set.
   */
  public long datastoreWorkNanos() {
    return datastoreNanos.get();
  }

  /** RPCs that were charged datastore work. */
  public long datastoreWorkCalls() {
    return datastoreCalls.get();
  }

  /** RPCs received for {@code method} (e.g. {@code "BatchCreateEntry"}). */
  public long rpcs(String method) {
    AtomicLong n = rpcs.get(method);
    return n == null ? 0 : n.get();
  }

  /** Entries handled by {@code method}. */
  public long entries(String method) {
    AtomicLong n = entries.get(method);
    return n == null ? 0 : n.get();
  }

  /** All RPCs received. */
  public long totalRpcs() {
    return rpcs.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** BatchCreateEntry, BatchUpdateEntry and BatchDeleteEntry RPCs. */
  public long writeRpcs() {
    return rpcs("BatchCreateEntry") + rpcs("BatchUpdateEntry") + rpcs("BatchDeleteEntry");
  }

  /** A sorted snapshot of RPCs per method. */
  public Map<String, Long> rpcsByMethod() {
    return snapshot(rpcs);
  }

  /** A sorted snapshot of entries per method. */
  public Map<String, Long> entriesByMethod() {
    return snapshot(entries);
  }

  private static Map<String, Long> snapshot(Map<String, AtomicLong> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public String toString() {
    return "rpcs=" + rpcsByMethod() + " entries=" + entriesByMethod();
  }
}
