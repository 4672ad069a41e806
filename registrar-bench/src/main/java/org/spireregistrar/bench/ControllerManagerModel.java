package org.spireregistrar.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.reconcile.ObjectKey;

/**
 * A <b>model</b> of spire-controller-manager's entry reconciler (spire-controller-manager.md §6.1,
 * §6.2), written from the specification to measure its SPIRE call pattern against the same server;
 * it is not SCM's code. It declares the same entries as our registrar (core's {@link
 * ReconcileEntries} standing in for ClusterSPIFFEID rendering), so only the sync pattern differs.
 *
 * <ul>
 *   <li>One reconciler thread: run a full pass, then wait for a trigger or the 10 s {@code
 *       gcInterval}, and loop. Every pod event triggers with a non-blocking send on an unbuffered
 *       channel: a trigger that arrives while a pass runs is <em>dropped</em>, so changes made
 *       during a pass wait for the next trigger or tick. Node events do not trigger.
 *   <li>A pass: {@code ListEntries} of every entry (no filter, pages of 200); render every pod and
 *       node in the cache; group current and declared entries by (SPIFFE ID, parent, selectors);
 *       create what is missing, update (full entry) what differs in DNS names, federation or flags,
 *       delete the rest; deletes, then creates, then updates, in batches of 200, 50 and 50.
 * </ul>
 */
final class ControllerManagerModel extends TimedModel {
  static final int PAGE_SIZE = 200;
  static final int CREATE_BATCH = 50;
  static final int UPDATE_BATCH = 50;
  static final int DELETE_BATCH = 200;

  private final ReconcileEntries entries;
  private final String cluster;
  private final EntryStore store;
  private final Duration gcInterval;

  private final Map<ObjectKey.Pod, Workload> pods = new ConcurrentHashMap<>();
  private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
  private final PendingEvents pending = new PendingEvents();
  private final LatencyRecorder latencies = new LatencyRecorder();
  private final AtomicLong droppedTriggers = new AtomicLong();

  private final Object lock = new Object();
  // Guarded by lock.
  private boolean running = true;
  private boolean waiting;
  private boolean triggered;
  private boolean tick;
  private boolean passInFlight;
  private long passesDone;
  private Thread thread;

  /**
   * @param config the benchmark's reconcile-mode configuration
   * @param store a store listing with pages of {@link #PAGE_SIZE} that does not split batches of up
   *     to {@link #DELETE_BATCH}
   * @param gcInterval the periodic pass (10 s in SCM)
   */
  ControllerManagerModel(RegistrarConfig config, EntryStore store, Duration gcInterval) {
    this.entries = ReconcileEntries.forConfig(config);
    this.cluster = config.common().cluster();
    this.store = Objects.requireNonNull(store, "store");
    this.gcInterval = gcInterval;
  }

  @Override
  public String id() {
    return "scm";
  }

  @Override
  public String title() {
    return "spire-controller-manager (model)";
  }

  /** Triggers dropped because a pass was running. */
  long droppedTriggers() {
    return droppedTriggers.get();
  }

  @Override
  public void podUpserted(Workload pod) {
    ObjectKey.Pod key = new ObjectKey.Pod(pod.namespace(), pod.name());
    Long t0 = eventTime(key);
    pods.put(key, pod);
    pending.noted(key, t0);
    trigger();
  }

  @Override
  public void podDeleted(String namespace, String name) {
    ObjectKey.Pod key = new ObjectKey.Pod(namespace, name);
    Long t0 = eventTime(key);
    pods.remove(key);
    pending.noted(key, t0);
    trigger();
  }

  @Override
  public void nodeUpserted(NodeInfo node) {
    ObjectKey.Node key = new ObjectKey.Node(node.name());
    Long t0 = eventTime(key);
    nodes.put(node.name(), node);
    pending.noted(key, t0);
    // Node changes do not trigger a pass: the periodic pass picks them up.
  }

  /** Go's {@code select { case ch <- struct{}{}: default: }} on an unbuffered channel. */
  private void trigger() {
    synchronized (lock) {
      if (waiting) {
        triggered = true;
        lock.notifyAll();
      } else {
        droppedTriggers.incrementAndGet();
      }
    }
  }

