package org.spireregistrar.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with a cap and jitter, for retrying a failed call or a failed item: the delay
 * before retry number {@code attempt} is drawn between half and all of {@link #ceiling(int)}, which
 * starts at {@code initial} and doubles with every attempt up to {@code max}. The jitter spreads
 * the retries of several keys or replicas that failed together.
 *
 * <p>The constructor throws {@link NullPointerException} for a missing duration and {@link
 * IllegalArgumentException} for one that is zero or negative.
 *
 * @param initial the ceiling of the first retry's delay; positive
 * @param max the largest ceiling; positive (when below {@code initial}, every ceiling is {@code
 *     max})
 */
public record Backoff(Duration initial, Duration max) {

  public Backoff {
    requirePositive(initial, "backoff initial");
    requirePositive(max, "backoff max");
  }

  /**
   * The longest delay before retry number {@code attempt}: {@code initial × 2^(attempt − 1)},
   * capped at {@code max}.
   *
   * @param attempt 1 for the first retry, 2 for the second, …
   * @throws IllegalArgumentException when {@code attempt} is less than 1
   */
  public Duration ceiling(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("backoff attempt must be at least 1: " + attempt);
    }
    int doublings = Math.min(attempt - 1, 62);
    // Compared before multiplying, so that no attempt number overflows.
    if (initial.compareTo(max.dividedBy(1L << doublings)) > 0) {
      return max;
    }
    return initial.multipliedBy(1L << doublings);
  }

  /**
   * A delay before retry number {@code attempt}, uniformly between half and all of {@link
   * #ceiling(int)} (both included, nanosecond resolution), drawn from {@link ThreadLocalRandom}.
   *
   * @throws IllegalArgumentException when {@code attempt} is less than 1
   */
  public Duration delay(int attempt) {
    return delay(attempt, ThreadLocalRandom.current());
  }

  /**
   * A delay before retry number {@code attempt}, uniformly between half and all of {@link
   * #ceiling(int)} (both included, nanosecond resolution), drawn from {@code random}: tests pass a
   * fixed one to get exact delays.
   *
   * @throws IllegalArgumentException when {@code attempt} is less than 1
   */
  public Duration delay(int attempt, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    long ceiling = saturatedNanos(ceiling(attempt));
    long half = ceiling / 2;
    return Duration.ofNanos(half + random.nextLong(ceiling - half + 1));
  }

  private static long saturatedNanos(Duration d) {
    // Beyond about 292 years a delay is "forever" anyway.
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE - 1)) >= 0
        ? Long.MAX_VALUE - 1
        : d.toNanos();
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
