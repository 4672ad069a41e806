package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
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

  private static BenchSettings settings(Source source, int pods) {
    return new BenchSettings(
        pods,
        10,
        Duration.ofMillis(1),
        100,
        Duration.ofSeconds(1),
        1,
        Set.of(Scenario.COLD, Scenario.HEAP),
        List.of("registrar", "scm"),
        Duration.ofSeconds(10),
        false,
        source,
        Duration.ZERO);
  }

  private static Measured cold(String id, long wallMs, long cpuMs, long rpcs, long p50Ms) {
    return new Measured(
        id,
        id.equals("registrar") ? "registrar" : "spire-controller-manager (model)",
        wallMs * 1_000_000,
        cpuMs * 1_000_000,
        Map.of(Measured.CREATE, rpcs - 1, Measured.LIST, 1L),
        Map.of(Measured.CREATE, 1010L, Measured.LIST, 0L),
        new LatencyRecorder.Percentiles(
            1010, p50Ms * 1_000_000, wallMs * 900_000, wallMs * 1_000_000),
        Optional.of(true),
        Map.of("objects", 1010));
  }

  @Test
  void missedTargetsNameTheScenarioTheBarTheFigureAndTheLimit() {
    Measured ours = cold("registrar", 900, 300, 30, 500);
    Measured scm = cold("scm", 800, 400, 22, 600);
    BenchReport report =
        new BenchReport(
            settings(Source.API, 1000),
            List.of(
                BenchReport.scenario(
                    Scenario.COLD, settings(Source.API, 1000), List.of(ours, scm))));

    assertThat(report.allTargetsMet()).isFalse();
    assertThat(report.missedTargets())
        .containsExactly(
            "cold: cold sync SPIRE RPCs: 30, target <= ceil(1010/50) + 1 list page(s) + 5 = 27",
            "cold: cold sync wall time ahead of spire-controller-manager (model): 900 ms, target"
                + " < 800 ms");
  }

  @Test
  void everyTargetMetMeansNothingMissed() {
    Measured ours = cold("registrar", 300, 100, 22, 100);
    Measured scm = cold("scm", 800, 400, 22, 600);
    BenchReport report =
        new BenchReport(
            settings(Source.MEMORY, 1000),
            List.of(
                BenchReport.scenario(
                    Scenario.COLD, settings(Source.MEMORY, 1000), List.of(ours, scm))));
    assertThat(report.missedTargets()).isEmpty();
    assertThat(report.allTargetsMet()).isTrue();
  }

  @Test
  void heapMustStayUnderTheBarAndBelowEveryModel() {
    Measured ours = heap("registrar", 300);
    Measured scm = heap("scm", 200);
    BenchReport report =
        new BenchReport(
            settings(Source.API, 100_000),
            List.of(
                BenchReport.scenario(
                    Scenario.HEAP, settings(Source.API, 100_000), List.of(ours, scm))));
    assertThat(report.missedTargets())
        .containsExactly(
            "heap: heap live set, informers included: 300.0 MiB, target <= 256 MiB",
            "heap: heap live set below spire-controller-manager (model): 300.0 MiB, target < 200.0"
                + " MiB");
  }

  private static Measured heap(String id, long mib) {
    return new Measured(
        id,
        id.equals("registrar") ? "registrar" : "spire-controller-manager (model)",
        0,
        0,
        Map.of(),
        Map.of(),
        LatencyRecorder.Percentiles.NONE,
        Optional.empty(),
        Map.of("heap_bytes", mib * 1024 * 1024, "pods_tracked", 100_000));
  }
}