  @Override
  public void start() {
    synchronized (lock) {
      if (thread != null) {
        return;
      }
      thread = new Thread(this::loop, "bench-scm-reconciler");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void loop() {
    while (true) {
      synchronized (lock) {
        if (!running) {
          return;
        }
        passInFlight = true;
      }
      try {
        pass();
      } catch (RuntimeException e) {
        // SCM logs the failed pass and waits for the next trigger or tick.
      }
      synchronized (lock) {
        passInFlight = false;
        passesDone++;
        // Ready for triggers from the moment the pass is over (Go's select follows at once).
        waiting = true;
        lock.notifyAll();
        long deadline = System.nanoTime() + gcInterval.toNanos();
        try {
          while (running && !triggered && !tick) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            TimeUnit.NANOSECONDS.timedWait(lock, left);
          }
        } catch (InterruptedException e) {
          return;
        } finally {
          waiting = false;
          triggered = false;
          tick = false;
        }
      }
    }
  }

  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      return awaitLocked(() -> !passInFlight && pending.isEmpty(), deadline);
    }
  }

  @Override
  public boolean resyncOnce(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      // The gcInterval timer fires now; a pass in flight does not count.
      long target = passesDone + (passInFlight ? 2 : 1);
      tick = true;
      lock.notifyAll();
      return awaitLocked(() -> passesDone >= target, deadline);
    }
  }

  /**
   * Waits until {@code count} passes have finished since start.
   *
   * @return whether they had within {@code timeout}
   */
  boolean awaitPasses(long count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      return awaitLocked(() -> passesDone >= count, deadline);
    }
  }

  /** Waits on {@link #lock}, which the caller holds, until {@code done} or {@code deadline}. */
  private boolean awaitLocked(BooleanSupplier done, long deadline) throws InterruptedException {
    while (!done.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(lock, left);
    }
    return true;
  }

  @Override
  public Duration resyncInterval() {
    return gcInterval;
  }

  @Override
  public LatencyRecorder latencies() {
    return latencies;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      running = false;
      lock.notifyAll();
      t = thread;
    }
    if (t != null) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- one pass

  private void pass() {
    List<Entry> current = store.list(EntryFilter.ALL);
    // Events noted before this point are covered by the cache read below.
    Map<ObjectKey, Long> covered = pending.takeAll();

    LinkedHashMap<EntrySpec.SimilarityKey, EntrySpec> declared = new LinkedHashMap<>();
    for (NodeInfo node : nodes.values()) {
      try {
        EntrySpec spec = entries.nodeEntry(node);
        declared.putIfAbsent(spec.similarityKey(), spec);
      } catch (RejectedObjectException e) {
        // SCM logs and skips the object (and then deletes its live entry: fail-open).
      }
    }
    for (Workload pod : pods.values()) {
      try {
        entries
            .podEntry(pod, List.of(), w -> {})
            .ifPresent(spec -> declared.putIfAbsent(spec.similarityKey(), spec));
      } catch (RejectedObjectException e) {
        // as above
      }
    }

    Map<EntrySpec.SimilarityKey, List<Entry>> byKey = new HashMap<>();
    for (Entry e : current) {
      byKey.computeIfAbsent(e.spec().similarityKey(), k -> new ArrayList<>(1)).add(e);
    }
    List<EntrySpec> creates = new ArrayList<>();
    List<Entry> updates = new ArrayList<>();
    List<Entry> deletes = new ArrayList<>();
    for (var d : declared.entrySet()) {
      List<Entry> have = byKey.remove(d.getKey());
      if (have == null) {
        creates.add(d.getValue());
        continue;
      }
      Entry adopted = have.get(0);
      if (differs(d.getValue(), adopted.spec())) {
        updates.add(adopted.withSpec(d.getValue()));
      }
      deletes.addAll(have.subList(1, have.size()));
    }
    for (List<Entry> orphans : byKey.values()) {
      deletes.addAll(orphans);
    }
    long decided = System.nanoTime();

    Map<ObjectKey, Long> writtenAt = new HashMap<>();
    for (List<Entry> chunk : chunks(deletes, DELETE_BATCH)) {
      List<EntryId> ids = new ArrayList<>(chunk.size());
      for (Entry e : chunk) {
        ids.add(e.id());
      }
      store.delete(ids);
      long now = System.nanoTime();
      for (Entry e : chunk) {
        keyOf(e.spec().selectors()).ifPresent(k -> writtenAt.put(k, now));
      }
    }
    for (List<EntrySpec> chunk : chunks(creates, CREATE_BATCH)) {
      store.create(chunk);
      long now = System.nanoTime();
      for (EntrySpec s : chunk) {
        keyOf(s.selectors()).ifPresent(k -> writtenAt.put(k, now));
      }
    }
    for (List<Entry> chunk : chunks(updates, UPDATE_BATCH)) {
      store.update(chunk);
      long now = System.nanoTime();
      for (Entry e : chunk) {
        keyOf(e.spec().selectors()).ifPresent(k -> writtenAt.put(k, now));
      }
    }
    for (var c : covered.entrySet()) {
      latencies.record(writtenAt.getOrDefault(c.getKey(), decided) - c.getValue());
    }
  }

  /** SCM's comparison: DNS names (sorted), federation (set), downstream; not selectors or IDs. */
  private static boolean differs(EntrySpec want, EntrySpec have) {
    return !new TreeSet<>(want.dnsNames()).equals(new TreeSet<>(have.dnsNames()))
        || !new TreeSet<>(want.federatesWith()).equals(new TreeSet<>(have.federatesWith()))
        || want.downstream() != have.downstream();
  }

  private Optional<ObjectKey> keyOf(List<Selector> selectors) {
    return ObjectKey.ofSelectors(selectors, cluster);
  }

  private static <T> List<List<T>> chunks(List<T> items, int size) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i += size) {
      out.add(items.subList(i, Math.min(items.size(), i + size)));
    }
    return out;
  }
}
