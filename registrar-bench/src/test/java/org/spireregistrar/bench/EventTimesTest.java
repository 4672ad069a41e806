package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.spireregistrar.reconcile.ObjectKey;

class EventTimesTest {
  private static final ObjectKey WEB = new ObjectKey.Pod("team-1", "web-0");
  private static final ObjectKey DB = new ObjectKey.Pod("team-1", "db-0");

  @Test
  void takesTheOldestChangeSentBeforeItWasSeenAndLeavesLaterOnes() {
    EventTimes times = new EventTimes();
    times.sent(WEB, 100);
    times.sent(WEB, 150);
    times.sent(WEB, 300);

    assertThat(times.take(WEB, 200)).isEqualTo(100);
    // 150 went with 100 (the same sync covered both); 300 was sent after the sync saw the object.
    assertThat(times.take(WEB, 250)).isNull();
    assertThat(times.take(WEB, 400)).isEqualTo(300);
    assertThat(times.take(WEB, 500)).isNull();
  }

  @Test
  void aChangeSentAfterTheSyncSawTheObjectIsNotMatchedToThatSync() {
    EventTimes times = new EventTimes();
    times.sent(WEB, 1_000);
    assertThat(times.take(WEB, 999)).isNull();
    assertThat(times.take(WEB, 1_000)).isEqualTo(1_000);
  }

  @Test
  void aChangeThatArrivedBeforeTheSyncReadTheObjectIsCoveredByThatSync() {
    EventTimes times = new EventTimes();
    // A pod is created (100) and its status written (160) while it waits for its sync, which was
    // started by the creation (seen at 120) and read the cache at 200.
    times.sent(WEB, 100);
    times.sent(WEB, 160);
    times.sent(WEB, 250); // sent after the read: the next sync's
    assertThat(times.take(WEB, 120, 200)).isEqualTo(100);
    assertThat(times.take(WEB, 260, 300)).isEqualTo(250);
    // Its next change is timed from when that change was sent, not from the status write.
    times.sent(WEB, 5_000);
    assertThat(times.take(WEB, 5_010, 5_050)).isEqualTo(5_000);
    assertThat(times.take(WEB, 6_000, 6_000)).isNull();
    // A read before the change was seen covers nothing more than the change seen.
    times.sent(DB, 10);
    times.sent(DB, 20);
    assertThat(times.take(DB, 10, 5)).isEqualTo(10);
    assertThat(times.take(DB, 30, 30)).isEqualTo(20);
    // A change sent after the sync saw the object but before it read it: covered, yet no sample.
    times.sent(DB, 50);
    assertThat(times.take(DB, 40, 60)).isNull();
    assertThat(times.take(DB, 100, 100)).isNull();
  }

  @Test
  void coldStartTimesEveryObjectWithoutAChangeOfItsOwnUntilCleared() {
    EventTimes times = new EventTimes();
    times.coldStart(42);
    times.sent(DB, 50);
    assertThat(times.take(WEB, 60)).isEqualTo(42);
    assertThat(times.take(DB, 60)).isEqualTo(50);
    assertThat(times.take(WEB, 70)).isEqualTo(42);

    times.clear();
    assertThat(times.take(WEB, 80)).isNull();
  }

  @Test
  void cpuWithApiCountsTheClientsThreadsButNotTheOtherSide() {
    assertThat(CpuMeter.countedWithApi("informer-controller-V1Pod")).isTrue();
    assertThat(CpuMeter.countedWithApi("OkHttp http://127.0.0.1:4000/...")).isTrue();
    assertThat(CpuMeter.countedWithApi("registrar-sync")).isTrue();
    assertThat(CpuMeter.countedWithApi("k8s-api-stand-in-7")).isFalse();
    assertThat(CpuMeter.countedWithApi("in-memory-spire-3-1")).isFalse();
    assertThat(CpuMeter.countedWithApi("cluster-churn")).isFalse();
    assertThat(CpuMeter.countedWithApi("C2 CompilerThread0")).isFalse();
  }
}
