package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatencyRecorderTest {

  @ParameterizedTest(name = "1..{0}: p50 {1}, p99 {2}")
  @CsvSource(
      textBlock =
          """
          1,    1,   1
          2,    1,   2
          100,  50,  99
          1000, 500, 990
          3000, 1500, 2970
          """)
  void percentilesAreNearestRank(int n, long p50, long p99) {
    LatencyRecorder r = new LatencyRecorder();
    for (int i = n; i >= 1; i--) {
      r.record(i);
    }
    LatencyRecorder.Percentiles p = r.percentiles();
    assertThat(p).isEqualTo(new LatencyRecorder.Percentiles(n, p50, p99, n));
  }

  @Test
  void resetForgetsEverySample() {
    LatencyRecorder r = new LatencyRecorder();
    r.record(5);
    r.reset();
    assertThat(r.percentiles()).isEqualTo(LatencyRecorder.Percentiles.NONE);
  }
}
