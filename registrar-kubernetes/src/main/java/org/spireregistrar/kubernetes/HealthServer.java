package org.spireregistrar.kubernetes;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.config.ListenAddress;

/**
 * One HTTP listener for {@code /metrics} (Prometheus text format), {@code /healthz} (the process is
 * alive) and {@code /readyz} (200 when the readiness check passes, 503 with the reason otherwise).
 *
 * <p>Slow clients cannot hold up probes: requests are parsed without holding a thread, a request's
 * headers must arrive within {@link Options#headerTimeout()} (a deadline, so trickling bytes do not
 * extend it), and a connection with nothing to read for {@link Options#idleTimeout()} is closed.
 * Built on Jetty's core API, as the webhook's HTTPS server is: the JDK's {@code HttpServer} blocks
 * a worker on every connection that is slow to send its headers and has no header timeout, so two
 * slow clients stalled every probe.
 */
public final class HealthServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthServer.class);

  /** The outcome of a readiness check: empty when ready, else why not. */
  public interface Readiness extends Supplier<Optional<String>> {}

  /**
   * Timeouts and workers of a {@link HealthServer}.
   *
   * @param headerTimeout the longest a request's headers may take to arrive: from a connection's
   *     accept for its first request, from the request's first byte for later ones; the connection
   *     is then closed without an answer
   * @param idleTimeout how long a connection may go without receiving a byte (between kept-alive
   *     requests, or while a body stalls) before it is closed
   * @param maxThreads worker threads, acceptor and selector included (bounded: no thread waits on a
   *     slow client)
   */
  public record Options(Duration headerTimeout, Duration idleTimeout, int maxThreads) {

    /** Header timeout 5 s, idle timeout 30 s, 8 threads. */
    public static final Options DEFAULTS =
        new Options(Duration.ofSeconds(5), Duration.ofSeconds(30), 8);

    public Options {
      requirePositive(headerTimeout, "headerTimeout");
      requirePositive(idleTimeout, "idleTimeout");
      if (maxThreads < 4) {
        throw new IllegalArgumentException("maxThreads must be at least 4: " + maxThreads);
      }
    }

    public Options withHeaderTimeout(Duration timeout) {
      return new Options(timeout, idleTimeout, maxThreads);
    }

    public Options withIdleTimeout(Duration timeout) {
      return new Options(headerTimeout, timeout, maxThreads);
    }

    private static void requirePositive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final InetSocketAddress bound;

  private HealthServer(Server server, ServerConnector connector, InetSocketAddress bound) {
    this.server = server;
    this.connector = connector;
    this.bound = bound;
  }

  /**
   * Starts listening on {@code addr} ({@code ":8080"}, {@code "127.0.0.1:9090"}) with {@link
   * Options#DEFAULTS}; {@code "0"} (or empty) disables the endpoint and returns empty.
   *
   * @throws IllegalArgumentException for an address that cannot be parsed
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static Optional<HealthServer> start(
      String addr, PrometheusMeterRegistry registry, Readiness readiness) {
    return start(addr, registry, readiness, Options.DEFAULTS);
  }

  /** As {@link #start(String, PrometheusMeterRegistry, Readiness)}, with these timeouts. */
  public static Optional<HealthServer> start(
      String addr, PrometheusMeterRegistry registry, Readiness readiness, Options options) {
    return start(addr, registry, readiness, Optional::empty, options);
  }

  /**
   * As {@link #start(String, PrometheusMeterRegistry, Readiness, Options)}, with a liveness check:
   * {@code /healthz} answers 503 with its reason when it is not empty (a dead sync loop), so a
   * liveness probe restarts the process.
   */
  public static Optional<HealthServer> start(
      String addr,
      PrometheusMeterRegistry registry,
      Readiness readiness,
      Readiness liveness,
      Options options) {
    Objects.requireNonNull(liveness, "liveness");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(readiness, "readiness");
    Objects.requireNonNull(options, "options");
    if (addr == null || addr.isBlank() || addr.equals("0")) {
      return Optional.empty();
    }
    InetSocketAddress address = parse(addr);

    QueuedThreadPool threads = new QueuedThreadPool(options.maxThreads(), 2);
    threads.setName("health-http");
    threads.setDaemon(true);
    // Daemon threads throughout, as before: the endpoint never keeps the JVM alive.
    Server server =
        new Server(threads, new ScheduledExecutorScheduler("health-http-scheduler", true), null);

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    ServerConnector connector =
        new ServerConnector(
            server,
            1,
            1,
            new HeaderTimeoutConnectionFactory(http, options.headerTimeout().toMillis()));
    connector.setHost(address.getAddress().isAnyLocalAddress() ? null : address.getHostString());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(options.idleTimeout().toMillis());
    connector.setAcceptQueueSize(64);
    server.addConnector(connector);
    server.setHandler(new Endpoints(registry, readiness, liveness));
    server.setStopAtShutdown(false);

    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // Nothing was serving yet.
      }
      Throwable cause = e instanceof IOException && e.getCause() != null ? e.getCause() : e;
      // "Address already in use", as the JDK server said, rather than Jetty's wrapper text.
      String why =
          cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new UncheckedIOException(
          "unable to listen on " + addr + ": " + why,
          e instanceof IOException io ? io : new IOException(e));
    }
    InetSocketAddress bound = new InetSocketAddress(address.getAddress(), connector.getLocalPort());
    log.info("Serving /metrics, /healthz and /readyz on {}", bound);
    return Optional.of(new HealthServer(server, connector, bound));
  }

  /** Routes the three paths; GET and HEAD only. */
  private static final class Endpoints extends Handler.Abstract {
    private static final String TEXT = "text/plain; charset=utf-8";
    private final PrometheusMeterRegistry registry;
    private final Readiness readiness;
    private final Readiness liveness;

    Endpoints(PrometheusMeterRegistry registry, Readiness readiness, Readiness liveness) {
      this.liveness = liveness;
      this.registry = registry;
      this.readiness = readiness;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String method = request.getMethod();
      if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
        send(response, callback, 405, TEXT, "method not allowed\n");
        return true;
      }
      switch (request.getHttpURI().getPath()) {
        case "/metrics" ->
            send(
                response,
                callback,
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape());
        case "/healthz" -> {
          Optional<String> dead = liveness.get();
          if (dead.isEmpty()) {
            send(response, callback, 200, TEXT, "ok\n");
          } else {
            send(response, callback, 503, TEXT, "not alive: " + dead.get() + "\n");
          }
        }
        case "/readyz" -> {
          Optional<String> problem = readiness.get();
          if (problem.isEmpty()) {
            send(response, callback, 200, TEXT, "ok\n");
          } else {
            send(response, callback, 503, TEXT, "not ready: " + problem.get() + "\n");
          }
        }
        default -> send(response, callback, 404, TEXT, "not found\n");
      }
      return true;
    }

    /** Writes the whole answer; for HEAD, Jetty sends the headers only. */
    private static void send(
        Response response, Callback callback, int status, String type, String body) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      response.write(true, ByteBuffer.wrap(bytes), callback);
    }
  }

  /** HTTP/1.1 connections whose requests must deliver their headers before a deadline. */
  private static final class HeaderTimeoutConnectionFactory extends HttpConnectionFactory {
    private final long headerTimeoutMillis;

    HeaderTimeoutConnectionFactory(HttpConfiguration config, long headerTimeoutMillis) {
      super(config);
      this.headerTimeoutMillis = headerTimeoutMillis;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
      HttpConnection connection =
          new HeaderTimeoutConnection(
              getHttpConfiguration(), connector, endPoint, headerTimeoutMillis);
      connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
      return configure(connection, connector, endPoint);
    }
  }

  /**
   * Closes the connection when a request's headers are not complete {@code headerTimeoutMillis}
   * after the connection opened (first request) or after the request's first bytes (later ones),
   * like Go's {@code ReadHeaderTimeout}. An idle timeout alone would let a client trickling one
   * byte at a time hold a connection indefinitely.
   */
  private static final class HeaderTimeoutConnection extends HttpConnection {
    private final long headerTimeoutMillis;
    private final AtomicReference<Scheduler.Task> deadline = new AtomicReference<>();

    HeaderTimeoutConnection(
        HttpConfiguration config,
        Connector connector,
        EndPoint endPoint,
        long headerTimeoutMillis) {
      super(config, connector, endPoint);
      this.headerTimeoutMillis = headerTimeoutMillis;
    }

    @Override
    public void onOpen() {
      arm();
      super.onOpen();
    }

    @Override
    public void onFillable() {
      super.onFillable();
      HttpParser parser = getParser();
      if (parser.isStart()) {
        if (getMessagesIn() > 0) {
          disarm(); // between kept-alive requests: the idle timeout applies
        }
      } else if (parser.inHeaderState()) {
        arm(); // a request's headers are arriving; a running deadline keeps running
      } else {
        disarm(); // headers complete
      }
    }

    @Override
    public void onClose(Throwable cause) {
      disarm();
      super.onClose(cause);
    }

    private void arm() {
      if (deadline.get() != null) {
        return;
      }
      Scheduler.Task task =
          getConnector()
              .getScheduler()
              .schedule(this::expired, headerTimeoutMillis, TimeUnit.MILLISECONDS);
      if (!deadline.compareAndSet(null, task)) {
        task.cancel();
      }
    }

    private void disarm() {
      Scheduler.Task task = deadline.getAndSet(null);
      if (task != null) {
        task.cancel();
      }
    }

    private void expired() {
      log.debug(
          "Closing {}: request headers not received within {} ms",
          getEndPoint().getRemoteSocketAddress(),
          headerTimeoutMillis);
      getEndPoint().close();
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
    return bound;
  }

  /** The connections open now. */
  int openConnections() {
    return connector.getConnectedEndPoints().size();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      log.debug("health endpoint did not stop cleanly: {}", e.toString());
    }
  }
}
