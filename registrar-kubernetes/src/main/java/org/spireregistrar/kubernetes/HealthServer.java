package org.spireregistrar.kubernetes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.config.ListenAddress;

/**
 * One HTTP listener for {@code /metrics} (Prometheus text format), {@code /healthz} (the process is
 * alive) and {@code /readyz} (200 when the readiness check passes, 503 with the reason otherwise).
 */
public final class HealthServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthServer.class);

  static {
    // The JDK HTTP server reads this once, when the first server in the JVM starts; without it
    // every response waits ~40 ms on Nagle's algorithm.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** The outcome of a readiness check: empty when ready, else why not. */
  public interface Readiness extends Supplier<Optional<String>> {}

  private final HttpServer server;
  private final ExecutorService executor;

  private HealthServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts listening on {@code addr} ({@code ":8080"}, {@code "127.0.0.1:9090"}); {@code "0"} (or
   * empty) disables the endpoint and returns empty.
   *
   * @throws IllegalArgumentException for an address that cannot be parsed
   * @throws java.io.UncheckedIOException when the port cannot be bound
   */
  public static Optional<HealthServer> start(
      String addr, PrometheusMeterRegistry registry, Readiness readiness) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(readiness, "readiness");
    if (addr == null || addr.isBlank() || addr.equals("0")) {
      return Optional.empty();
    }
    InetSocketAddress address = parse(addr);
    HttpServer server;
    try {
      server = HttpServer.create(address, 64);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "unable to listen on " + addr + ": " + e.getMessage(), e);
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "health-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            handle(exchange, registry, readiness);
          } catch (IOException | RuntimeException e) {
            log.debug("health endpoint request failed: {}", e.toString());
          }
        });
    server.start();
    log.info("Serving /metrics, /healthz and /readyz on {}", server.getAddress());
    return Optional.of(new HealthServer(server, executor));
  }

  private static void handle(
      HttpExchange exchange, PrometheusMeterRegistry registry, Readiness readiness)
      throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
      send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
      return;
    }
    switch (path) {
      case "/metrics" ->
          send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
      case "/healthz" -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
      case "/readyz" -> {
        Optional<String> problem = readiness.get();
        if (problem.isEmpty()) {
          send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
        } else {
          send(exchange, 503, "text/plain; charset=utf-8", "not ready: " + problem.get() + "\n");
        }
      }
      default -> send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
    }
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Parses {@code host:port} or {@code :port} ({@link ListenAddress}). */
  static InetSocketAddress parse(String addr) {
    try {
      return ListenAddress.parse(addr).socketAddress();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid listen address " + GoQuote.quote(addr) + ": " + e.getMessage(), e);
    }
  }

  /** The bound address (useful with port 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
