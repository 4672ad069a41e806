package org.spireregistrar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

  /** Draws the smallest value every time: delays are exactly half the ceiling. */
  private static final RandomGenerator LOWEST = fixed(false);

  /** Draws the largest value every time: delays are exactly the ceiling. */
  private static final RandomGenerator HIGHEST = fixed(true);

  private static RandomGenerator fixed(boolean highest) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException("Backoff draws bounded values only");
      }

      @Override
      public long nextLong(long bound) {
        return highest ? bound - 1 : 0;
      }
    };
  }

  @ParameterizedTest(name = "attempt {0}")
  @CsvSource(
      textBlock =
          """
          1,    100
          2,    200
          3,    400
          4,    800
          5,   1000
          6,   1000
          63,  1000
          64,  1000
          2147483647, 1000
          """)
  void ceilingDoublesFromInitialUpToMax(int attempt, long millis) {
    assertThat(BACKOFF.ceiling(attempt)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "attempt {0}")
  @CsvSource(
      textBlock =
          """
          1,  50,  100
          2, 100,  200
          4, 400,  800
          9, 500, 1000
          """)
  void delayIsBetweenHalfAndAllOfTheCeiling(int attempt, long lowestMillis, long highestMillis) {
    assertThat(BACKOFF.delay(attempt, LOWEST)).isEqualTo(Duration.ofMillis(lowestMillis));
    assertThat(BACKOFF.delay(attempt, HIGHEST)).isEqualTo(Duration.ofMillis(highestMillis));
  }

  @Test
  void randomDelaysSpreadWithinTheirBounds() {
    SplittableRandom random = new SplittableRandom(42);
    for (int attempt = 1; attempt <= 8; attempt++) {
      Duration ceiling = BACKOFF.ceiling(attempt);
      Set<Duration> seen = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        Duration d = BACKOFF.delay(attempt, random);
        assertThat(d).isBetween(ceiling.dividedBy(2), ceiling);
        seen.add(d);
      }
      assertThat(seen).as("jitter at attempt %d", attempt).hasSizeGreaterThan(100);
    }
  }

  @Test
  void aMaxBelowInitialCapsEveryCeiling() {
    Backoff b = new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(2));
    assertThat(b.ceiling(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.delay(3, HIGHEST)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void hugeDurationsDoNotOverflow() {
    Backoff b = new Backoff(Duration.ofDays(1), Duration.ofDays(365 * 1000L));
    assertThat(b.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(365 * 1000L));
    assertThat(b.delay(Integer.MAX_VALUE, HIGHEST)).isPositive();
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> BACKOFF.ceiling(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff attempt must be at least 1: 0");
    assertThatThrownBy(() -> BACKOFF.delay(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff attempt must be at least 1: -1");
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff initial must be positive: PT0S");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff max must be positive: PT-0.001S");
    assertThatThrownBy(() -> new Backoff(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("backoff initial");
  }
}
