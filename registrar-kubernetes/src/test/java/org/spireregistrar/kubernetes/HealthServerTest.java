package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
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
  void healthzReportsADeadProcessForItsLivenessProbe() throws Exception {
    AtomicReference<Optional<String>> alive = new AtomicReference<>(Optional.empty());
    try (HealthServer server =
        HealthServer.start(
                "127.0.0.1:0",
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Optional::empty,
                alive::get,
                HealthServer.Options.DEFAULTS)
            .orElseThrow()) {
      String base = "http://127.0.0.1:" + server.address().getPort();
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
      alive.set(Optional.of("the sync loop stopped: java.lang.OutOfMemoryError"));
      HttpResponse<String> dead = get(http, base + "/healthz");
      assertThat(dead.statusCode()).isEqualTo(503);
      assertThat(dead.body())
          .isEqualTo("not alive: the sync loop stopped: java.lang.OutOfMemoryError\n");
    }
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

  // --- slow clients ---

  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
  }

  private HealthServer start(HealthServer.Options options) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("registrar_test_things").register(registry).increment();
    HealthServer server =
        HealthServer.start("127.0.0.1:0", registry, Optional::empty, options).orElseThrow();
    closeLater.add(server);
    return server;
  }

  private Socket connect(HealthServer server) throws IOException {
    Socket socket = new Socket();
    closeLater.add(socket);
    socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 10_000);
    socket.setSoTimeout(20_000); // failure guard only
    return socket;
  }

  /** Clients that connect and stall: half send nothing, half part of a request's headers. */
  private List<Socket> slowClients(HealthServer server, int count) throws IOException {
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Socket socket = connect(server);
      if (i % 2 == 1) {
        send(socket, "GET /healthz HTTP/1.1\r\nHost: registrar\r\nX-Slow: ");
      }
      slow.add(socket);
    }
    return slow;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** Whether the server closed {@code socket}, waiting up to its read timeout. */
  private static boolean closedByServer(Socket socket) {
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** Whether the server closed {@code socket} already, without waiting. */
  private static boolean closedNow(Socket socket) throws IOException {
    int previous = socket.getSoTimeout();
    socket.setSoTimeout(1);
    try {
      return closedByServer(socket);
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(previous);
      }
    }
  }

  /** Reads one response: status line, headers, Content-Length body (none for HEAD). */
  private static String[] read(Socket socket, boolean head) throws IOException {
    InputStream in = socket.getInputStream();
    String status = line(in);
    int length = 0;
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(l.substring(l.indexOf(':') + 1).trim());
      }
    }
    byte[] body = head ? new byte[0] : in.readNBytes(length);
    return new String[] {status, new String(body, StandardCharsets.UTF_8)};
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed mid-response");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Test
  void answersProbesWhileFiftySlowClientsStall() throws Exception {
    // Timeouts that outlast the test: the probes are answered while every slow client is there.
    HealthServer server =
        start(
            HealthServer.Options.DEFAULTS
                .withHeaderTimeout(Duration.ofMinutes(10))
                .withIdleTimeout(Duration.ofMinutes(10)));
    List<Socket> slow = slowClients(server, 50);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    String base = "http://127.0.0.1:" + server.address().getPort();
    for (String path : List.of("/healthz", "/readyz", "/metrics")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(30)) // failure guard only
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
    for (Socket socket : slow) {
      assertThat(closedNow(socket)).isFalse();
    }
  }

  @Test
  void closesSlowClientsAtTheHeaderTimeout() throws Exception {
    // The idle timeout outlasts the test: only the header timeout can close them.
    HealthServer server =
        start(
            HealthServer.Options.DEFAULTS
                .withHeaderTimeout(Duration.ofMillis(300))
                .withIdleTimeout(Duration.ofMinutes(10)));
    List<Socket> slow = slowClients(server, 50);
    for (Socket socket : slow) {
      assertThat(closedByServer(socket)).isTrue();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
  }

  @Test
  void closesAClientTricklingItsHeadersAtTheHeaderTimeout() throws Exception {
    HealthServer server =
        start(
            HealthServer.Options.DEFAULTS
                .withHeaderTimeout(Duration.ofMillis(500))
                .withIdleTimeout(Duration.ofMinutes(10)));
    Socket socket = connect(server);
    send(socket, "GET /healthz HTTP/1.1\r\nHost: registrar\r\nX-Slow: ");
    // One byte every 50 ms: never idle, yet the headers never end.
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      trickle.scheduleAtFixedRate(
          () -> {
            try {
              send(socket, "a");
            } catch (IOException e) {
              throw new IllegalStateException(e); // stops the schedule once the server closed
            }
          },
          0,
          50,
          TimeUnit.MILLISECONDS);
      assertThat(closedByServer(socket)).isTrue();
    } finally {
      trickle.shutdownNow();
    }
  }

  @Test
  void keepsAKeptAliveConnectionOpenBetweenRequestsPastTheHeaderTimeout() throws Exception {
    HealthServer server =
        start(
            HealthServer.Options.DEFAULTS
                .withHeaderTimeout(Duration.ofMillis(300))
                .withIdleTimeout(Duration.ofMinutes(10)));
    Socket socket = connect(server);
    send(socket, "HEAD /healthz HTTP/1.1\r\nHost: registrar\r\n\r\n");
    assertThat(read(socket, true)[0]).isEqualTo("HTTP/1.1 200 OK");
    socket.setSoTimeout(900); // three header timeouts of quiet
    assertThat(closedByServer(socket)).isFalse();
    socket.setSoTimeout(20_000);
    send(socket, "GET /readyz HTTP/1.1\r\nHost: registrar\r\n\r\n");
    assertThat(read(socket, false)).containsExactly("HTTP/1.1 200 OK", "ok\n");
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
