package org.spireregistrar.kubernetes;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The Prometheus registry a mode serves on {@code /metrics}: the mode's own series plus the JVM's
 * and the process's (memory, GC, threads, classes, CPU, uptime, open file descriptors), so a memory
 * leak or an fd exhaustion shows on the same dashboard as the registrar's work.
 */
public final class MetricsRegistry {
  private MetricsRegistry() {}

  /**
   * A new registry with the JVM and process metrics bound. Closing it closes the GC binder too:
   * that binder's listener on the JVM's collectors would otherwise keep the registry, and through
   * its gauges the mode that owns it, reachable for as long as the JVM lives (it matters to
   * embedders and tests that run and close modes in one JVM).
   */
  public static PrometheusMeterRegistry create() {
    JvmGcMetrics gc = new JvmGcMetrics();
    PrometheusMeterRegistry registry =
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) {
          @Override
          public void close() {
            gc.close();
            super.close();
          }
        };
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return registry;
  }
}
