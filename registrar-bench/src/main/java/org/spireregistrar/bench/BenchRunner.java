package org.spireregistrar.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigParser;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * Runs the scenarios on each strategy in turn, each against its own fresh {@link
 * InMemorySpireServer} on a Unix socket with the same injected latency and cost per entry, fed the
 * same synthetic cluster and churn script: with {@code --source api} through its own freshly seeded
 * {@link ApiCluster} (a Kubernetes API stand-in read through informers), with {@code --source
 * memory} directly.
 *
 * <p>Per strategy: cold sync (always, as the setup of the others), then the steady resync, the heap
 * measurement and the churn, each only when selected. The heap is the live heap after GC with the
 * strategy holding the cluster, minus the same measured just before the strategy was created (after
 * the API stand-in was populated), so neither the stand-in nor anything a closed strategy might
 * leave behind counts.
 */
public final class BenchRunner {
  static final String TRUST_DOMAIN = "example.org";
  static final String CLUSTER = "bench";

  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);

  private final BenchSettings settings;
  private final PrintWriter progress;
  private final RegistrarConfig config;

  /**
   * @param progress receives one line per step (stderr in the CLI), so a long run shows life
   */
  public BenchRunner(BenchSettings settings, PrintWriter progress) {
    this.settings = settings;
    this.progress = progress;
    this.config = config();
  }

  /**
   * Reconcile mode in label mode with pod DNS names: pod entries carry a SPIFFE ID from the {@code
   * spire-workload} label (so a relabel changes the entry) and two DNS names from the pod IP.
   */
  static RegistrarConfig config() {
    Map<String, Object> items = new LinkedHashMap<>();
    items.put("mode", "reconcile");
    items.put("trust_domain", TRUST_DOMAIN);
    items.put("cluster", CLUSTER);
    items.put("server_socket_path", "/run/spire/sockets/api.sock");
    items.put("pod_label", SyntheticCluster.LABEL);
    items.put("add_pod_dns_names", true);
    items.put("metrics_addr", "0");
    return ConfigParser.parse(ConfigDocument.of(items));
  }

  /** All selected scenarios on all selected strategies. */
  public BenchReport run() {
    Map<Scenario, List<Measured>> byScenario = new EnumMap<>(Scenario.class);
    for (String id : settings.strategies()) {
      if (settings.warmup()) {
        warmUp(id);
      }
      Map<Scenario, Measured> results = runStrategy(id, true);
      results.forEach((s, m) -> byScenario.computeIfAbsent(s, k -> new ArrayList<>()).add(m));
    }
    List<BenchReport.ScenarioReport> reports = new ArrayList<>();
    for (Scenario s : Scenario.values()) {
      if (settings.scenarios().contains(s)) {
        reports.add(BenchReport.scenario(s, settings, byScenario.getOrDefault(s, List.of())));
      }
    }
    return new BenchReport(settings, reports);
  }

  /**
   * Untimed rounds of {@code id} until the JIT has settled ({@link WarmUp}), just before its
   * measured run, so that its type profiles are its own.
   */
  private void warmUp(String id) {
    BenchSettings w = settings.forWarmup();
    WarmUp warmUp = WarmUp.ofThisJvm();
    warmUp.run(
        () -> new BenchRunner(w, new PrintWriter(PrintWriter.nullWriter())).runStrategy(id, false),
        r -> {
          progress.printf(
              "warm-up: %s round %d (%d pods, untimed): %d ms, JIT compiling %s%n",
              id,
              r.number(),
              w.pods(),
              r.wallMillis(),
              r.jitMillis().isPresent() ? r.jitMillis().getAsLong() + " ms" : "(not reported)");
          progress.flush();
        });
    try {
      WarmUp.Quiet q = warmUp.awaitQuiet();
      progress.printf(
          "warm-up: %s %s after %d ms idle%n",
          id, q.quiet() ? "JIT quiet" : "JIT still compiling", q.waitedMillis());
      progress.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The strategy IDs {@link #create} knows, ours first. */
  public static final List<String> STRATEGIES = List.of("registrar", "original", "scm");

  /** The error for an ID not among {@link #STRATEGIES}. */
  public static IllegalArgumentException unknownStrategy(String id) {
    return new IllegalArgumentException(
        "unknown strategy \"" + id + "\"; valid strategies are registrar, original and scm");
  }

  /**
   * A strategy writing through {@code store}.
   *
   * @param baselineInterval the baselines' periodic pass
   */
  static Strategy create(
      String id, RegistrarConfig config, GrpcEntryStore store, Duration baselineInterval) {
    return switch (id) {
      case "registrar" -> new RegistrarStrategy(config, store);
      case "original" -> new OriginalRegistrarModel(config, store, baselineInterval);
      case "scm" -> new ControllerManagerModel(config, store, baselineInterval);
      default -> throw unknownStrategy(id);
    };
  }

  /**
   * A strategy writing through {@code store} that reads the cluster from {@code api} through
   * informers, timing events by {@code times}.
   */
  static Strategy create(
      String id,
      RegistrarConfig config,
      GrpcEntryStore store,
      Duration baselineInterval,
      ApiCluster api,
      EventTimes times) {
    if (id.equals("registrar")) {
      return new RegistrarStrategy(config, store, api.client(), times);
    }
    TimedModel model = (TimedModel) create(id, config, store, baselineInterval);
    model.timeEventsBy(times);
    // SCM watches namespaces too (for its namespace selectors).
    return new ApiFedStrategy(model, api.client(), model instanceof ControllerManagerModel);
  }

  /** The client settings each strategy's original uses (page size, batch limits). */
  static GrpcEntryStore.Options storeOptions(String id) {
    GrpcEntryStore.Options d = GrpcEntryStore.Options.DEFAULTS;
    return switch (id) {
      case "original" -> d.withPageSize(OriginalRegistrarModel.PAGE_SIZE).withBatchSize(1000);
      case "scm" ->
          d.withPageSize(ControllerManagerModel.PAGE_SIZE)
              .withBatchSize(ControllerManagerModel.DELETE_BATCH);
      default -> d; // production defaults, as ModeRunner connects
    };
  }

  private Map<Scenario, Measured> runStrategy(String id, boolean measured) {
    Map<Scenario, Measured> out = new EnumMap<>(Scenario.class);
    Path dir;
    try {
      dir = Files.createTempDirectory("registrar-bench");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the SPIRE socket", e);
    }
    boolean api = settings.source() == Source.API;
    SyntheticCluster cluster =
        new SyntheticCluster(settings.seed(), settings.pods(), settings.nodes());
    EventTimes times = api ? new EventTimes() : null;
    try (InMemorySpireServer spire =
            InMemorySpireServer.builder()
                .trustDomain(TRUST_DOMAIN)
                .socketPath(dir.resolve("api.sock"))
                .start();
        ApiCluster apiCluster = api ? new ApiCluster(settings.seed()) : null) {
      spire.faults().latency(settings.rpcLatency()).costPerEntry(settings.rpcCostPerEntry());
      if (api) {
        step(id, "seeding the API server: %d pods on %d nodes", settings.pods(), settings.nodes());
        long seeding = System.nanoTime();
        apiCluster.seed(cluster, settings.nodes());
        step(id, "seeded in %.1f s", (System.nanoTime() - seeding) / 1e9);
      }
      boolean heap = settings.scenarios().contains(Scenario.HEAP) && measured;
      // The baseline: everything but the strategy (the API stand-in populated, SPIRE running).
      long baseline = heap ? liveHeapBytes() : 0;
      GrpcEntryStore store = GrpcEntryStore.connect(spire.address(), "", storeOptions(id));
      Strategy strategy =
          api
              ? create(id, config, store, settings.baselineInterval(), apiCluster, times)
              : create(id, config, store, settings.baselineInterval());
      String title = strategy.title();
      try {
        step(id, "cold sync of %d pods on %d nodes", settings.pods(), settings.nodes());
        Measured cold = cold(strategy, spire, cluster, times);
        if (settings.scenarios().contains(Scenario.COLD)) {
          out.put(Scenario.COLD, cold);
        }
        if (settings.scenarios().contains(Scenario.STEADY)) {
          step(id, "steady-state resync");
          out.put(Scenario.STEADY, steady(strategy, spire));
        }
        if (settings.scenarios().contains(Scenario.CHURN)) {
          step(id, "churn: %d events at %d/s", settings.churnEvents(), settings.churnRate());
          out.put(Scenario.CHURN, churn(strategy, spire, cluster, measured, apiCluster, times));
        }
        if (heap) {
          // Last, so the stand-in and the SPIRE server hold the same in both measurements: the
          // live heap with the strategy, minus the live heap once it is closed and collected.
          // Neither the stand-in's objects nor the SPIRE server's entries count for anybody.
          step(id, "heap");
          long withStrategy = liveHeapBytes();
          WeakReference<Strategy> collected = new WeakReference<>(strategy);
          strategy.close();
          strategy = null;
          store.close();
          store = null;
          long heapBytes;
          if (awaitCollected(collected)) {
            heapBytes = withStrategy - liveHeapBytes();
          } else {
            // Still reachable after close: the figure falls back to the baseline taken before
            // the strategy existed, which also counts the entries the SPIRE server gained.
            step(
                id,
                "still reachable after close: heap measured against the baseline (upper bound)");
            heapBytes = withStrategy - baseline;
          }
          out.put(
              Scenario.HEAP,
              new Measured(
                  id,
                  title,
                  0,
                  0,
                  Map.of(),
                  Map.of(),
                  LatencyRecorder.Percentiles.NONE,
                  Optional.empty(),
                  Map.of(
                      "heap_bytes", Math.max(0, heapBytes), "pods_tracked", cluster.podCount())));
        }
      } finally {
        if (strategy != null) {
          strategy.close();
        }
        if (store != null) {
          store.close();
        }
      }
    } finally {
      try {
        Files.deleteIfExists(dir.resolve("api.sock"));
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        // a leftover empty temp directory is harmless
      }
    }
    return out;
  }

  private void step(String id, String format, Object... args) {
    progress.printf("%-9s %s%n", id, String.format(format, args));
    progress.flush();
  }

  // ---------------------------------------------------------------- scenarios

  private Measured cold(
      Strategy s, InMemorySpireServer spire, SyntheticCluster cluster, EventTimes times) {
    List<NodeInfo> nodes = cluster.nodes();
    List<Workload> pods = times == null ? cluster.workloads() : List.of();
    int objects = nodes.size() + cluster.podCount();
    spire.resetCounters();
    s.latencies().reset();
    CpuMeter cpu = CpuMeter.start(settings.source());
    long t0 = System.nanoTime();
    if (times != null) {
      // Every object is in the API server already: its "event" is the registrar's start.
      times.clear();
      times.coldStart(t0);
      s.start();
      long end = awaitConverged(s, spire, cluster, t0 + SYNC_TIMEOUT.toNanos());
      long wall = (end < 0 ? System.nanoTime() : end) - t0;
      long cpuNanos = cpu.elapsedNanos();
      times.clear();
      return measured(s, spire, wall, cpuNanos, Optional.of(end >= 0), Map.of("objects", objects));
    }
    runOnFeeder(
        cpu,
        () -> {
          for (NodeInfo n : nodes) {
            s.nodeUpserted(n);
          }
          for (Workload p : pods) {
            s.podUpserted(p);
          }
          s.start();
        });
    boolean idle = await(s::awaitIdle, SYNC_TIMEOUT);
    long wall = System.nanoTime() - t0;
    long cpuNanos = cpu.elapsedNanos();
    return measured(
        s,
        spire,
        wall,
        cpuNanos,
        Optional.of(idle && converged(spire, cluster)),
        Map.of("objects", objects));
  }

  /**
   * With {@code --source api}, where idle does not yet mean that every change has arrived through
   * the watches: waits until the strategy is idle <em>and</em> SPIRE holds what the cluster calls
   * for.
   *
   * @return when the strategy became idle the last time (before the check that found SPIRE
   *     converged), or -1 if that did not happen by {@code deadline}
   */
  private long awaitConverged(
      Strategy s, InMemorySpireServer spire, SyntheticCluster cluster, long deadline) {
    while (System.nanoTime() < deadline) {
      boolean idle =
          await(s::awaitIdle, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      long at = System.nanoTime();
      if (idle && converged(spire, cluster)) {
        return at;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return -1;
  }

  /** Passes measured in the steady scenario; the one of median wall time is reported. */
  static final int STEADY_PASSES = 3;

  /**
   * The steady scenario: a collected heap and one unmeasured pass first (a registrar in its steady
   * state has run many, and a model has polled many times during its cold sync), then {@link
   * #STEADY_PASSES} measured ones, each from counters reset before it; the pass of median wall time
   * is reported, with its own CPU time and RPCs.
   */
  private Measured steady(Strategy s, InMemorySpireServer spire) {
    // From a collected heap: no strategy's passes pay for collecting what its cold sync left
    // (a concurrent cycle over a heap of a million objects takes seconds of the two cores).
    System.gc();
    if (!await(s::resyncOnce, SYNC_TIMEOUT)) {
      return steadyPass(s, spire, false);
    }
    List<Measured> passes = new ArrayList<>(STEADY_PASSES);
    for (int i = 0; i < STEADY_PASSES; i++) {
      Measured pass = steadyPass(s, spire, true);
      passes.add(pass);
      if (pass.extra().containsKey("timed_out")) {
        return pass;
      }
    }
    passes.sort(java.util.Comparator.comparingLong(Measured::wallNanos));
    return passes.get(STEADY_PASSES / 2);
  }

  /**
   * One measured pass.
   *
   * @param warm whether an unmeasured pass ran before (false: the warm-up itself timed out, and
   *     this pass is reported as it is)
   */
  private Measured steadyPass(Strategy s, InMemorySpireServer spire, boolean warm) {
    spire.resetCounters();
    s.latencies().reset();
    CpuMeter cpu = CpuMeter.start(settings.source());
    long t0 = System.nanoTime();
    boolean done = await(s::resyncOnce, SYNC_TIMEOUT);
    long wall = System.nanoTime() - t0;
    long cpuNanos = cpu.elapsedNanos();
    double perHour = 3600.0 / (s.resyncInterval().toNanos() / 1e9);
    Map<String, Number> extra = new HashMap<>();
    extra.put("resync_interval_s", s.resyncInterval().toNanos() / 1e9);
    extra.put("list_rpcs_per_hour_idle", spire.counters().rpcs(Measured.LIST) * perHour);
    extra.put("cpu_ms_per_hour_idle", cpuNanos / 1e6 * perHour);
    extra.put("passes_measured", warm ? STEADY_PASSES : 1);
    if (!done) {
      extra.put("timed_out", 1);
    }
    return measured(s, spire, wall, cpuNanos, Optional.empty(), extra);
  }

  private Measured churn(
      Strategy s,
      InMemorySpireServer spire,
      SyntheticCluster cluster,
      boolean drain,
      ApiCluster api,
      EventTimes times) {
    long interval = TimeUnit.SECONDS.toNanos(1) / settings.churnRate();
    List<SyntheticCluster.Event> script = cluster.churn(settings.churnEvents(), interval);
    spire.resetCounters();
    s.latencies().reset();
    CpuMeter cpu = CpuMeter.start(settings.source());
    long t0 = System.nanoTime();
    if (api != null) {
      times.clear();
      // The churn driver stands for the cluster's controllers and kubelets: not counted.
      runOn(
          "cluster-churn",
          () -> {
            for (SyntheticCluster.Event e : script) {
              long due = t0 + e.atNanos();
              for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                LockSupport.parkNanos(left);
              }
              api.send(e, times);
            }
          });
      long fed = System.nanoTime() - t0;
      long end = drain ? awaitConverged(s, spire, cluster, t0 + fed + SYNC_TIMEOUT.toNanos()) : -1;
      long wall = (end < 0 ? System.nanoTime() : end) - t0;
      long cpuNanos = cpu.elapsedNanos();
      return measured(
          s, spire, wall, cpuNanos, Optional.of(end >= 0), churnExtra(s, script.size(), fed));
    }
    runOnFeeder(
        cpu,
        () -> {
          for (SyntheticCluster.Event e : script) {
            long due = t0 + e.atNanos();
            for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
              LockSupport.parkNanos(left);
            }
            switch (e.op()) {
              case CREATE, RELABEL -> s.podUpserted(e.workload());
              case DELETE ->
                  s.podDeleted(
                      SyntheticCluster.namespace(e.pod()), SyntheticCluster.podName(e.pod()));
            }
          }
        });
    long fed = System.nanoTime() - t0;
    boolean idle = drain && await(s::awaitIdle, SYNC_TIMEOUT);
    long wall = System.nanoTime() - t0;
    long cpuNanos = cpu.elapsedNanos();
    return measured(
        s,
        spire,
        wall,
        cpuNanos,
        Optional.of(idle && converged(spire, cluster)),
        churnExtra(s, script.size(), fed));
  }

  private static Map<String, Number> churnExtra(Strategy s, int events, long fedNanos) {
    Map<String, Number> extra = new HashMap<>();
    extra.put("events", events);
    extra.put("events_per_s", events / (fedNanos / 1e9));
    Strategy inner = s instanceof ApiFedStrategy fed ? fed.model() : s;
    if (inner instanceof ControllerManagerModel scm) {
      extra.put("dropped_triggers", scm.droppedTriggers());
    }
    return extra;
  }

  private static Measured measured(
      Strategy s,
      InMemorySpireServer spire,
      long wall,
      long cpu,
      Optional<Boolean> converged,
      Map<String, Number> extra) {
    return new Measured(
        s.id(),
        s.title(),
        wall,
        cpu,
        spire.counters().rpcsByMethod(),
        spire.counters().entriesByMethod(),
        s.latencies().percentiles(),
        converged,
        extra);
  }

  private interface TimedWait {
    boolean await(Duration timeout) throws InterruptedException;
  }

  private static boolean await(TimedWait wait, Duration timeout) {
    try {
      return wait.await(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Runs {@code body} on a thread of that name, and waits for it. */
  private static void runOn(String name, Runnable body) {
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (RuntimeException e) {
                failure.set(e);
              }
            },
            name);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  /** Runs {@code feed} on a thread named as registrar-side (the informer's delivery thread). */
  private static void runOnFeeder(CpuMeter cpu, Runnable feed) {
    Thread t =
        new Thread(
            () -> {
              feed.run();
              cpu.threadEnding();
            },
            "bench-feed");
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Whether SPIRE holds exactly the entries the cluster calls for (as a multiset). */
  private boolean converged(InMemorySpireServer spire, SyntheticCluster cluster) {
    ReconcileEntries rules = ReconcileEntries.forConfig(config);
    Map<EntrySpec, Integer> want = new HashMap<>();
    for (NodeInfo n : cluster.nodes()) {
      want.merge(rules.nodeEntry(n), 1, Integer::sum);
    }
    for (Workload p : cluster.workloads()) {
      rules.podEntry(p, List.of(), w -> {}).ifPresent(e -> want.merge(e, 1, Integer::sum));
    }
    Map<EntrySpec, Integer> have = new HashMap<>();
    for (Entry e : spire.entries()) {
      have.merge(e.spec(), 1, Integer::sum);
    }
    return want.equals(have);
  }

  /** Whether {@code ref}'s object is collected within a few full collections. */
  static boolean awaitCollected(WeakReference<?> ref) {
    for (int i = 0; i < 20 && ref.get() != null; i++) {
      System.gc();
      try {
        Thread.sleep(50); // threads the close stopped may still be unwinding
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return ref.get() == null;
  }

  /** Heap in use after full collections: the smallest of a few, once it stops falling. */
  static long liveHeapBytes() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= best && i >= 2) {
        break;
      }
      best = Math.min(best, used);
    }
    return best;
  }
}
