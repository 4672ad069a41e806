package org.spireregistrar.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.spireregistrar.cli.plan.EntryTable;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.CommonConfig;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.ManifestReader;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.reconcile.ObjectKey;
import org.spireregistrar.reconcile.ReconcileMode;
import org.spireregistrar.reconcile.SyncListener;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: reconcile mode for real, against an in-memory SPIRE server on a Unix socket and an
 * embedded Kubernetes API stand-in seeded from {@code examples/cluster/}; no cluster, no SPIRE
 * server, no network.
 */
@Command(
    name = "demo",
    sortOptions = false,
    usageHelpAutoWidth = false,
    description = {
      "Run reconcile mode against an in-memory SPIRE server (real gRPC over a Unix socket) and an"
          + " embedded Kubernetes API stand-in (real HTTP watches) seeded from examples/cluster/.",
      "Then add, relabel, re-annotate, reschedule and delete pods, printing every entry change"
          + " as it converges, and a summary. Exits by itself.",
      "With --mode crd: the SpiffeID CRD, crd mode's controllers and its validating webhook (on a"
          + " certificate minted by SPIRE): pods become SpiffeIDs become entries; a hand-written"
          + " SpiffeID, a denied one and an entry deleted out of band are shown too.",
      "With --keep-running: skip the script and serve until Ctrl-C; point kubectl at the printed"
          + " kubeconfig to drive it."
    })
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "reconcile",
      description = "reconcile or crd (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(
      names = {"-config", "--config"},
      paramLabel = "FILE",
      description =
          "Configuration of that mode (default: examples/<mode>/registrar.conf); its server"
              + " address and metrics address are replaced by the embedded ones.")
  Path configPath;

  @Option(
      names = {"-f", "--filename"},
      paramLabel = "PATH",
      defaultValue = "examples/cluster",
      description = "Objects to seed the stand-in with (default: ${DEFAULT-VALUE}).")
  Path objects;

  @Option(
      names = "--keep-running",
      description = "Serve until interrupted instead of running the scripted churn.")
  boolean keepRunning;

  @Option(
      names = "--pods",
      paramLabel = "N",
      defaultValue = "200",
      description = "Pods created at once in the scale step (default: ${DEFAULT-VALUE}).")
  int scalePods;

  @Mixin HelpOption help;

  @Spec CommandSpec spec;

  private PrintWriter out;
  private long eventsSeen;
  private final ConcurrentLinkedQueue<String> changes = new ConcurrentLinkedQueue<>();

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    Mode wanted =
        switch (mode.toLowerCase(java.util.Locale.ROOT)) {
          case "reconcile" -> Mode.RECONCILE;
          case "crd" -> Mode.CRD;
          default ->
              throw new CommandLine.ParameterException(
                  spec.commandLine(),
                  "--mode: " + GoQuote.quote(mode) + " is not one of reconcile, crd");
        };
    if (configPath == null) {
      configPath = Path.of("examples", wanted.key(), "registrar.conf");
    }
    RegistrarConfig loaded = new ConfigOption(configPath).load();
    if (loaded.mode() != wanted) {
      throw new IllegalArgumentException(
          configPath
              + ": the demo runs "
              + wanted.key()
              + " mode, but the configuration names mode \""
              + loaded.mode().key()
              + "\"");
    }
    // Read (and so check) the objects before anything starts: a file the stand-in cannot load is
    // reported as plan reports it.
    ClusterObjects given = ManifestReader.read(List.of(objects)).objects();
    Path work = Files.createTempDirectory("registrar-demo");
    try {
      if (wanted == Mode.CRD) {
        return new CrdDemo(out, objects, scalePods)
            .run(
                loaded,
                work,
                keepRunning ? (k8s, dir) -> serve(k8s, dir, dir.resolve("api.sock")) : null);
      }
      return run(loaded, work, given);
    } finally {
      deleteRecursively(work);
      closed.countDown();
    }
  }

  /** The demo's first line: where the SPIRE server and the API stand-in listen. */
  static void banner(PrintWriter out, InMemorySpireServer spire, KubernetesApiStandIn k8s) {
    out.printf(
        "demo: SPIRE server (in memory) on %s, Kubernetes API stand-in on %s%n",
        spire.address(), k8s.url());
  }

  /** The demo's last line: how long it took since {@code startNanos} and the RPCs it made. */
  static void done(PrintWriter out, long startNanos, InMemorySpireServer spire) {
    out.printf(
        "%ndemo: done in %.1f s; SPIRE RPCs by method: %s%n",
        (System.nanoTime() - startNanos) / 1e9, spire.counters().rpcsByMethod());
  }

  /**
   * The in-memory SPIRE server of the demo, on a Unix socket, knowing the trust domains the example
   * pods federate with (SPIRE refuses entries federating with an unknown one).
   */
  static InMemorySpireServer startSpire(RegistrarConfig config, Path socket) {
    InMemorySpireServer spire =
        InMemorySpireServer.builder()
            .trustDomain(config.common().trustDomain())
            .socketPath(socket)
            .start();
    spire.addFederatedBundle(new TrustDomain("partner.example"));
    spire.addFederatedBundle(new TrustDomain("backup.example"));
    return spire;
  }

  /** Released once everything is closed and the work directory removed (see {@link #serve}). */
  private final CountDownLatch closed = new CountDownLatch(1);

  private int run(RegistrarConfig loaded, Path work, ClusterObjects given)
      throws InterruptedException {
    Path socket = work.resolve("api.sock");
    long start = System.nanoTime();
    try (InMemorySpireServer spire = startSpire(loaded, socket);
        KubernetesApiStandIn k8s = KubernetesApiStandIn.start()) {
      int seeded = k8s.load(objects).size();
      int seededPodsAndNodes = terminateAsGiven(k8s, given);
      RegistrarConfig config = embedded(loaded, spire.address());
      banner(out, spire, k8s);
      out.printf("demo: seeded %d objects from %s%n", seeded, objects);
      out.flush();

      try (GrpcEntryStore store =
              GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS);
          ReconcileMode mode =
              new ReconcileMode(
                  config,
                  k8s.client(),
                  store,
                  ReconcileMode.Runtime.of("spire"),
                  new Printer(keepRunning ? out : null))) {
        mode.start();
        converge(mode, "initial sync", seededPodsAndNodes);
        printEntries(spire, config);
        if (keepRunning) {
          return serve(k8s, work, socket);
        }
        script(k8s, mode, spire);
        printEntries(spire, config);
        done(out, start, spire);
      }
    }
    out.flush();
    return 0;
  }

  /**
   * Pods given with a deletionTimestamp are made terminating for real (a finalizer holds them, then
   * they are deleted): an API server never accepts a deletionTimestamp on create.
   *
   * @return the number of pod and node objects seeded (events the registrar will receive)
   */
  private int terminateAsGiven(KubernetesApiStandIn k8s, ClusterObjects given) {
    for (Workload pod : given.pods()) {
      if (pod.terminating()) {
        String path = ResourceType.PODS.objectPath(pod.namespace(), pod.name());
        k8s.patch(path, Map.of("metadata", Map.of("finalizers", List.of("demo/hold"))));
        k8s.delete(path);
      }
    }
    return given.pods().size() + given.nodes().size();
  }

  /** The configuration's common section pointed at the embedded SPIRE server. */
  static CommonConfig embeddedCommon(CommonConfig cc, String serverAddress) {
    return new CommonConfig(
        cc.logLevel(),
        cc.logFormat(),
        cc.logPath(),
        cc.trustDomain(),
        serverAddress,
        "",
        "",
        cc.cluster(),
        cc.podLabel(),
        cc.podAnnotation(),
        cc.mode(),
        cc.disabledNamespaces());
  }

  private RegistrarConfig embedded(RegistrarConfig c, String serverAddress) {
    CommonConfig common = embeddedCommon(c.common(), serverAddress);
    ReconcileConfig rc = c.reconcile();
    ReconcileConfig reconcile =
        new ReconcileConfig(
            "0",
            false,
            rc.leaderElectionResourceLock(),
            rc.controllerName(),
            rc.addPodDnsNames(),
            rc.clusterDnsZone(),
            rc.resyncInterval());
    return new RegistrarConfig(common, c.webhook(), reconcile, c.crd(), c.warnings());
  }

  private final java.util.Map<String, Long> createdAt =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final List<Long> entryLatencies =
      java.util.Collections.synchronizedList(new ArrayList<>());

  private double percentile(double q) {
    List<Long> sorted;
    synchronized (entryLatencies) {
      sorted = new ArrayList<>(entryLatencies);
    }
    java.util.Collections.sort(sorted);
    return percentile(sorted, q);
  }

  /** The {@code q} quantile of sorted nanosecond latencies, in milliseconds; 0 when empty. */
  static double percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
  }

  /** What grew between two counter snapshots. */
  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new java.util.TreeMap<>();
    after.forEach(
        (k, v) -> {
          long d = v - before.getOrDefault(k, 0L);
          if (d > 0) {
            out.put(k, d);
          }
        });
    return out;
  }

  private void script(KubernetesApiStandIn k8s, ReconcileMode mode, InMemorySpireServer spire)
      throws InterruptedException {
    String ns = "shop";
    step("add pod shop/api-0 on node-a");
    k8s.create(
        ResourceType.PODS.collectionPath(ns), pod(ns, "api-0", "api", "node-a", "10.0.1.20"));
    converge(mode, "add", 1);

    step("relabel shop/api-0 (service-account IDs ignore labels: no write expected)");
    k8s.patch(
        ResourceType.PODS.objectPath(ns, "api-0"),
        Map.of("metadata", Map.of("labels", Map.of("app", "api", "track", "canary"))));
    converge(mode, "relabel", 1);

    step("annotate shop/api-0 with spiffe.io/federatesWith: partner.example");
    k8s.patch(
        ResourceType.PODS.objectPath(ns, "api-0"),
        Map.of(
            "metadata",
            Map.of("annotations", Map.of("spiffe.io/federatesWith", "partner.example"))));
    converge(mode, "annotate", 1);

    step("reschedule shop/api-0 to node-b (delete, then recreate with the same name)");
    k8s.delete(ResourceType.PODS.objectPath(ns, "api-0"));
    k8s.create(
        ResourceType.PODS.collectionPath(ns), pod(ns, "api-0", "api", "node-b", "10.0.2.20"));
    converge(mode, "reschedule", 2);

    step("delete shop/api-0");
    k8s.delete(ResourceType.PODS.objectPath(ns, "api-0"));
    converge(mode, "delete", 1);

    step("scale: create " + scalePods + " pods at once in namespace load");
    long rpcsBefore = spire.counters().totalRpcs();
    java.util.Map<String, Long> before = spire.counters().rpcsByMethod();
    createdAt.clear();
    entryLatencies.clear();
    long loopStart = System.nanoTime();
    for (int i = 0; i < scalePods; i++) {
      createdAt.put("load/worker-" + i, System.nanoTime());
      k8s.create(
          ResourceType.PODS.collectionPath("load"),
          pod("load", "worker-" + i, "worker", i % 2 == 0 ? "node-a" : "node-b", null));
    }
    long createdIn = System.nanoTime() - loopStart;
    out.printf(
        "   %d pods created through the API stand-in in %d ms%n", scalePods, createdIn / 1_000_000);
    converge(mode, "scale up", scalePods);
    out.printf(
        "   pod created -> entry in SPIRE, %d pods: p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
            + " SPIRE RPCs %d (%s)%n",
        entryLatencies.size(),
        percentile(0.50),
        percentile(0.99),
        percentile(1.0),
        spire.counters().totalRpcs() - rpcsBefore,
        delta(before, spire.counters().rpcsByMethod()));
    step("scale: delete them again");
    for (int i = 0; i < scalePods; i++) {
      k8s.delete(ResourceType.PODS.objectPath("load", "worker-" + i));
    }
    converge(mode, "scale down", scalePods);
  }

  private static Map<String, Object> pod(
      String ns, String name, String sa, String node, String ip) {
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    pod.put("metadata", Map.of("name", name, "namespace", ns, "labels", Map.of("app", sa)));
    pod.put(
        "spec",
        Map.of(
            "serviceAccountName", sa,
            "nodeName", node,
            "containers", List.of(Map.of("name", "app", "image", "example/" + sa))));
    if (ip != null) {
      pod.put("status", Map.of("podIP", ip));
    }
    return pod;
  }

  private void step(String what) {
    out.printf("%n== %s%n", what);
    out.flush();
  }

  private void converge(ReconcileMode mode, String what) throws InterruptedException {
    converge(mode, what, 0);
  }

  /**
   * Waits until the engine has received {@code events} more object events than at the last step
   * (the informers deliver asynchronously), then until it is idle.
   */
  private void converge(ReconcileMode mode, String what, int events) throws InterruptedException {
    long t0 = System.nanoTime();
    long target = eventsSeen + events;
    long deadline = t0 + Duration.ofSeconds(30).toNanos();
    while (mode.engine().inputEvents() < target && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    eventsSeen = mode.engine().inputEvents();
    if (!mode.engine().awaitIdle(Duration.ofSeconds(30))) {
      throw new IllegalStateException("entries did not converge within 30 s after " + what);
    }
    List<String> drained = new ArrayList<>();
    for (String c; (c = changes.poll()) != null; ) {
      drained.add(c);
    }
    if (drained.size() > 12) {
      int n = drained.size();
      List<String> shown = new ArrayList<>(drained.subList(0, 5));
      shown.add("   ... " + (n - 10) + " more ...");
      shown.addAll(drained.subList(n - 5, n));
      drained = shown;
    }
    drained.forEach(out::println);
    out.printf(
        "   converged (%s) in %d ms%n", what, Duration.ofNanos(System.nanoTime() - t0).toMillis());
    out.flush();
  }

  private void printEntries(InMemorySpireServer spire, RegistrarConfig config) {
    List<org.spireregistrar.core.EntrySpec> specs =
        spire.entries().stream()
            .map(Entry::spec)
            .sorted(
                Comparator.comparing(
                    (org.spireregistrar.core.EntrySpec s) -> s.spiffeId().toString()))
            .toList();
    out.printf("%nEntries in SPIRE (trust domain %s):%n", config.common().trustDomain());
    out.print(EntryTable.renderCompact(specs));
    out.flush();
  }

  private int serve(KubernetesApiStandIn k8s, Path work, Path socket) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    // SIGTERM/Ctrl-C: let the main thread close the registrar, SPIRE and the stand-in and remove
    // the work directory before the JVM halts. Registered before the banner, so a signal sent as
    // soon as it appears is handled.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    closed.await(15, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "demo-shutdown"));
    Path kubeconfig = k8s.writeKubeconfig(work.resolve("kubeconfig"));
    out.printf(
        "%ndemo: serving until Ctrl-C.%n  export KUBECONFIG=%s%n  SPIRE admin socket: %s%n"
            + "  try: kubectl get pods -A; kubectl label pod -n shop web-0 tier=gold;"
            + " kubectl delete pod -n shop cart-7d9f%n",
        kubeconfig, socket);
    out.flush();
    stop.await();
    out.printf("demo: stopping%n");
    out.flush();
    return 0;
  }

  /** Removes the demo's work directory (socket, kubeconfig); what cannot be removed is left. */
  static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: a temporary directory.
    }
  }

  /** Prints entry changes: live in --keep-running mode, per step otherwise. */
  private final class Printer implements SyncListener {
    private final PrintWriter live;

    Printer(PrintWriter live) {
      this.live = live;
    }

    @Override
    public void onWrite(WriteKind kind, ObjectKey key, String spiffeId) {
      if (kind == WriteKind.CREATED && key instanceof ObjectKey.Pod p) {
        Long t0 = createdAt.remove(p.namespace() + "/" + p.name());
        if (t0 != null) {
          entryLatencies.add(System.nanoTime() - t0);
        }
      }
      String line =
          String.format(
              "   %s %-8s %s  (%s)",
              switch (kind) {
                case CREATED -> "+";
                case UPDATED -> "~";
                case DELETED -> "-";
              },
              kind.name().toLowerCase(java.util.Locale.ROOT),
              spiffeId,
              key);
      emit(line);
    }

    @Override
    public void onWriteFailure(ObjectKey key, String message) {
      emit("   ! " + message);
    }

    private void emit(String line) {
      if (live != null) {
        live.println(line);
        live.flush();
      } else {
        changes.add(line);
      }
    }
  }
}
