package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WarmUpTest {

  /** A JVM whose rounds each take 1 s and keep the JIT compiling for the given milliseconds. */
  private static final class ScriptedJvm {
    private final long[] jitPerRound;
    private long[] jitPerIdleSecond = {0};
    private long jit;
    private long nanos;
    private int rounds;
    private int idleSeconds;

    ScriptedJvm(long... jitPerRound) {
      this.jitPerRound = jitPerRound;
    }

    /** While idle after the rounds, the JIT compiles for these milliseconds each second. */
    ScriptedJvm idle(long... jitPerIdleSecond) {
      this.jitPerIdleSecond = jitPerIdleSecond;
      return this;
    }

    void sleep(long millis) {
      assertThat(millis).isEqualTo(WarmUp.QUIET_WINDOW_MILLIS);
      jit += jitPerIdleSecond[Math.min(idleSeconds, jitPerIdleSecond.length - 1)];
      nanos += TimeUnit.MILLISECONDS.toNanos(millis);
      idleSeconds++;
    }

    void round() {
      jit += jitPerRound[Math.min(rounds, jitPerRound.length - 1)];
      nanos += TimeUnit.SECONDS.toNanos(1);
      rounds++;
    }

    WarmUp warmUp(boolean reported) {
      return new WarmUp(
          () -> reported ? OptionalLong.of(jit) : OptionalLong.empty(), () -> nanos, this::sleep);
    }
  }

  @Test
  void roundsRunUntilTheJitCompilesForAtMostOneTwentiethOfARound() {
    ScriptedJvm jvm = new ScriptedJvm(800, 300, 51, 50, 0);
    List<WarmUp.Round> seen = new ArrayList<>();

    int rounds = jvm.warmUp(true).run(jvm::round, seen::add);

    assertThat(rounds).isEqualTo(4);
    assertThat(jvm.rounds).isEqualTo(4);
    assertThat(seen)
        .extracting(r -> r.jitMillis().getAsLong())
        .containsExactly(800L, 300L, 51L, 50L);
    assertThat(seen).extracting(WarmUp.Round::wallMillis).containsOnly(1000L);
    assertThat(seen).extracting(WarmUp.Round::number).containsExactly(1, 2, 3, 4);
    assertThat(seen).extracting(WarmUp.Round::settled).containsExactly(false, false, false, true);
  }

  @Test
  void aJitThatNeverSettlesStopsAtTheMostRounds() {
    ScriptedJvm jvm = new ScriptedJvm(400);

    int rounds = jvm.warmUp(true).run(jvm::round, r -> {});

    assertThat(rounds).isEqualTo(WarmUp.MAX_ROUNDS);
    assertThat(jvm.rounds).isEqualTo(WarmUp.MAX_ROUNDS);
  }

  @Test
  void aJvmThatDoesNotReportItsJitRunsOneRound() {
    ScriptedJvm jvm = new ScriptedJvm(0);
    List<WarmUp.Round> seen = new ArrayList<>();

    int rounds = jvm.warmUp(false).run(jvm::round, seen::add);

    assertThat(rounds).isEqualTo(1);
    assertThat(seen).singleElement().satisfies(r -> assertThat(r.jitMillis()).isEmpty());
    assertThat(seen.get(0).settled()).isFalse();
  }

  @Test
  void afterTheRoundsItWaitsIdleUntilTheJitsQueueHasDrained() throws InterruptedException {
    ScriptedJvm jvm = new ScriptedJvm(400).idle(900, 600, 51, 50, 700);

    WarmUp.Quiet quiet = jvm.warmUp(true).awaitQuiet();

    assertThat(quiet).isEqualTo(new WarmUp.Quiet(4_000, true));
    assertThat(jvm.idleSeconds).isEqualTo(4);
  }

  @Test
  void theIdleWaitEndsAfterThirtySecondsOfAJitThatKeepsCompiling() throws InterruptedException {
    ScriptedJvm jvm = new ScriptedJvm(400).idle(300);

    WarmUp.Quiet quiet = jvm.warmUp(true).awaitQuiet();

    assertThat(quiet).isEqualTo(new WarmUp.Quiet(WarmUp.MAX_QUIET_WAIT_MILLIS, false));
    assertThat(jvm.idleSeconds).isEqualTo(30);
  }

  @Test
  void aJvmThatDoesNotReportItsJitIsNotWaitedFor() throws InterruptedException {
    ScriptedJvm jvm = new ScriptedJvm(0);

    assertThat(jvm.warmUp(false).awaitQuiet()).isEqualTo(new WarmUp.Quiet(0, false));
    assertThat(jvm.idleSeconds).isZero();
  }
}
