package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HealthServerTest {

  @Test
  void zeroDisablesTheEndpoint() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    assertThat(HealthServer.start("0", registry, Optional::empty)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({":8080,8080", "127.0.0.1:9090,9090", "[::1]:7070,7070"})
  void parsesListenAddresses(String addr, int port) {
    InetSocketAddress a = HealthServer.parse(addr);
    assertThat(a.getPort()).isEqualTo(port);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"8080", "host:", "host:abc", ":70000"})
  void refusesBadAddresses(String addr) {
    assertThatThrownBy(() -> HealthServer.parse(addr))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid listen address \"" + addr + "\"");
  }

  @Test
  void servesMetricsHealthAndReadiness() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("registrar_test_things").register(registry).increment(3);
    AtomicReference<Optional<String>> ready =
        new AtomicReference<>(Optional.of("caches not synced"));
    try (HealthServer server =
        HealthServer.start("127.0.0.1:0", registry, ready::get).orElseThrow()) {
      String base = "http://127.0.0.1:" + server.address().getPort();
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
      HttpResponse<String> notReady = get(http, base + "/readyz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).isEqualTo("not ready: caches not synced\n");
      ready.set(Optional.empty());
      assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(http, base + "/metrics");
      assertThat(metrics.headers().firstValue("Content-Type"))
          .get()
          .asString()
          .startsWith("text/plain");
      assertThat(metrics.body()).contains("registrar_test_things_total 3.0");
      assertThat(get(http, base + "/other").statusCode()).isEqualTo(404);
      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/healthz"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
