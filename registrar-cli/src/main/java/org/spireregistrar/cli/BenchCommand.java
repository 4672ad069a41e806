package org.spireregistrar.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.spireregistrar.bench.BenchReport;
import org.spireregistrar.bench.BenchRunner;
import org.spireregistrar.bench.BenchSettings;
import org.spireregistrar.bench.JmhSuite;
import org.spireregistrar.bench.Scenario;
import org.spireregistrar.bench.Source;
import org.spireregistrar.core.config.GoDuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the scale benchmark of product.md §6. Runs our reconcile engine (the production
 * {@code SyncEngine} through the production {@code GrpcEntryStore}) and models of the original
 * registrar's and spire-controller-manager's sync patterns, each against an in-memory SPIRE server
 * on a Unix socket with the same injected RPC latency, fed the same synthetic cluster; prints a
 * table per scenario with each baseline's ratio to ours and the product targets.
 */
@Command(
    name = "bench",
    sortOptions = false,
    usageHelpAutoWidth = false,
    description = {
      "Scale benchmark: runs reconcile mode (client, informers, engine, the real SPIRE client)"
          + " against a Kubernetes API stand-in holding realistic pods and an in-memory SPIRE"
          + " server on a Unix socket (with an injected latency per RPC and cost per entry), next"
          + " to models of the original registrar's and spire-controller-manager's sync patterns"
          + " on the same work, read through the same kind of informers. --source memory feeds"
          + " the engine directly instead.",
      "Scenarios: cold (sync N pods into an empty server), steady (a full resync with nothing"
          + " changed), churn (pods created, relabelled and deleted at a fixed rate; event ->"
          + " entry latency), heap (live heap after GC with N pods tracked).",
      "Prints a table per scenario with each baseline's figure and its ratio to ours, and the"
          + " product targets; -o json for machines.",
      "Micro-benchmarks (JMH): bench --jmh [\"JMH options and benchmark patterns\"]"
    })
public final class BenchCommand implements Callable<Integer> {

  @Option(
      names = "--pods",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Pods in the cluster (default: ${DEFAULT-VALUE}).")
  int pods;

  @Option(
      names = "--nodes",
      paramLabel = "M",
      defaultValue = "100",
      description = "Nodes the pods are spread over (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--rpc-latency",
      paramLabel = "DURATION",
      defaultValue = "1ms",
      converter = GoDurationConverter.class,
      description = "Latency the SPIRE server adds to every RPC (default: ${DEFAULT-VALUE}).")
  Duration rpcLatency;

  @Option(
      names = "--rpc-cost-per-entry",
      paramLabel = "DURATION",
      defaultValue = "0s",
      converter = GoDurationConverter.class,
      description =
          "Work the SPIRE server's datastore does per entry written or listed, one RPC at a time"
              + " (default: ${DEFAULT-VALUE}; e.g. 200us).")
  Duration rpcCostPerEntry;

  @Option(
      names = "--source",
      paramLabel = "SOURCE",
      defaultValue = "api",
      description =
          "api: realistic objects in a Kubernetes API stand-in, read through informers (the"
              + " production path); memory: views handed to the engine directly (default:"
              + " ${DEFAULT-VALUE}).")
  String source;

  @Option(
      names = "--churn-rate",
      paramLabel = "PER_SECOND",
      defaultValue = "100",
      description = "Churn events per second (default: ${DEFAULT-VALUE}).")
  int churnRate;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = GoDurationConverter.class,
      description = "How long the churn lasts (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed of the synthetic cluster and churn script (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--scenarios",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "cold,steady,churn,heap",
      description = "Scenarios to report, comma-separated (default: ${DEFAULT-VALUE}).")
  List<String> scenarios;

  @Option(
      names = "--strategies",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "registrar,original,scm",
      description =
          "Strategies to run: registrar (ours), original (model of the original registrar's"
              + " reconcile mode), scm (model of spire-controller-manager) (default:"
              + " ${DEFAULT-VALUE}).")
  List<String> strategies;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(
      names = "--no-warmup",
      description =
          "Skip the untimed rounds of each strategy that warm the JIT first (repeated until"
              + " the JIT settles).")
  boolean noWarmup;

