package org.spireregistrar.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Untimed warm-up rounds of one strategy until the JIT has settled: a round during which the JIT
 * compiled for at most {@link #SETTLED_FRACTION} of the round's wall time ends it, and {@link
 * #MAX_ROUNDS} rounds end it however busy the JIT still is.
 *
 * <p>Why rounds: on two cores the JIT was still compiling on a third to a half of the CPU during a
 * 10,000-pod cold sync after one full-size warm-up round (methods called once per write batch do
 * not reach C2 in one round), and the cold sync's wall time then ranged from 0.35 to 0.8 s on one
 * build. A strategy whose JIT settles earlier (a model's round is mostly waiting) stops earlier.
 */
final class WarmUp {
  /** Most rounds of one strategy. */
  static final int MAX_ROUNDS = 8;

  /** The JIT's share of a round's wall time at or below which the JIT counts as settled. */
  static final double SETTLED_FRACTION = 0.05;

  /** After the rounds, the idle window in which the JIT must compile for at most 5% of it. */
  static final long QUIET_WINDOW_MILLIS = 1_000;

  /** The longest idle wait for the JIT's queue to drain. */
  static final long MAX_QUIET_WAIT_MILLIS = 30_000;

  /** What one round took. */
  record Round(int number, long wallMillis, OptionalLong jitMillis) {
    /** Whether the JIT compiled for at most {@link #SETTLED_FRACTION} of the round's wall time. */
    boolean settled() {
      return jitMillis.isPresent() && jitMillis.getAsLong() <= wallMillis * SETTLED_FRACTION;
    }
  }

  /** Reports each round as it ends. */
  interface Progress {
    void round(Round round);
  }

  /** Waits; {@link Thread#sleep(long)} but for tests. */
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final Supplier<OptionalLong> jitMillis;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;

  /**
   * @param jitMillis the JIT's total compile time so far, empty when the JVM does not report it
   *     (then one round is run)
   */
  WarmUp(Supplier<OptionalLong> jitMillis, LongSupplier nanoTime, Sleeper sleeper) {
    this.jitMillis = jitMillis;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  /** This JVM's JIT compile time and clock. */
  static WarmUp ofThisJvm() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean reported = jit != null && jit.isCompilationTimeMonitoringSupported();
    return new WarmUp(
        () -> reported ? OptionalLong.of(jit.getTotalCompilationTime()) : OptionalLong.empty(),
        System::nanoTime,
        Thread::sleep);
  }

  /**
   * Runs {@code round} until the JIT settles or {@link #MAX_ROUNDS}.
   *
   * @return the number of rounds run
   */
  int run(Runnable round, Progress progress) {
    for (int n = 1; ; n++) {
      OptionalLong jitBefore = jitMillis.get();
      long t0 = nanoTime.getAsLong();
      round.run();
      long wall = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - t0);
      OptionalLong jitAfter = jitMillis.get();
      OptionalLong jit =
          jitBefore.isPresent() && jitAfter.isPresent()
              ? OptionalLong.of(jitAfter.getAsLong() - jitBefore.getAsLong())
              : OptionalLong.empty();
      Round r = new Round(n, wall, jit);
      progress.round(r);
      if (jit.isEmpty() || r.settled() || n == MAX_ROUNDS) {
        return n;
      }
    }
  }

  /**
   * How {@link #awaitQuiet} ended.
   *
   * @param waitedMillis how long it waited
   * @param quiet whether the JIT went quiet (false: the wait ran out, or the JVM does not report
   *     its JIT time)
   */
  record Quiet(long waitedMillis, boolean quiet) {}

  /**
   * After the rounds, waits idle until the JIT has compiled for at most {@link #SETTLED_FRACTION}
   * of a {@link #QUIET_WINDOW_MILLIS} window, at most {@link #MAX_QUIET_WAIT_MILLIS}. Rounds whose
   * JIT never settles leave compilations queued behind the one C2 thread two cores get; measured
   * right away, the strategy would share a core with them.
   */
  Quiet awaitQuiet() throws InterruptedException {
    long t0 = nanoTime.getAsLong();
    while (true) {
      OptionalLong before = jitMillis.get();
      if (before.isEmpty()) {
        return new Quiet(0, false);
      }
      sleeper.sleep(QUIET_WINDOW_MILLIS);
      long compiled = jitMillis.get().orElseThrow() - before.getAsLong();
      long waited = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - t0);
      if (compiled <= QUIET_WINDOW_MILLIS * SETTLED_FRACTION) {
        return new Quiet(waited, true);
      }
      if (waited >= MAX_QUIET_WAIT_MILLIS) {
        return new Quiet(waited, false);
      }
    }
  }
}
