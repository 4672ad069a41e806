package org.spireregistrar.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.reconcile.ObjectKey;

/**
 * A <b>model</b> of the original k8s-workload-registrar's reconcile mode (upstream-registrar.md
 * §5.2–§5.4), written from the specification to measure its SPIRE call pattern against the same
 * server; it is not the original code. It computes the same entries as our registrar (core's {@link
 * ReconcileEntries}) so only the sync pattern differs.
 *
 * <ul>
 *   <li>A Pod and a Node controller, one worker each, fed by a de-duplicating work queue: every pod
 *       or node event (no predicates) queues its key.
 *   <li>Reconcile of one key: {@code ListEntries} by the object's selectors (MATCH_EXACT, pages of
 *       1000), keeping owned entries (string-prefix ownership); then, for a deleted object, one
 *       {@code BatchDeleteEntry} of the matches; otherwise a single-entry {@code BatchCreateEntry}
 *       when nothing matched, a single-entry {@code BatchUpdateEntry} of the smallest-ID match when
 *       none is "equal" (same SPIFFE ID, parent and DNS-name set), and a {@code BatchDeleteEntry}
 *       of the other matches. (Upstream also sends that last delete when it is empty; our client
 *       never sends an empty batch, so the model makes one RPC fewer per event than the original:
 *       it is generous to the original.)
 *   <li>Two pollers, every 10 s: the pod poller lists <em>every</em> entry (no filter, pages of
 *       1000), the node poller the entries parented to the server; each entry whose object is gone,
 *       duplicated or not equal to its desired entry is queued.
 *   <li>Errors requeue the key with controller-runtime's per-item backoff (5 ms doubling).
 * </ul>
 */
final class OriginalRegistrarModel extends TimedModel {
  static final int PAGE_SIZE = 1000;

  private final ReconcileEntries entries;
  private final List<String> disabledNamespaces;
  private final SpiffeId rootId;
  private final SpiffeId serverId;
  private final EntryStore store;
  private final Duration pollInterval;

  private final Map<ObjectKey.Pod, Workload> pods = new ConcurrentHashMap<>();
  private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
  private final WorkQueue<ObjectKey> podQueue = new WorkQueue<>();
  private final WorkQueue<ObjectKey> nodeQueue = new WorkQueue<>();
  private final PendingEvents pending = new PendingEvents();
  private final LatencyRecorder latencies = new LatencyRecorder();
  private final Map<ObjectKey, Integer> failures = new ConcurrentHashMap<>();
  private final ScheduledExecutorService requeue =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bench-original-requeue"));