  @Option(
      names = "--check",
      description =
          "Exit 1 when a target is missed (issue 12's table: ahead of both models, heap, latency,"
              + " RPC bounds), naming each on stderr.")
  boolean check;

  @Option(
      names = "--jmh",
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "JMH_ARGS",
      description =
          "Instead of the scenarios, run the JMH micro-benchmarks of the hot pure functions (entry"
              + " diff, ID policies, DNS names, templates) with JMH's own options, given as one"
              + " argument, e.g. --jmh \"-f 1 -wi 2 -i 3 PolicyBenchmark\".")
  String jmh;

  @Option(
      names = "--baseline-interval",
      hidden = true,
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = GoDurationConverter.class,
      description = "The baselines' periodic pass (10s in both originals; tests shorten it).")
  Duration baselineInterval;

  @Mixin HelpOption help;

  @Spec CommandSpec spec;

  /** Parses Go durations ({@code 1ms}, {@code 500us}, {@code 10s}). */
  static final class GoDurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return GoDuration.parse(value);
    }
  }

  @Override
  public Integer call() throws IOException {
    if (jmh != null) {
      return runJmh(jmh);
    }
    // Our engine logs every entry it writes at INFO; 10,000 lines would swamp the tables and
    // time the console. An explicit -Dorg.slf4j.simpleLogger.defaultLogLevel wins.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    // Closing a strategy stops its informers while their watches are open; client-java logs that
    // as an ERROR ("Reflector loop failed unexpectedly ... closed") though nothing failed.
    String reflector =
        "org.slf4j.simpleLogger.log.io.kubernetes.client.informer.cache.ReflectorRunnable";
    if (System.getProperty(reflector) == null) {
      System.setProperty(reflector, "off");
    }
    BenchSettings settings = settings();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    BenchReport report = new BenchRunner(settings, err).run();
    if (output.equals("json")) {
      report.printJson(out);
    } else {
      report.printTables(out);
    }
    List<String> missed = check ? report.missedTargets() : List.of();
    if (!missed.isEmpty()) {
      err.printf(
          "bench --check: %d target%s missed:%n", missed.size(), missed.size() == 1 ? "" : "s");
      missed.forEach(m -> err.println("  " + m));
      err.flush();
      return 1;
    }
    return 0;
  }

  /** Runs JMH in this JVM; its forks use this JVM's class path (the shaded jar). */
  private int runJmh(String args) throws IOException {
    try {
      return JmhSuite.run(args);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--jmh: " + e.getMessage(), e, null, args);
    }
  }

  private BenchSettings settings() {
    try {
      String format = output.toLowerCase(Locale.ROOT);
      if (!format.equals("table") && !format.equals("json")) {
        throw new IllegalArgumentException(
            "invalid output format \"" + output + "\"; valid formats are table and json");
      }
      output = format;
      Set<Scenario> chosen = EnumSet.noneOf(Scenario.class);
      for (String s : scenarios) {
        chosen.add(Scenario.parse(s));
      }
      List<String> ids = new ArrayList<>(new LinkedHashSet<>(trimmed(strategies)));
      for (String id : ids) {
        if (!BenchRunner.STRATEGIES.contains(id)) {
          throw BenchRunner.unknownStrategy(id);
        }
      }
      return new BenchSettings(
          pods,
          nodes,
          rpcLatency,
          churnRate,
          duration,
          seed,
          chosen,
          ids,
          baselineInterval,
          !noWarmup,
          Source.parse(source),
          rpcCostPerEntry);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private static List<String> trimmed(List<String> items) {
    List<String> out = new ArrayList<>();
    for (String s : items) {
      out.add(s.trim().toLowerCase(Locale.ROOT));
    }
    return out;
  }
}
