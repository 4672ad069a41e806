package org.spireregistrar.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.spireregistrar.core.config.GoDuration;

/**
 * The outcome of a benchmark run: per scenario, each strategy's figures, each baseline's ratio to
 * ours (baseline ÷ ours: above 1 means we use less), and the product targets (product.md §6)
 * checked against ours. Renders as aligned tables or as JSON.
 */
public record BenchReport(BenchSettings settings, List<ScenarioReport> scenarios) {

  static final String OURS = "registrar";

  public BenchReport {
    scenarios = List.copyOf(scenarios);
  }

  /**
   * One scenario.
   *
   * @param scenario which
   * @param heading the table heading (sizes included)
   * @param results one per strategy, ours first
   * @param targets product targets checked against ours; empty when ours did not run
   */
  record ScenarioReport(
      Scenario scenario, String heading, List<Measured> results, List<Target> targets) {

    /** Our result; empty when ours did not run. */
    Optional<Measured> ours() {
      return BenchReport.ours(results);
    }
  }

  /**
   * A product target.
   *
   * @param bar what is measured
   * @param limit the target, as text
   * @param measured our figure, as text
   * @param met whether our figure meets the target
   */
  record Target(String bar, String limit, String measured, boolean met) {}

  private enum Unit {
    MILLIS,
    COUNT,
    MIB,
    SECONDS,
    YES_NO
  }

  /**
   * A table row and JSON key.
   *
   * @param ratio whether the baselines' ratio to ours is shown (lower is better for all of these)
   */
  private record Row(
      String label, String key, ToDoubleFunction<Measured> value, Unit unit, boolean ratio) {}

  // ---------------------------------------------------------------- building

  static ScenarioReport scenario(Scenario s, BenchSettings settings, List<Measured> results) {
    String heading =
        switch (s) {
          case COLD ->
              String.format(
                  Locale.ROOT,
                  "Cold sync: %,d pods on %,d nodes into an empty SPIRE server",
                  settings.pods(),
                  settings.nodes());
          case STEADY ->
              String.format(
                  Locale.ROOT,
                  "Steady state: a full resync pass with nothing changed (%,d pods; median of %d, after one"
                      + " unmeasured)",
                  settings.pods(),
                  BenchRunner.STEADY_PASSES);
          case CHURN ->
              String.format(
                  Locale.ROOT,
                  "Churn: %,d pod creates/relabels/deletes at %d/s on %,d pods; event -> entry in SPIRE",
                  settings.churnEvents(),
                  settings.churnRate(),
                  settings.pods());
          case HEAP ->
              String.format(
                  Locale.ROOT, "Heap: live set after GC with %,d pods tracked", settings.pods());
        };
    heading +=
        String.format(
            Locale.ROOT,
            " (--source %s, RPC latency %s%s)",
            settings.source().key(),
            GoDuration.format(settings.rpcLatency()),
            settings.rpcCostPerEntry().isZero()
                ? ""
                : " + " + GoDuration.format(settings.rpcCostPerEntry()) + "/entry");
    List<Target> targets =
        ours(results).map(m -> targets(s, settings, m, results)).orElse(List.of());
    return new ScenarioReport(s, heading, results, targets);
  }

  private static Optional<Measured> ours(List<Measured> results) {
    return results.stream().filter(m -> m.strategy().equals(OURS)).findFirst();
  }

