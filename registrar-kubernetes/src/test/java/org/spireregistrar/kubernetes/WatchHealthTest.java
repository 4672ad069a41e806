package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.ApiException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WatchHealthTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final WatchHealth health = new WatchHealth(now::get);

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  static Exception refused() {
    return new IllegalStateException(
        new ConnectException("Failed to connect to /127.0.0.1:6443: Connection refused"));
  }

  @Test
  void aStreakMakesTheWatchesUnhealthyOnlyOnceItHasLastedTenSeconds() {
    health.failed("pods", refused());
    assertThat(health.problem()).isEmpty();
    for (int i = 0; i < 9; i++) {
      advance(Duration.ofSeconds(1));
      health.failed("pods", refused());
    }
    assertThat(health.problem()).isEmpty();
    advance(Duration.ofSeconds(1));
    health.failed("pods", refused());
    assertThat(health.problem())
        .hasValue(
            "Kubernetes list/watch of pods failing for 10 s: ConnectException: Failed to connect to"
                + " /127.0.0.1:6443: Connection refused");
  }

  @Test
  void aStreakEndsAfterFiveQuietSeconds() {
    for (int i = 0; i < 12; i++) {
      health.failed("nodes", refused());
      advance(Duration.ofSeconds(1));
    }
    assertThat(health.problem()).isPresent();
    advance(Duration.ofSeconds(3));
    assertThat(health.problem()).as("still within the quiet period").isPresent();
    advance(Duration.ofSeconds(1));
    assertThat(health.problem()).isEmpty();
    // A new failure starts a new streak, healthy for its first ten seconds.
    health.failed("nodes", refused());
    assertThat(health.problem()).isEmpty();
  }

  @Test
  void theReasonIsOneBoundedLineWithTheApiStatus() {
    assertThat(
            WatchHealth.describe(
                new ApiException(
                    403,
                    java.util.Map.of(),
                    "{\"kind\":\"Status\",\"message\":\"pods is forbidden: User x\",\"code\":403}")))
        .isEqualTo("HTTP 403: pods is forbidden: User x");
    assertThat(WatchHealth.describe(new IOException("x".repeat(1000)))).hasSize(301);
  }

  @Test
  void failuresOnceTheInformersAreStoppingStartNoStreak() {
    health.failed("nodes", refused());
    health.stopping();
    for (int i = 0; i < 12; i++) {
      advance(Duration.ofSeconds(1));
      health.failed("pods", new IllegalStateException("closed"));
      health.failed("nodes", new IllegalStateException("closed"));
    }
    // Neither a new streak (pods) nor the one already running (nodes) is prolonged: the calls cut
    // off by close() are expected, and the WARN comes only with a streak's start.
    assertThat(health.problem()).isEmpty();
  }
}
