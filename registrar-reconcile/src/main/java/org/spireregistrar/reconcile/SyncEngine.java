package org.spireregistrar.reconcile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.EntryDiff;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.ClusterEvents;

/**
 * Reconcile mode's engine: informers only mark objects dirty; one sync thread coalesces bursts,
 * computes the desired entries of the dirty objects with the core, diffs them against an in-memory
 * index of the owned SPIRE entries and writes the differences in batches.
 *
 * <p>The index is loaded with one paged list at start and kept current from our own write results.
 * A full resync (list everything, diff everything) runs at start, every {@code resyncInterval}, and
 * after a failed SPIRE call. Changes that arrive during a pass are kept for the next one, never
 * dropped.
 *
 * <p>Safety: only entries the {@link ReconcileEntries#owned() ownership rule} accepts are ever
 * updated or deleted; nothing is written before the caches have synced; a pass whose SPIRE list
 * failed writes nothing; an object the policy rejects keeps whatever entries it had.
 */
public final class SyncEngine implements ClusterEvents, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

  /**
   * Tuning.
   *
   * @param resyncInterval how often a full resync runs
   * @param batchSize entries per write call (leadership is re-checked between calls)
   * @param minBackoff first retry delay after a failure
   * @param maxBackoff longest retry delay
   * @param writeConcurrency batch calls of one kind in flight at once (a cold start of 10,000 pods
   *     is bound by SPIRE round trips, not by the server); leadership is re-checked before each
   *     window
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
  }

  private final ReconcileEntries entries;
  private final EntryStore store;
  private final Options options;
  private final SyncListener listener;
  private final String cluster;
  private final boolean dnsNames;
  private final java.util.function.UnaryOperator<Workload> relevant;
  private final LongSupplier nanoClock;
  private final ClusterCache cache = new ClusterCache();

  // Owned entries by selector set; touched only by the sync thread.
  private final Map<List<Selector>, List<Entry>> index = new HashMap<>();
  private boolean indexLoaded;
  private final Map<ObjectKey, String> lastRejection = new HashMap<>();
  private final Map<ObjectKey, Integer> failures = new HashMap<>();

  private final Object lock = new Object();
  // Guarded by lock.
  private LinkedHashMap<ObjectKey, Long> dirty = new LinkedHashMap<>();
  private final Map<ObjectKey, Long> delayed = new HashMap<>();
  private final Map<ObjectKey, Long> delayedSince = new HashMap<>();
  private boolean fullResyncRequested = true;
  private boolean cachesSynced;
  private boolean leader;
  private boolean running;
  private boolean passInFlight;
  private long nextResyncAt;
  private long retryAt;
  private int storeFailures;
  private Thread thread;
  private java.util.concurrent.ExecutorService writers;

  private final java.util.concurrent.atomic.AtomicLong inputEvents =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile long lastSuccessNanos;
  private volatile boolean storeHealthy = true;
  private volatile int ownedEntries;

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
   * @param nanoClock monotonic time source ({@code System::nanoTime})
   */
  public SyncEngine(
      ReconcileEntries entries,
      String cluster,
      boolean dnsNames,
      java.util.function.UnaryOperator<Workload> relevant,
      EntryStore store,
      Options options,
      SyncListener listener,
      LongSupplier nanoClock) {
    this.entries = Objects.requireNonNull(entries, "entries");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.dnsNames = dnsNames;
    this.relevant = Objects.requireNonNull(relevant, "relevant");
    this.store = Objects.requireNonNull(store, "store");
    this.options = Objects.requireNonNull(options, "options");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** An engine for a validated reconcile-mode configuration. */
  public static SyncEngine forConfig(
      RegistrarConfig config, EntryStore store, SyncListener listener) {
    return new SyncEngine(
        ReconcileEntries.forConfig(config),
        config.common().cluster(),
        config.reconcile().addPodDnsNames(),
        relevantView(config),
        store,
        Options.DEFAULTS.withResyncInterval(config.reconcile().resyncInterval()),
        listener,
        System::nanoTime);
  }

  /**
   * The pod fields reconcile mode reads under {@code config}: namespace, name, service account,
   * node, termination, the pod IP only with DNS names, the configured label or annotation, and the
   * federation annotation.
   */
  public static java.util.function.UnaryOperator<Workload> relevantView(RegistrarConfig config) {
    String label = config.common().podLabel();
    String annotation = config.common().podAnnotation();
    boolean dns = config.reconcile().addPodDnsNames();
    return pod ->
        new Workload(
            pod.namespace(),
            pod.name(),
            "",
            pod.serviceAccount(),
            pod.nodeName(),
            "",
            dns ? pod.podIp() : "",
            only(pod.labels(), label),
            only(pod.annotations(), annotation, FEDERATES_WITH),
            pod.terminating());
  }

  private static final String FEDERATES_WITH = "spiffe.io/federatesWith";

  private static Map<String, String> only(Map<String, String> map, String... keys) {
    Map<String, String> out = null;
    for (String k : keys) {
      if (!k.isEmpty() && map.containsKey(k)) {
        if (out == null) {
          out = new HashMap<>(2);
        }
        out.put(k, map.get(k));
      }
    }
    return out == null ? Map.of() : out;
  }

  // ---------------------------------------------------------------- inputs (any thread)

  /** A pod was added or changed. Changes the policy does not read trigger nothing. */
  @Override
  public void podUpserted(Workload pod) {
    inputEvents.incrementAndGet();
    pod = relevant.apply(pod);
    Workload old = cache.putPod(pod);
    if (!pod.equals(old)) {
      markDirty(new ObjectKey.Pod(pod.namespace(), pod.name()));
    }
  }

  /** A pod is gone. */
  @Override
  public void podDeleted(String namespace, String name) {
    inputEvents.incrementAndGet();
    cache.removePod(namespace, name);
    markDirty(new ObjectKey.Pod(namespace, name));
  }

  /** A node was added or changed. */
  @Override
  public void nodeUpserted(NodeInfo node) {
    inputEvents.incrementAndGet();
    NodeInfo old = cache.putNode(node);
    if (!node.equals(old)) {
      markDirty(new ObjectKey.Node(node.name()));
    }
  }

  /** A node is gone. */
  @Override
  public void nodeDeleted(String name) {
    inputEvents.incrementAndGet();
    cache.removeNode(name);
    markDirty(new ObjectKey.Node(name));
  }

  /** An Endpoints object was added or changed: the pods it targets (before and after) re-sync. */
  @Override
  public void endpointsUpserted(EndpointsInfo endpoints) {
    inputEvents.incrementAndGet();
    markDirty(cache.putEndpoints(endpoints));
  }

  /** An Endpoints object is gone. */
  @Override
  public void endpointsDeleted(String namespace, String name) {
    inputEvents.incrementAndGet();
    markDirty(cache.removeEndpoints(namespace, name));
  }

  /**
   * The informers have listed everything once. Until then nothing is written, so a half-loaded
   * cache can never cause deletes.
   */
  @Override
  public void cachesSynced() {
    synchronized (lock) {
      cachesSynced = true;
      fullResyncRequested = true;
      lock.notifyAll();
    }
  }

  /**
   * Whether this replica may write. Gaining leadership starts with a full resync; losing it stops
   * writing before the next call.
   */
  public void setLeader(boolean isLeader) {
    synchronized (lock) {
      if (isLeader && !leader) {
        fullResyncRequested = true;
      }
      leader = isLeader;
      lock.notifyAll();
    }
  }

  /** Asks for a full resync as soon as possible. */
  public void requestResync() {
    synchronized (lock) {
      fullResyncRequested = true;
      lock.notifyAll();
    }
  }

  private void markDirty(ObjectKey key) {
    long now = nanoClock.getAsLong();
    synchronized (lock) {
      boolean wasEmpty = dirty.isEmpty();
      dirty.putIfAbsent(key, now);
      wakeIfUseful(wasEmpty);
    }
  }

  /**
   * Wakes the sync thread only when new work can start a pass: it cannot before the caches sync or
   * without leadership (those transitions wake it themselves), and it has already been woken for a
   * non-empty dirty set. Waking it per event would cost a context switch per pod on a cold start.
   */
  private void wakeIfUseful(boolean dirtyWasEmpty) {
    if (dirtyWasEmpty && cachesSynced && leader) {
      lock.notifyAll();
    }
  }

  private void markDirty(Collection<? extends ObjectKey> keys) {
    if (keys.isEmpty() || !entriesUseDnsNames()) {
      return;
    }
    long now = nanoClock.getAsLong();
    synchronized (lock) {
      boolean wasEmpty = dirty.isEmpty();
      for (ObjectKey k : keys) {
        dirty.putIfAbsent(k, now);
      }
      wakeIfUseful(wasEmpty);
    }
  }

  private boolean entriesUseDnsNames() {
    return dnsNames;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the sync thread. */
  public void start() {
    synchronized (lock) {
      if (running) {
        return;
      }
      running = true;
      if (options.writeConcurrency() > 1) {
        java.util.concurrent.atomic.AtomicInteger n =
            new java.util.concurrent.atomic.AtomicInteger();
        writers =
            java.util.concurrent.Executors.newFixedThreadPool(
                options.writeConcurrency(),
                r -> {
                  Thread t = new Thread(r, "registrar-write-" + n.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                });
      }
      thread = new Thread(this::loop, "registrar-sync");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Stops after the write call in flight (if any) completes. */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      running = false;
      lock.notifyAll();
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (writers != null) {
      writers.shutdown();
    }
  }

  /**
   * Waits until nothing is pending: no dirty object, no retry scheduled, no resync requested, no
   * pass running, and the last pass succeeded.
   *
   * @return whether that state was reached within {@code timeout}
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!idle()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  private boolean idle() {
    return cachesSynced
        && leader
        && dirty.isEmpty()
        && delayed.isEmpty()
        && !fullResyncRequested
        && !passInFlight
        && storeHealthy;
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
    synchronized (lock) {
      return new Status(
          cachesSynced, leader, storeHealthy, indexLoaded, lastSuccessNanos, ownedEntries);
    }
  }

  /**
   * Engine health.
   *
   * @param cachesSynced the informers listed everything once
   * @param leader this replica may write
   * @param spireReachable the last SPIRE call succeeded
   * @param indexLoaded owned entries have been listed at least once
   * @param lastSuccessNanos {@code nanoClock} time of the last successful pass; 0 before
   * @param ownedEntries entries in the owned index
   */
  public record Status(
      boolean cachesSynced,
      boolean leader,
      boolean spireReachable,
      boolean indexLoaded,
      long lastSuccessNanos,
      int ownedEntries) {}

  // ---------------------------------------------------------------- the sync thread

  private void loop() {
    while (true) {
      Pass pass;
      try {
        pass = nextPass();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (pass == null) {
        return;
      }
      try {
        runPass(pass);
      } catch (RuntimeException e) {
        // A bug, not an input problem: keep the engine alive and retry everything later.
        log.error("Sync pass failed unexpectedly; retrying with a full resync", e);
        synchronized (lock) {
          requeue(pass.keys);
          fullResyncRequested = true;
          retryAt = nanoClock.getAsLong() + options.maxBackoff().toNanos();
        }
      } finally {
        synchronized (lock) {
          passInFlight = false;
          lock.notifyAll();
        }
      }
    }
  }

  private record Pass(boolean full, Map<ObjectKey, Long> keys) {}

  private Pass nextPass() throws InterruptedException {
    synchronized (lock) {
      while (true) {
        if (!running) {
          return null;
        }
        long now = nanoClock.getAsLong();
        promoteDueRetries(now);
        boolean resyncDue = indexLoaded && now - nextResyncAt >= 0;
        boolean work = fullResyncRequested || resyncDue || !dirty.isEmpty();
        boolean allowed = cachesSynced && leader && now - retryAt >= 0;
        if (work && allowed) {
          boolean full = fullResyncRequested || resyncDue || !indexLoaded;
          fullResyncRequested = false;
          Map<ObjectKey, Long> keys = dirty;
          dirty = new LinkedHashMap<>();
          passInFlight = true;
          return new Pass(full, keys);
        }
        long wait = Long.MAX_VALUE;
        if (allowed && indexLoaded) {
          wait = Math.min(wait, nextResyncAt - now);
        }
        if (!(now - retryAt >= 0)) {
          wait = Math.min(wait, retryAt - now);
        }
        for (long due : delayed.values()) {
          wait = Math.min(wait, due - now);
        }
        if (wait == Long.MAX_VALUE) {
          lock.wait();
        } else if (wait > 0) {
          TimeUnit.NANOSECONDS.timedWait(lock, wait);
        }
      }
    }
  }

  private void promoteDueRetries(long now) {
    if (delayed.isEmpty()) {
      return;
    }
    var it = delayed.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (now - e.getValue() >= 0) {
        Long since = delayedSince.remove(e.getKey());
        dirty.merge(e.getKey(), since == null ? now : since, Math::min);
        it.remove();
      }
    }
  }

  private void requeue(Map<ObjectKey, Long> keys) {
    for (var e : keys.entrySet()) {
      dirty.merge(e.getKey(), e.getValue(), Math::min);
    }
  }

  private void runPass(Pass pass) {
    long start = nanoClock.getAsLong();
    Counts counts = new Counts();
    Set<ObjectKey> keys = new LinkedHashSet<>(pass.keys.keySet());
    if (pass.full) {
      List<Entry> all;
      try {
        all = store.list(EntryFilter.ALL);
      } catch (EntryStoreException e) {
        storeFailed(pass, e, start, counts);
        return;
      }
      rebuildIndex(all);
      keys.addAll(cache.allKeys());
      for (List<Entry> group : index.values()) {
        ObjectKey.ofSelectors(group.get(0).spec().selectors(), cluster).ifPresent(keys::add);
      }
      synchronized (lock) {
        nextResyncAt = start + options.resyncInterval().toNanos();
      }
      log.debug("Full resync: {} objects, {} owned entries", keys.size(), ownedEntries);
    }

    // Desired state of each object; rejected objects keep what they have.
    List<EntrySpec> desired = new ArrayList<>();
    List<Entry> actual = new ArrayList<>();
    Map<List<Selector>, ObjectKey> keyBySelectors = new HashMap<>();
    List<ObjectKey> examined = new ArrayList<>(keys.size());
    for (ObjectKey key : keys) {
      List<Selector> selectors = selectorsOf(key);
      Optional<EntrySpec> spec;
      try {
        spec = desiredOf(key);
      } catch (RejectedObjectException e) {
        counts.rejected++;
        if (!e.getMessage().equals(lastRejection.put(key, e.getMessage()))) {
          log.warn("{}; its entries are left as they are", e.getMessage());
        }
        continue;
      }
      lastRejection.remove(key);
      spec.ifPresent(desired::add);
      List<Entry> have = index.get(selectors);
      if (have != null) {
        actual.addAll(have);
      }
      keyBySelectors.put(selectors, key);
      examined.add(key);
    }

    counts.desired = desired.size();
    EntryDiff.Result diff = EntryDiff.between(desired, actual, e -> true);
    counts.unchanged = diff.unchanged();
    Set<ObjectKey> failedKeys = new LinkedHashSet<>();
    try {
      writeDeletes(diff.deletes(), actual, keyBySelectors, failedKeys, counts);
      rethrowCallFailure();
      writeCreates(diff.creates(), keyBySelectors, failedKeys, counts);
      rethrowCallFailure();
      writeUpdates(diff.updates(), keyBySelectors, failedKeys, counts);
      rethrowCallFailure();
    } catch (EntryStoreException e) {
      storeFailed(pass, e, start, counts);
      return;
    } catch (LeadershipLost e) {
      callFailure = null;
      synchronized (lock) {
        requeue(pass.keys);
      }
      log.info("Leadership lost; stopped writing");
      return;
    }

    long now = nanoClock.getAsLong();
    synchronized (lock) {
      storeFailures = 0;
      for (ObjectKey key : failedKeys) {
        int n = failures.merge(key, 1, Integer::sum);
        long due = now + backoff(n);
        delayed.put(key, due);
        Long since = pass.keys.get(key);
        delayedSince.merge(key, since == null ? now : since, Math::min);
      }
    }
    for (ObjectKey key : examined) {
      if (!failedKeys.contains(key)) {
        failures.remove(key);
        Long since = pass.keys.get(key);
        if (since != null) {
          listener.onObjectSynced(key, now - since);
        }
      }
    }
    storeHealthy = true;
    if (failedKeys.isEmpty()) {
      lastSuccessNanos = now;
    }
    listener.onPass(report(pass.full, keys.size(), counts, now - start, ""));
  }

  private void storeFailed(Pass pass, EntryStoreException e, long start, Counts counts) {
    long now = nanoClock.getAsLong();
    long delay;
    synchronized (lock) {
      requeue(pass.keys);
      fullResyncRequested = true;
      storeFailures++;
      delay = backoff(storeFailures);
      retryAt = now + delay;
      storeHealthy = false;
    }
    log.warn(
        "SPIRE call failed ({}); retrying in {} ms with a full resync",
        e.getMessage(),
        TimeUnit.NANOSECONDS.toMillis(delay));
    listener.onStoreError(e.getMessage());
    listener.onPass(report(pass.full, pass.keys.size(), counts, now - start, e.getMessage()));
  }

  private long backoff(int attempt) {
    long min = options.minBackoff().toNanos();
    long max = options.maxBackoff().toNanos();
    long base = min << Math.min(20, Math.max(0, attempt - 1));
    if (base <= 0 || base > max) {
      base = max;
    }
    // Full jitter on the upper half spreads retries of several replicas and keys.
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  private SyncReport report(boolean full, int objects, Counts c, long nanos, String error) {
    return new SyncReport(
        full,
        objects,
        c.desired,
        c.created,
        c.updated,
        c.deleted,
        c.unchanged,
        c.failed,
        c.rejected,
        ownedEntries,
        nanos,
        error);
  }

  private static final class Counts {
    int desired;
    int created;
    int updated;
    int deleted;
    int unchanged;
    int failed;
    int rejected;
  }

  private static final class LeadershipLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeadershipLost() {
      super("leadership lost", null, false, false);
    }
  }

  private void checkLeader() {
    synchronized (lock) {
      if (!leader || !running) {
        throw new LeadershipLost();
      }
    }
  }

  // ---------------------------------------------------------------- desired state and index

  private Optional<EntrySpec> desiredOf(ObjectKey key) {
    if (key instanceof ObjectKey.Pod p) {
      Workload pod = cache.pod(p);
      if (pod == null) {
        return Optional.empty();
      }
      List<EndpointsInfo> eps = dnsNames ? cache.endpointsFor(p) : List.of();
      return entries.podEntry(pod, eps, warning -> log.warn("{}", warning));
    }
    ObjectKey.Node n = (ObjectKey.Node) key;
    NodeInfo node = cache.node(n.name());
    if (node == null) {
      return Optional.empty();
    }
    return Optional.of(entries.nodeEntry(node));
  }

  private List<Selector> selectorsOf(ObjectKey key) {
    // Both lists are built in the sorted order EntrySpec normalises to ("k8s:ns:" before
    // "k8s:pod-name:"; "k8s_psat:agent_node_name:" before "k8s_psat:cluster:"), so they can be
    // looked up in the index as they are.
    return key instanceof ObjectKey.Pod p
        ? ReconcileEntries.podSelectors(p.namespace(), p.name())
        : entries.nodeSelectors(((ObjectKey.Node) key).name());
  }

  private void rebuildIndex(List<Entry> all) {
    index.clear();
    var owned = entries.owned();
    int count = 0;
    for (Entry e : all) {
      if (owned.test(e)) {
        index.computeIfAbsent(e.spec().selectors(), k -> new ArrayList<>(1)).add(e);
        count++;
      }
    }
    indexLoaded = true;
    ownedEntries = count;
  }

  private void indexPut(Entry e) {
    List<Entry> group = index.computeIfAbsent(e.spec().selectors(), k -> new ArrayList<>(1));
    boolean replaced = group.removeIf(x -> x.id().equals(e.id()));
    group.add(e);
    if (!replaced) {
      ownedEntries++;
    }
  }

  private void indexRemove(EntryId id, List<Selector> selectors) {
    List<Entry> group = index.get(selectors);
    if (group != null) {
      if (group.removeIf(x -> x.id().equals(id))) {
        ownedEntries--;
      }
      if (group.isEmpty()) {
        index.remove(selectors);
      }
    }
  }

  // ---------------------------------------------------------------- writes

  private void writeDeletes(
      List<EntryId> ids,
      List<Entry> actual,
      Map<List<Selector>, ObjectKey> keys,
      Set<ObjectKey> failed,
      Counts counts) {
    if (ids.isEmpty()) {
      return;
    }
    Map<EntryId, Entry> byId = new HashMap<>();
    for (Entry e : actual) {
      byId.put(e.id(), e);
    }
    List<List<EntryId>> chunks = chunks(ids);
    List<List<EntryResult>> all = call(chunks, store::delete);
    for (int c = 0; c < chunks.size(); c++) {
      List<EntryId> chunk = chunks.get(c);
      List<EntryResult> results = all.get(c);
      if (results == null) {
        continue; // the call failed as a whole: rethrown below, after the others are recorded
      }
      for (int i = 0; i < chunk.size(); i++) {
        EntryId id = chunk.get(i);
        Entry old = byId.get(id);
        List<Selector> selectors = old.spec().selectors();
        ObjectKey key = keys.get(selectors);
        EntryResult r = results.get(i);
        if (r.code() == EntryResult.Code.OK || r.code() == EntryResult.Code.NOT_FOUND) {
          indexRemove(id, selectors);
          counts.deleted++;
          log.info("Deleted entry {} ({}) of {}", id, old.spiffeId(), key);
          listener.onWrite(SyncListener.WriteKind.DELETED, key, old.spiffeId().toString());
        } else {
          itemFailed(key, "deleting entry " + id + " (" + old.spiffeId() + ")", r, failed, counts);
        }
      }
    }
  }

  private void writeCreates(
      List<EntrySpec> specs,
      Map<List<Selector>, ObjectKey> keys,
      Set<ObjectKey> failed,
      Counts counts) {
    List<List<EntrySpec>> chunks = chunks(specs);
    List<List<EntryResult>> all = call(chunks, store::create);
    for (int c = 0; c < chunks.size(); c++) {
      List<EntrySpec> chunk = chunks.get(c);
      List<EntryResult> results = all.get(c);
      if (results == null) {
        continue;
      }
      for (int i = 0; i < chunk.size(); i++) {
        EntrySpec spec = chunk.get(i);
        ObjectKey key = keys.get(spec.selectors());
        EntryResult r = results.get(i);
        if (r.code() == EntryResult.Code.OK && r.entry().isPresent()) {
          indexPut(r.entry().get());
          counts.created++;
          log.info("Created entry {} ({}) for {}", r.entry().get().id(), spec.spiffeId(), key);
          listener.onWrite(SyncListener.WriteKind.CREATED, key, spec.spiffeId().toString());
        } else if (r.code() == EntryResult.Code.ALREADY_EXISTS && r.entry().isPresent()) {
          // A similar entry exists (another replica, or our index was stale): adopt it and let
          // the next pass compare the remaining fields.
          Entry existing = r.entry().get();
          indexPut(existing);
          counts.created++;
          log.info("Adopted existing entry {} ({}) for {}", existing.id(), spec.spiffeId(), key);
          if (!existing.spec().equals(spec)) {
            synchronized (lock) {
              dirty.putIfAbsent(key, nanoClock.getAsLong());
            }
          }
        } else {
          itemFailed(key, "creating entry " + spec.spiffeId(), r, failed, counts);
        }
      }
    }
  }

  private void writeUpdates(
      List<Entry> updates,
      Map<List<Selector>, ObjectKey> keys,
      Set<ObjectKey> failed,
      Counts counts) {
    List<List<Entry>> chunks = chunks(updates);
    List<List<EntryResult>> all = call(chunks, store::update);
    for (int c = 0; c < chunks.size(); c++) {
      List<Entry> chunk = chunks.get(c);
      List<EntryResult> results = all.get(c);
      if (results == null) {
        continue;
      }
      for (int i = 0; i < chunk.size(); i++) {
        Entry entry = chunk.get(i);
        ObjectKey key = keys.get(entry.spec().selectors());
        EntryResult r = results.get(i);
        if (r.code() == EntryResult.Code.OK) {
          indexPut(r.entry().orElse(entry));
          counts.updated++;
          log.info("Updated entry {} ({}) of {}", entry.id(), entry.spiffeId(), key);
          listener.onWrite(SyncListener.WriteKind.UPDATED, key, entry.spiffeId().toString());
        } else if (r.code() == EntryResult.Code.NOT_FOUND) {
          // Deleted behind our back: forget it; the retry creates it again.
          indexRemove(entry.id(), entry.spec().selectors());
          itemFailed(key, "updating entry " + entry.id() + " (gone)", r, failed, counts);
        } else {
          itemFailed(key, "updating entry " + entry.id(), r, failed, counts);
        }
      }
    }
  }

  private void itemFailed(
      ObjectKey key, String what, EntryResult r, Set<ObjectKey> failed, Counts counts) {
    counts.failed++;
    failed.add(key);
    String msg = what + " for " + key + " failed: " + r.code() + " " + r.message();
    log.warn("{}; will retry", msg);
    listener.onWriteFailure(key, msg);
  }

  /**
   * Makes the batch calls, up to {@code writeConcurrency} at a time, checking leadership before
   * each window. Results come back in chunk order; a chunk whose call failed as a whole has a
   * {@code null} result and, once every call of the window is back, its exception is recorded in
   * {@link #callFailure} for the caller to rethrow after recording the others' results.
   */
  private <T> List<List<EntryResult>> call(
      List<List<T>> chunks, java.util.function.Function<List<T>, List<EntryResult>> rpc) {
    List<List<EntryResult>> out = new ArrayList<>(chunks.size());
    int window = options.writeConcurrency();
    for (int start = 0; start < chunks.size(); start += window) {
      checkLeader();
      int end = Math.min(chunks.size(), start + window);
      if (end - start == 1 || writers == null) {
        for (int c = start; c < end; c++) {
          try {
            out.add(rpc.apply(chunks.get(c)));
          } catch (EntryStoreException e) {
            out.add(null);
            noteCallFailure(e);
          }
        }
        continue;
      }
      List<java.util.concurrent.Future<List<EntryResult>>> futures = new ArrayList<>();
      for (int c = start; c < end; c++) {
        List<T> chunk = chunks.get(c);
        futures.add(writers.submit(() -> rpc.apply(chunk)));
      }
      for (var f : futures) {
        try {
          out.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          out.add(null);
          if (e.getCause() instanceof EntryStoreException ese) {
            noteCallFailure(ese);
          } else {
            noteCallFailure(
                new EntryStoreException("write call failed: " + e.getCause(), true, e.getCause()));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          out.add(null);
          noteCallFailure(new EntryStoreException("interrupted", true, e));
        }
      }
    }
    return out;
  }

  private EntryStoreException callFailure;

  private void noteCallFailure(EntryStoreException e) {
    if (callFailure == null) {
      callFailure = e;
    }
  }

  private void rethrowCallFailure() {
    EntryStoreException e = callFailure;
    callFailure = null;
    if (e != null) {
      throw e;
    }
  }

  private <T> List<List<T>> chunks(List<T> items) {
    List<List<T>> out = new ArrayList<>();
    int n = options.batchSize();
    for (int i = 0; i < items.size(); i += n) {
      out.add(items.subList(i, Math.min(items.size(), i + n)));
    }
    return out;
  }
}