  /**
   * The targets of issue 12 (and product.md §6 where the issue sets none), checked against our
   * figures, as the table sets them per source: the cold-sync comparisons, p50 and heap
   * bars with {@code --source api}, the cold-sync wall-time bar with {@code --source memory};
   * "ahead of a model" targets only for the models that ran.
   */
  static List<Target> targets(
      Scenario s, BenchSettings settings, Measured ours, List<Measured> results) {
    boolean api = settings.source() == Source.API;
    List<Measured> models = new ArrayList<>();
    for (Measured m : results) {
      if (m != ours) {
        models.add(m);
      }
    }
    List<Target> out = new ArrayList<>();
    switch (s) {
      case COLD -> {
        double wall = ours.wallNanos() / 1e6;
        if (!api) {
          double wallLimit = 500 * Math.max(1.0, settings.pods() / 10_000.0);
          out.add(
              new Target(
                  "cold sync wall time (--source memory)",
                  "<= " + millis(wallLimit) + " (500 ms per 10,000 pods)",
                  millis(wall),
                  wall <= wallLimit));
        }
        long objects = (long) ours.extra("objects");
        long listed = ours.entries().getOrDefault(Measured.LIST, 0L);
        long pages = Math.max(1, (listed + 499) / 500);
        long limit = (objects + 49) / 50 + pages + 5;
        out.add(
            new Target(
                "cold sync SPIRE RPCs",
                "<= ceil(" + objects + "/50) + " + pages + " list page(s) + 5 = " + limit,
                count(ours.rpcTotal()),
                ours.rpcTotal() <= limit));
        if (api) {
          double p50 = ours.latency().p50() / 1e6;
          double max = ours.latency().max() / 1e6;
          out.add(
              new Target(
                  "cold sync event -> entry p50 (writes land as the pass goes)",
                  "<= 0.6 x max = " + millis(0.6 * max),
                  millis(p50),
                  ours.latency().count() > 0 && p50 <= 0.6 * max));
          for (Measured m : models) {
            out.add(ahead("cold sync wall time", m, ours, Measured::wallNanos));
            out.add(ahead("cold sync CPU time", m, ours, Measured::cpuNanos));
            out.add(ahead("cold sync event -> entry p50", m, ours, x -> x.latency().p50()));
          }
        }
        out.add(converged("cold sync converged", ours));
      }
      case STEADY -> {
        out.add(
            new Target(
                "steady-state write RPCs", "0", count(ours.writeRpcs()), ours.writeRpcs() == 0));
        double cpuLimit = 200.0 * Math.max(1.0, settings.pods() / 10_000.0);
        double cpu = ours.cpuNanos() / 1e6;
        out.add(
            new Target(
                "steady-state CPU",
                "<= " + millis(cpuLimit) + " (200 ms per 10,000 pods)",
                millis(cpu),
                cpu <= cpuLimit));
        for (Measured m : models) {
          out.add(noWorse("steady-state pass wall time", m, ours, Measured::wallNanos));
          out.add(noWorse("steady-state pass CPU time", m, ours, Measured::cpuNanos));
        }
      }
      case CHURN -> {
        double p99 = ours.latency().p99() / 1e6;
        double p99Limit = api ? 100 : 50;
        out.add(
            new Target(
                "pod event -> entry p99 at " + settings.churnRate() + " events/s",
                "<= " + millis(p99Limit),
                millis(p99),
                p99 <= p99Limit && ours.latency().count() > 0));
        out.add(converged("converged after churn", ours));
      }
      case HEAP -> {
        double mib = ours.extra("heap_bytes") / (1024.0 * 1024.0);
        // With informers (issue 12): 256 MiB at 100,000 pods; the engine alone (product.md §6):
        // 200 MiB per 10,000 pods.
        double limit =
            api
                ? 256 * Math.max(1.0, settings.pods() / 100_000.0)
                : 200 * Math.max(1.0, settings.pods() / 10_000.0);
        out.add(
            new Target(
                api ? "heap live set, informers included" : "heap live set",
                String.format(Locale.ROOT, "<= %.0f MiB", limit),
                String.format(Locale.ROOT, "%.1f MiB", mib),
                mib <= limit));
        for (Measured m : api ? models : List.<Measured>of()) {
          double theirs = m.extra("heap_bytes") / (1024.0 * 1024.0);
          out.add(
              new Target(
                  "heap live set below " + m.title(),
                  String.format(Locale.ROOT, "< %.1f MiB", theirs),
                  String.format(Locale.ROOT, "%.1f MiB", mib),
                  mib < theirs));
        }
      }
    }
    return out;
  }