  private final Object monitor = new Object();
  // Guarded by monitor.
  private boolean running = true;
  private boolean started;
  private long pollGeneration;
  private final long[] pollServed = new long[2];
  private int pollsInFlight;
  private int requeuesPending;

  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param config the benchmark's reconcile-mode configuration
   * @param store a store listing with pages of {@link #PAGE_SIZE}
   * @param pollInterval the pollers' period (10 s upstream)
   */
  OriginalRegistrarModel(RegistrarConfig config, EntryStore store, Duration pollInterval) {
    this.entries = ReconcileEntries.forConfig(config);
    this.disabledNamespaces = config.common().disabledNamespaces();
    this.rootId = entries.rootId();
    this.serverId = entries.serverId();
    this.store = Objects.requireNonNull(store, "store");
    this.pollInterval = pollInterval;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public String id() {
    return "original";
  }

  @Override
  public String title() {
    return "original (model)";
  }

  // ---------------------------------------------------------------- informer events

  @Override
  public void podUpserted(Workload pod) {
    ObjectKey.Pod key = new ObjectKey.Pod(pod.namespace(), pod.name());
    Long t0 = eventTime(key);
    pods.put(key, pod);
    pending.noted(key, t0);
    podQueue.add(key);
  }

  @Override
  public void podDeleted(String namespace, String name) {
    ObjectKey.Pod key = new ObjectKey.Pod(namespace, name);
    Long t0 = eventTime(key);
    pods.remove(key);
    pending.noted(key, t0);
    podQueue.add(key);
  }

  @Override
  public void nodeUpserted(NodeInfo node) {
    ObjectKey.Node key = new ObjectKey.Node(node.name());
    Long t0 = eventTime(key);
    nodes.put(node.name(), node);
    pending.noted(key, t0);
    nodeQueue.add(key);
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void start() {
    synchronized (monitor) {
      if (started) {
        return;
      }
      started = true;
    }
    threads.add(daemon(() -> work(podQueue, this::reconcilePod), "bench-original-pods"));
    threads.add(daemon(() -> work(nodeQueue, this::reconcileNode), "bench-original-nodes"));
    threads.add(daemon(() -> pollLoop(0, this::pollPods), "bench-original-pod-poller"));
    threads.add(daemon(() -> pollLoop(1, this::pollNodes), "bench-original-node-poller"));
    threads.forEach(Thread::start);
  }

  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (monitor) {
      while (!idle()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // Queues signal through their own monitors; poll ours briefly.
        TimeUnit.NANOSECONDS.timedWait(monitor, Math.min(left, 2_000_000L));
      }
      return true;
    }
  }

  private boolean idle() {
    return podQueue.idle() && nodeQueue.idle() && pollsInFlight == 0 && requeuesPending == 0;
  }

  @Override
  public boolean resyncOnce(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (monitor) {
      // One poll by each poller, started after this request.
      long generation = ++pollGeneration;
      monitor.notifyAll();
      while (pollServed[0] < generation || pollServed[1] < generation) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(monitor, left);
      }
    }
    return awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  @Override
  public Duration resyncInterval() {
    return pollInterval;
  }

  @Override
  public LatencyRecorder latencies() {
    return latencies;
  }

  @Override
  public void close() {
    synchronized (monitor) {
      running = false;
      monitor.notifyAll();
    }
    podQueue.close();
    nodeQueue.close();
    requeue.shutdownNow();
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- workers

  /** Reconciles one key; returns when its entry became visible in SPIRE. */
  private interface Reconciler {
    long reconcile(ObjectKey key);
  }

  private void work(WorkQueue<ObjectKey> queue, Reconciler reconciler) {
    while (true) {
      ObjectKey key;
      try {
        key = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (key == null) {
        return;
      }
      Long since = pending.take(key);
      try {
        long visible = reconciler.reconcile(key);
        failures.remove(key);
        if (since != null) {
          latencies.record(visible - since);
        }
      } catch (RuntimeException e) {
        if (!isRunning()) {
          return;
        }
        if (since != null) {
          pending.noted(key, since);
        }
        requeueLater(queue, key);
      } finally {
        queue.done(key);
        synchronized (monitor) {
          monitor.notifyAll();
        }
      }
    }
  }

  private void requeueLater(WorkQueue<ObjectKey> queue, ObjectKey key) {
    int n = failures.merge(key, 1, Integer::sum);
    long delayMs = Math.min(1000L * 1000, 5L << Math.min(n - 1, 20));
    synchronized (monitor) {
      requeuesPending++;
    }
    requeue.schedule(
        () -> {
          queue.add(key);
          synchronized (monitor) {
            requeuesPending--;
            monitor.notifyAll();
          }
        },
        delayMs,
        TimeUnit.MILLISECONDS);
  }

  private boolean isRunning() {
    synchronized (monitor) {
      return running;
    }
  }

  private long reconcilePod(ObjectKey key) {
    ObjectKey.Pod p = (ObjectKey.Pod) key;
    if (disabledNamespaces.contains(p.namespace())) {
      return System.nanoTime(); // shouldProcess: false; nothing is touched
    }
    Workload pod = pods.get(p);
    boolean deleted = pod == null || pod.terminating();
    List<Entry> matched = matching(ReconcileEntries.podSelectors(p.namespace(), p.name()));
    if (deleted) {
      deleteChecked(ids(matched));
      return System.nanoTime();
    }
    Optional<EntrySpec> desired = entries.podEntry(pod, List.of(), warning -> {});
    return converge(desired, matched);
  }

  private long reconcileNode(ObjectKey key) {
    String name = ((ObjectKey.Node) key).name();
    NodeInfo node = nodes.get(name);
    List<Entry> matched = matching(entries.nodeSelectors(name));
    if (node == null) {
      deleteChecked(ids(matched));
      return System.nanoTime();
    }
    return converge(Optional.of(entries.nodeEntry(node)), matched);
  }

  /** Steps 6–9 of the base reconciler. */
  private long converge(Optional<EntrySpec> desired, List<Entry> matched) {
    if (desired.isEmpty()) {
      if (!matched.isEmpty()) {
        deleteChecked(ids(matched));
      }
      return System.nanoTime();
    }
    EntrySpec want = desired.get();
    EntryId keep;
    long visible;
    if (matched.isEmpty()) {
      EntryResult r = store.create(List.of(want)).get(0);
      if (r.entry().isEmpty()) {
        throw new IllegalStateException("creating entry failed: " + r.code() + " " + r.message());
      }
      visible = System.nanoTime();
      keep = r.entry().get().id();
    } else {
      Optional<Entry> same = matched.stream().filter(e -> equal(want, e.spec())).findFirst();
      if (same.isPresent()) {
        keep = same.get().id();
      } else {
        Entry smallest = matched.stream().min(Comparator.comparing(Entry::id)).orElseThrow();
        EntryResult r = store.update(List.of(smallest.withSpec(want))).get(0);
        if (!r.succeeded()) {
          throw new IllegalStateException("updating entry failed: " + r.code() + " " + r.message());
        }
        keep = smallest.id();
      }
      visible = System.nanoTime();
    }
    List<EntryId> others = new ArrayList<>();
    for (Entry e : matched) {
      if (!e.id().equals(keep)) {
        others.add(e.id());
      }
    }
    deleteChecked(others);
    return visible;
  }

  /** Upstream's equality: SPIFFE ID, parent, and the DNS-name set; nothing else. */
  static boolean equal(EntrySpec want, EntrySpec have) {
    return want.spiffeId().equals(have.spiffeId())
        && want.parentId().equals(have.parentId())
        && want.dnsNames().size() == have.dnsNames().size()
        && have.dnsNames().containsAll(want.dnsNames());
  }

  private List<Entry> matching(List<Selector> selectors) {
    List<Entry> out = new ArrayList<>(1);
    for (Entry e : store.list(EntryFilter.bySelectors(selectors, EntryFilter.Match.EXACT))) {
      if (owned(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Upstream ownership: parent or SPIFFE ID path starts with the root path (string prefix). */
  private boolean owned(Entry e) {
    return underRoot(e.parentId()) || underRoot(e.spiffeId());
  }

  private boolean underRoot(SpiffeId id) {
    return id.trustDomain().equals(rootId.trustDomain()) && id.path().startsWith(rootId.path());
  }

  private void deleteChecked(List<EntryId> ids) {
    if (ids.isEmpty()) {
      return;
    }
    for (EntryResult r : store.delete(ids)) {
      if (r.code() != EntryResult.Code.OK && r.code() != EntryResult.Code.NOT_FOUND) {
        throw new IllegalStateException("deleting entry failed: " + r.code() + " " + r.message());
      }
    }
  }

  private static List<EntryId> ids(List<Entry> entries) {
    List<EntryId> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      out.add(e.id());
    }
    return out;
  }

  // ---------------------------------------------------------------- pollers

  private void pollLoop(int poller, Runnable poll) {
    long seen;
    synchronized (monitor) {
      seen = pollGeneration;
    }
    while (true) {
      long generation;
      synchronized (monitor) {
        long deadline = System.nanoTime() + pollInterval.toNanos();
        try {
          while (running && pollGeneration == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            TimeUnit.NANOSECONDS.timedWait(monitor, left);
          }
        } catch (InterruptedException e) {
          return;
        }
        if (!running) {
          return;
        }
        // Timer or request: either way this poll serves every request made so far.
        generation = pollGeneration;
        seen = generation;
        pollsInFlight++;
      }
      try {
        poll.run();
      } catch (RuntimeException e) {
        // The poller logs and waits for the next period.
      } finally {
        synchronized (monitor) {
          pollsInFlight--;
          pollServed[poller] = Math.max(pollServed[poller], generation);
          monitor.notifyAll();
        }
      }
    }
  }

  /** The pod poller: every entry in the server, parented under the root. */
  private void pollPods() {
    List<Entry> all = store.list(EntryFilter.ALL);
    poll(
        all,
        e -> underRoot(e.parentId()),
        selectors -> podKey(selectors),
        key -> {
          Workload pod = pods.get((ObjectKey.Pod) key);
          return pod == null ? null : entries.podEntry(pod, List.of(), w -> {});
        },
        podQueue);
  }

  /** The node poller: entries parented to the server whose SPIFFE ID is under the root. */
  private void pollNodes() {
    List<Entry> all = store.list(EntryFilter.byParent(serverId));
    poll(
        all,
        e -> underRoot(e.spiffeId()),
        selectors -> nodeKey(selectors),
        key -> {
          NodeInfo node = nodes.get(((ObjectKey.Node) key).name());
          return node == null ? null : Optional.of(entries.nodeEntry(node));
        },
        nodeQueue);
  }

  private void poll(
      List<Entry> listed,
      java.util.function.Predicate<Entry> keep,
      Function<List<Selector>, ObjectKey> keyOf,
      Function<ObjectKey, Optional<EntrySpec>> desiredOf,
      WorkQueue<ObjectKey> queue) {
    Set<ObjectKey> seen = new HashSet<>();
    List<ObjectKey> marked = new ArrayList<>();
    for (Entry e : listed) {
      if (!keep.test(e)) {
        continue;
      }
      ObjectKey key = keyOf.apply(e.spec().selectors());
      if (key == null) {
        continue;
      }
      if (!seen.add(key)) {
        marked.add(key);
        continue;
      }
      Optional<EntrySpec> desired;
      try {
        desired = desiredOf.apply(key);
      } catch (RuntimeException ex) {
        continue; // logged upstream; the object's own events retry it
      }
      if (desired == null || desired.isEmpty() || !equal(desired.get(), e.spec())) {
        marked.add(key);
      }
    }
    for (ObjectKey key : marked) {
      queue.add(key);
    }
  }

  /** Both {@code k8s:ns:} and {@code k8s:pod-name:} must be present. */
  private static ObjectKey podKey(List<Selector> selectors) {
    String ns = null;
    String name = null;
    for (Selector s : selectors) {
      if (s.type().equals("k8s") && s.value().startsWith("ns:")) {
        ns = s.value().substring(3);
      } else if (s.type().equals("k8s") && s.value().startsWith("pod-name:")) {
        name = s.value().substring(9);
      }
    }
    return ns == null || name == null ? null : new ObjectKey.Pod(ns, name);
  }

  /** The first {@code k8s_psat:agent_node_name:} selector. */
  private ObjectKey nodeKey(List<Selector> selectors) {
    for (Selector s : selectors) {
      if (s.type().equals("k8s_psat") && s.value().startsWith("agent_node_name:")) {
        return new ObjectKey.Node(s.value().substring("agent_node_name:".length()));
      }
    }
    return null;
  }
}
