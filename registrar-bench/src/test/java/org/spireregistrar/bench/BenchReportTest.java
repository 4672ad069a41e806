package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchReportTest {

  @ParameterizedTest(name = "{0} / {1} = {2}")
  @CsvSource(
      textBlock =
          """
          29300,  613,  48x
          12,     21,   0.6x
          20213,  203,  100x
          10113,  1,    '10,113x'
          0,      0,    =
          1012,   0,    inf
          """)
  void ratioIsBaselineOverOursRoundedToTwoFigures(double baseline, double ours, String text) {
    assertThat(BenchReport.ratioText(baseline, ours)).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0} ms -> {1}")
  @CsvSource(
      textBlock =
          """
          0.421,  0.42 ms
          13.21,  13.2 ms
          613.4,  613 ms
          2190,   2.19 s
          29300,  29.3 s
          """)
  void millisecondsPrintWithThreeSignificantFigures(double ms, String text) {
    assertThat(BenchReport.millis(ms)).isEqualTo(text);
  }
}