  private static Target converged(String bar, Measured ours) {
    boolean yes = ours.converged().orElse(false);
    return new Target(bar, "yes", yes ? "yes" : "no", yes);
  }

  /** Ours strictly below the model's figure (nanoseconds). */
  private static Target ahead(
      String bar, Measured model, Measured ours, java.util.function.ToLongFunction<Measured> f) {
    double theirs = f.applyAsLong(model) / 1e6;
    double mine = f.applyAsLong(ours) / 1e6;
    return new Target(
        bar + " ahead of " + model.title(), "< " + millis(theirs), millis(mine), mine < theirs);
  }

  /** Ours at most the model's figure (nanoseconds). */
  private static Target noWorse(
      String bar, Measured model, Measured ours, java.util.function.ToLongFunction<Measured> f) {
    double theirs = f.applyAsLong(model) / 1e6;
    double mine = f.applyAsLong(ours) / 1e6;
    return new Target(
        bar + " no worse than " + model.title(),
        "<= " + millis(theirs),
        millis(mine),
        mine <= theirs);
  }

  private static List<Row> rows(Scenario s, List<Measured> results) {
    List<Row> rows = new ArrayList<>();
    if (s == Scenario.HEAP) {
      rows.add(
          new Row("pods tracked", "pods_tracked", m -> m.extra("pods_tracked"), Unit.COUNT, false));
      rows.add(
          new Row(
              "live heap",
              "heap_mib",
              m -> m.extra("heap_bytes") / (1024.0 * 1024.0),
              Unit.MIB,
              true));
      return rows;
    }
    if (s == Scenario.CHURN) {
      rows.add(new Row("events", "events", m -> m.extra("events"), Unit.COUNT, false));
    }
    rows.add(
        new Row(
            s == Scenario.CHURN ? "wall time (to converged)" : "wall time",
            "wall_ms",
            m -> m.wallNanos() / 1e6,
            Unit.MILLIS,
            true));
    rows.add(new Row("CPU time", "cpu_ms", m -> m.cpuNanos() / 1e6, Unit.MILLIS, true));
    rows.add(new Row("SPIRE RPCs", "rpcs_total", m -> m.rpcTotal(), Unit.COUNT, true));
    TreeSet<String> methods = new TreeSet<>();
    results.forEach(m -> methods.addAll(m.rpcs().keySet()));
    for (String method : methods) {
      rows.add(new Row("  " + method, "", m -> m.rpcs(method), Unit.COUNT, true));
    }
    rows.add(new Row("write RPCs", "write_rpcs", m -> m.writeRpcs(), Unit.COUNT, true));
    rows.add(
        new Row("entries written", "entries_written", m -> m.entriesWritten(), Unit.COUNT, true));
    if (s == Scenario.STEADY) {
      rows.add(
          new Row(
              "full pass every",
              "resync_interval_s",
              m -> m.extra("resync_interval_s"),
              Unit.SECONDS,
              false));
      rows.add(
          new Row(
              "idle list RPCs per hour",
              "list_rpcs_per_hour_idle",
              m -> m.extra("list_rpcs_per_hour_idle"),
              Unit.COUNT,
              true));
      rows.add(
          new Row(
              "idle CPU per hour",
              "cpu_ms_per_hour_idle",
              m -> m.extra("cpu_ms_per_hour_idle"),
              Unit.MILLIS,
              true));
    } else {
      rows.add(
          new Row(
              "event -> entry p50",
              "latency_p50_ms",
              m -> m.latency().p50() / 1e6,
              Unit.MILLIS,
              true));
      rows.add(
          new Row(
              "event -> entry p99",
              "latency_p99_ms",
              m -> m.latency().p99() / 1e6,
              Unit.MILLIS,
              true));
      rows.add(
          new Row(
              "event -> entry max",
              "latency_max_ms",
              m -> m.latency().max() / 1e6,
              Unit.MILLIS,
              true));
      rows.add(
          new Row(
              "converged",
              "converged",
              m -> m.converged().orElse(false) ? 1 : 0,
              Unit.YES_NO,
              false));
    }
    return rows;
  }

