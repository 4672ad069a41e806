package org.spireregistrar.bench;

import java.util.Arrays;

/** Event-to-entry latencies, one sample per object synced. Thread-safe. */
final class LatencyRecorder {
  private long[] samples = new long[1024];
  private int count;

  synchronized void record(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = Math.max(0, nanos);
  }

  synchronized void reset() {
    count = 0;
  }

  /** Percentiles of the samples since the last {@link #reset()}. */
  synchronized Percentiles percentiles() {
    if (count == 0) {
      return Percentiles.NONE;
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    return new Percentiles(count, rank(sorted, 0.50), rank(sorted, 0.99), sorted[count - 1]);
  }

  /** Nearest-rank percentile. */
  private static long rank(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /**
   * Latency summary in nanoseconds.
   *
   * @param count samples
   * @param p50 median (nearest rank)
   * @param p99 99th percentile (nearest rank)
   * @param max largest sample
   */
  record Percentiles(int count, long p50, long p99, long max) {
    static final Percentiles NONE = new Percentiles(0, 0, 0, 0);
  }
}
