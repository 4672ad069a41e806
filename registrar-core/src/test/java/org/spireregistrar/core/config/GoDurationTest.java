package org.spireregistrar.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoDurationTest {

  @ParameterizedTest(name = "{0} = {1} ns")
  @CsvSource(
      textBlock =
          """
          0,            0
          +0,           0
          10m,          600000000000
          30s,          30000000000
          1h30m,        5400000000000
          1.5s,         1500000000
          .5s,          500000000
          1.s,          1000000000
          300ms,        300000000
          -1m,          -60000000000
          1h1m1s1ms1us1ns, 3661001001001
          2µs,          2000
          1.0000000005s, 1000000000
          """)
  void parsesLikeGo(String text, long nanos) {
    assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''        | time: invalid duration ""
          -         | time: invalid duration "-"
          10        | time: missing unit in duration "10"
          1d        | time: unknown unit "d" in duration "1d"
          1H        | time: unknown unit "H" in duration "1H"
          s         | time: invalid duration "s"
          .s        | time: invalid duration ".s"
          1m 30s    | time: unknown unit "m " in duration "1m 30s"
          9999999999999h | time: invalid duration "9999999999999h"
          """)
  void rejectsLikeGo(String text, String message) {
    assertThatThrownBy(() -> GoDuration.parse(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0} ns prints {1}")
  @CsvSource(
      textBlock =
          """
          0,             0s
          1,             1ns
          1500,          1.5µs
          300000000,     300ms
          1000000000,    1s
          1500000000,    1.5s
          90000000000,   1m30s
          600000000000,  10m0s
          3600000000000, 1h0m0s
          5400000000000, 1h30m0s
          -60000000000,  -1m0s
          """)
  void formatsLikeGo(long nanos, String text) {
    assertThat(GoDuration.format(Duration.ofNanos(nanos))).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"10m", "1h30m", "1.25s", "42ms", "3h0m7s"})
  void formatParsesBack(String text) {
    Duration d = GoDuration.parse(text);

    assertThat(GoDuration.parse(GoDuration.format(d))).isEqualTo(d);
  }
}
