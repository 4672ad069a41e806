package org.spireregistrar.bench;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One benchmark run's inputs.
 *
 * @param pods pods in the cluster
 * @param nodes nodes the pods are spread over
 * @param rpcLatency latency the SPIRE server adds to every RPC
 * @param churnRate churn events per second
 * @param duration how long the churn lasts
 * @param seed seed of the synthetic cluster and churn script
 * @param scenarios scenarios to report
 * @param strategies strategy IDs, ours first
 * @param baselineInterval the baselines' periodic pass (10 s in both originals)
 * @param warmup whether untimed rounds of each strategy (see {@link WarmUp}) precede its measured
 *     run
 * @param source where the strategies read the cluster from
 * @param rpcCostPerEntry the SPIRE datastore's work per entry written or listed (serialized)
 */
public record BenchSettings(
    int pods,
    int nodes,
    Duration rpcLatency,
    int churnRate,
    Duration duration,
    long seed,
    Set<Scenario> scenarios,
    List<String> strategies,
    Duration baselineInterval,
    boolean warmup,
    Source source,
    Duration rpcCostPerEntry) {

  public BenchSettings {
    if (pods < 1) {
      throw new IllegalArgumentException("--pods must be at least 1: " + pods);
    }
    if (nodes < 1) {
      throw new IllegalArgumentException("--nodes must be at least 1: " + nodes);
    }
    Objects.requireNonNull(rpcLatency, "rpcLatency");
    if (rpcLatency.isNegative()) {
      throw new IllegalArgumentException("--rpc-latency must not be negative: " + rpcLatency);
    }
    if (churnRate < 1) {
      throw new IllegalArgumentException("--churn-rate must be at least 1: " + churnRate);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive: " + duration);
    }
    if (scenarios.isEmpty()) {
      throw new IllegalArgumentException("--scenarios must name at least one scenario");
    }
    scenarios = Set.copyOf(scenarios);
    strategies = List.copyOf(strategies);
    if (strategies.isEmpty()) {
      throw new IllegalArgumentException("--strategies must name at least one strategy");
    }
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(rpcCostPerEntry, "rpcCostPerEntry");
    if (rpcCostPerEntry.isNegative()) {
      throw new IllegalArgumentException(
          "--rpc-cost-per-entry must not be negative: " + rpcCostPerEntry);
    }
    if (baselineInterval.isNegative() || baselineInterval.isZero()) {
      throw new IllegalArgumentException("baseline interval must be positive: " + baselineInterval);
    }
  }

  /** Churn events in the run. */
  int churnEvents() {
    return (int) Math.max(1, Math.round(churnRate * (duration.toNanos() / 1e9)));
  }

  /**
   * One untimed warm-up round (repeated until the JIT settles, see {@link WarmUp}): a short, fast
   * churn on a smaller cluster (with {@code --source api}), or on the full-size one (with {@code
   * --source memory}, whose figures isolate the engine: through a 2,000-pod warm-up the JIT was
   * still compiling, on about 40% of two cores, during a 10,000-pod cold sync), so that the JIT has
   * compiled the strategy's paths (and the shared gRPC client and server) before anything is timed.
   */
  BenchSettings forWarmup() {
    return new BenchSettings(
        source == Source.MEMORY ? pods : Math.min(pods, 2000),
        source == Source.MEMORY ? nodes : Math.min(nodes, 20),
        rpcLatency,
        Math.max(churnRate, 1000),
        Duration.ofMillis(Math.min(duration.toMillis(), 2000)),
        seed + 1,
        Set.of(Scenario.COLD, Scenario.STEADY, Scenario.CHURN),
        strategies,
        baselineInterval,
        false,
        source,
        rpcCostPerEntry);
  }
}
