package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Backoff;

class RetryPolicyTest {

  @Test
  void waitsBetweenTriesComeFromTheSharedBackoff() {
    assertThat(GrpcEntryStore.RetryPolicy.DEFAULT.backoff())
        .isEqualTo(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5)));
    GrpcEntryStore.RetryPolicy policy =
        new GrpcEntryStore.RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));
    assertThat(policy.backoff()).isEqualTo(new Backoff(Duration.ofMillis(1), Duration.ofMillis(5)));
    assertThat(policy.backoff().delay(10))
        .isBetween(Duration.ofNanos(2_500_000), policy.maxBackoff());
  }

  @Test
  void rejectsNonPositiveBackoffsWithItsOwnMessages() {
    assertThatThrownBy(() -> new GrpcEntryStore.RetryPolicy(3, Duration.ZERO, Duration.ofMillis(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retry initialBackoff must be positive: PT0S");
    assertThatThrownBy(
            () -> new GrpcEntryStore.RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retry maxBackoff must be positive: PT-0.005S");
  }
}
