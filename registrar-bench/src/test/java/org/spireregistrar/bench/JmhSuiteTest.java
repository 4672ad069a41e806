package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JMH annotation processor ran: every benchmark is in the list JMH's runner reads. */
class JmhSuiteTest {

  @ParameterizedTest(name = "{0}.{1}")
  @CsvSource(
      textBlock =
          """
          EntryDiffBenchmark, diff
          PolicyBenchmark,    workloadId
          PolicyBenchmark,    podEntry
          DnsNamesBenchmark,  podDnsNames
          DnsNamesBenchmark,  serviceNames
          TemplateBenchmark,  render
          TemplateBenchmark,  parse
          """)
  void benchmarkIsListedForTheJmhRunner(String type, String method) throws IOException {
    String list;
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
      assertThat(in).as("META-INF/BenchmarkList").isNotNull();
      list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(list)
        .contains("org.spireregistrar.bench." + type + " ")
        .contains("jmh_generated." + type + "_" + method + "_jmhTest");
  }
}
