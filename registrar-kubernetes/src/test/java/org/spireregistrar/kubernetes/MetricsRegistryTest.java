package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsRegistryTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "jvm_memory_used_bytes{",
        "jvm_gc_",
        "jvm_threads_live_threads ",
        "jvm_classes_loaded_classes ",
        "process_cpu_usage ",
        "system_cpu_count ",
        "process_uptime_seconds ",
        "process_files_open_files ",
        "process_files_max_files "
      })
  void servesJvmAndProcessSeries(String series) {
    assertThat(MetricsRegistry.create().scrape()).contains(series);
  }

  @Test
  void aClosedRegistryIsNotKeptReachableByTheJvmsGcListener() {
    WeakReference<PrometheusMeterRegistry> ref = closedRegistry();

    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              System.gc();
              return ref.get() == null;
            });
  }

  private static WeakReference<PrometheusMeterRegistry> closedRegistry() {
    PrometheusMeterRegistry registry = MetricsRegistry.create();
    registry.scrape();
    registry.close();
    return new WeakReference<>(registry);
  }
}