  // ---------------------------------------------------------------- table

  /** Aligned tables, one per scenario, each followed by its target checks. */
  public void printTables(PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "k8s-workload-registrar bench: %,d pods, %,d nodes, --source %s, RPC latency %s + %s per"
            + " entry, churn %d/s for %s, seed %d%n",
        settings.pods(),
        settings.nodes(),
        settings.source().key(),
        GoDuration.format(settings.rpcLatency()),
        GoDuration.format(settings.rpcCostPerEntry()),
        settings.churnRate(),
        GoDuration.format(settings.duration()),
        settings.seed());
    out.println(
        "Ratios are baseline / registrar: above 1x means the registrar uses less (time, calls,"
            + " memory).");
    for (ScenarioReport r : scenarios) {
      out.println();
      out.println(r.heading());
      printTable(out, r);
      for (Target t : r.targets()) {
        out.printf(
            "  target %s %s: %s (%s)%n",
            t.met() ? "met   " : "MISSED", t.bar(), t.measured(), t.limit());
      }
    }
    out.flush();
  }

  private static void printTable(PrintWriter out, ScenarioReport r) {
    List<Measured> results = r.results();
    Measured ours = r.ours().orElse(null);
    List<String> header = new ArrayList<>();
    header.add("");
    for (Measured m : results) {
      header.add(m.title());
      if (ours != null && m != ours) {
        header.add("ratio");
      }
    }
    List<List<String>> table = new ArrayList<>();
    table.add(header);
    for (Row row : rows(r.scenario(), results)) {
      List<String> line = new ArrayList<>();
      line.add(row.label());
      for (Measured m : results) {
        line.add(format(row.value().applyAsDouble(m), row.unit()));
        if (ours != null && m != ours) {
          line.add(
              row.ratio()
                  ? ratioText(row.value().applyAsDouble(m), row.value().applyAsDouble(ours))
                  : "");
        }
      }
      table.add(line);
    }
    int[] widths = new int[header.size()];
    for (List<String> line : table) {
      for (int i = 0; i < line.size(); i++) {
        widths[i] = Math.max(widths[i], line.get(i).length());
      }
    }
    for (List<String> line : table) {
      StringBuilder sb = new StringBuilder("  ");
      for (int i = 0; i < line.size(); i++) {
        String cell = line.get(i);
        if (i == 0) {
          sb.append(cell).append(" ".repeat(widths[i] - cell.length()));
        } else {
          sb.append("  ").append(" ".repeat(widths[i] - cell.length())).append(cell);
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  /** baseline ÷ ours, as text. */
  static String ratioText(double baseline, double ours) {
    Double r = ratio(baseline, ours);
    if (r == null) {
      return baseline == ours ? "=" : "inf";
    }
    if (r >= 100) {
      return String.format(Locale.ROOT, "%,.0fx", r);
    }
    if (r >= 10) {
      return String.format(Locale.ROOT, "%.0fx", r);
    }
    return String.format(Locale.ROOT, "%.1fx", r);
  }

  /** baseline ÷ ours; null when ours is 0 or either is not a number. */
  static Double ratio(double baseline, double ours) {
    if (Double.isNaN(baseline) || Double.isNaN(ours) || ours == 0) {
      return null;
    }
    return baseline / ours;
  }

  private static String format(double v, Unit unit) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return switch (unit) {
      case MILLIS -> millis(v);
      case COUNT -> count(Math.round(v));
      case MIB -> String.format(Locale.ROOT, "%.1f MiB", v);
      case SECONDS -> String.format(Locale.ROOT, "%.0f s", v);
      case YES_NO -> v != 0 ? "yes" : "no";
    };
  }

  static String millis(double ms) {
    if (ms >= 10_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000);
    }
    if (ms >= 1000) {
      return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }
    if (ms >= 100) {
      return String.format(Locale.ROOT, "%.0f ms", ms);
    }
    if (ms >= 10) {
      return String.format(Locale.ROOT, "%.1f ms", ms);
    }
    return String.format(Locale.ROOT, "%.2f ms", ms);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  // ---------------------------------------------------------------- JSON

  /** The report as a JSON tree (maps and lists in a stable order). */
  Map<String, Object> toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("pods", settings.pods());
    s.put("nodes", settings.nodes());
    s.put("source", settings.source().key());
    s.put("rpc_latency_ms", settings.rpcLatency().toNanos() / 1e6);
    s.put("rpc_cost_per_entry_ms", settings.rpcCostPerEntry().toNanos() / 1e6);
    s.put("churn_rate_per_s", settings.churnRate());
    s.put("duration_s", settings.duration().toNanos() / 1e9);
    s.put("seed", settings.seed());
    s.put("baseline_interval_s", settings.baselineInterval().toNanos() / 1e9);
    s.put("strategies", settings.strategies());
    root.put("settings", s);
    List<Object> list = new ArrayList<>();
    for (ScenarioReport r : scenarios) {
      list.add(scenarioJson(r));
    }
    root.put("scenarios", list);
    return root;
  }

  private static Map<String, Object> scenarioJson(ScenarioReport r) {
    List<Row> rows = rows(r.scenario(), r.results());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", r.scenario().key());
    out.put("title", r.heading());
    List<Object> results = new ArrayList<>();
    for (Measured m : r.results()) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("strategy", m.strategy());
      j.put("title", m.title());
      for (Row row : rows) {
        if (!row.key().isEmpty()) {
          j.put(row.key(), jsonNumber(row.value().applyAsDouble(m), row.unit()));
        }
      }
      if (r.scenario() != Scenario.HEAP) {
        j.put("rpcs", new LinkedHashMap<>(new java.util.TreeMap<>(m.rpcs())));
        j.put("latency_samples", m.latency().count());
      }
      m.extra().forEach((k, v) -> j.putIfAbsent(k, v));
      results.add(j);
    }
    out.put("results", results);
    Map<String, Object> ratios = new LinkedHashMap<>();
    Measured ours = r.ours().orElse(null);
    if (ours != null) {
      for (Measured m : r.results()) {
        if (m == ours) {
          continue;
        }
        Map<String, Object> rm = new LinkedHashMap<>();
        for (Row row : rows) {
          if (row.ratio() && !row.key().isEmpty()) {
            rm.put(row.key(), ratio(row.value().applyAsDouble(m), row.value().applyAsDouble(ours)));
          }
        }
        ratios.put(m.strategy(), rm);
      }
    }
    out.put("ratios", ratios);
    List<Object> targets = new ArrayList<>();
    for (Target t : r.targets()) {
      Map<String, Object> tj = new LinkedHashMap<>();
      tj.put("bar", t.bar());
      tj.put("limit", t.limit());
      tj.put("measured", t.measured());
      tj.put("met", t.met());
      targets.add(tj);
    }
    out.put("targets", targets);
    return out;
  }

  private static Object jsonNumber(double v, Unit unit) {
    if (Double.isNaN(v)) {
      return null;
    }
    return switch (unit) {
      case COUNT -> Math.round(v);
      case YES_NO -> v != 0;
      default -> Math.round(v * 1000) / 1000.0;
    };
  }

  /** Writes the JSON form. */
  public void printJson(PrintWriter out) {
    try {
      out.println(
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(toJson()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the report as JSON: " + e.getMessage(), e);
    }
    out.flush();
  }

  /** Whether every target checked was met. */
  public boolean allTargetsMet() {
    return scenarios.stream().flatMap(r -> r.targets().stream()).allMatch(Target::met);
  }

  /**
   * One line per missed target, for {@code --check}: {@code <scenario>: <bar>: <measured>, target
   * <limit>}.
   */
  public List<String> missedTargets() {
    List<String> out = new ArrayList<>();
    for (ScenarioReport r : scenarios) {
      for (Target t : r.targets()) {
        if (!t.met()) {
          out.add(
              r.scenario().key() + ": " + t.bar() + ": " + t.measured() + ", target " + t.limit());
        }
      }
    }
    return out;
  }
}
