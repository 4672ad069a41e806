package org.spireregistrar.bench;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one strategy did in one scenario.
 *
 * @param strategy {@link Strategy#id()}
 * @param title {@link Strategy#title()}
 * @param wallNanos wall time
 * @param cpuNanos CPU time of the registrar-side threads ({@link CpuMeter})
 * @param rpcs RPCs the SPIRE server received, by method
 * @param entries entries those RPCs carried (written, or returned by a list), by method
 * @param latency event-to-entry latencies; {@link LatencyRecorder.Percentiles#NONE} when the
 *     scenario has no events
 * @param converged whether SPIRE held exactly the desired entries afterwards; empty when not
 *     checked
 * @param extra scenario-specific figures (JSON key to value)
 */
record Measured(
    String strategy,
    String title,
    long wallNanos,
    long cpuNanos,
    Map<String, Long> rpcs,
    Map<String, Long> entries,
    LatencyRecorder.Percentiles latency,
    Optional<Boolean> converged,
    Map<String, Number> extra) {

  static final String CREATE = "BatchCreateEntry";
  static final String UPDATE = "BatchUpdateEntry";
  static final String DELETE = "BatchDeleteEntry";
  static final String LIST = "ListEntries";

  Measured {
    Objects.requireNonNull(strategy, "strategy");
    rpcs = Map.copyOf(rpcs);
    entries = Map.copyOf(entries);
    extra = Map.copyOf(extra);
  }

  long rpcTotal() {
    return rpcs.values().stream().mapToLong(Long::longValue).sum();
  }

  long rpcs(String method) {
    return rpcs.getOrDefault(method, 0L);
  }

  long writeRpcs() {
    return rpcs(CREATE) + rpcs(UPDATE) + rpcs(DELETE);
  }

  long entriesWritten() {
    return entries.getOrDefault(CREATE, 0L)
        + entries.getOrDefault(UPDATE, 0L)
        + entries.getOrDefault(DELETE, 0L);
  }

  double extra(String key) {
    Number n = extra.get(key);
    return n == null ? Double.NaN : n.doubleValue();
  }
}
