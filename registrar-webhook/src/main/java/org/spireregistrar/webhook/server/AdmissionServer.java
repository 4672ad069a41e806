package org.spireregistrar.webhook.server;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.config.ListenAddress;

/**
 * The HTTPS server admission webhooks run on (upstream §4.2 and §4.4): TLS 1.2 or newer, client
 * certificates required and verified unless the {@link TlsFiles} name no CA, certificate files
 * reloaded when they change on disk.
 *
 * <p>Requests are checked in upstream's order, each answered as Go's {@code http.Error} would: a
 * path with no handler → 404 {@code Not found}; not a POST → 405 {@code Expected POST}; {@code
 * Content-Type} not exactly {@code application/json} → 400 {@code Expected JSON content}. Then the
 * body is read — without holding a thread while it trickles in — and handed to the path's {@link
 * PostHandler}. Beyond upstream: a body over {@link ServerOptions#maxBodyBytes()} is answered 413
 * and a client too slow to send its request within {@link ServerOptions#readTimeout()} is answered
 * 408 (then the connection is closed); both are logged.
 *
 * <p>Connections are bounded (upstream has no bound): a connection must finish its TLS handshake
 * and start a request within {@link ServerOptions#handshakeTimeout()} of its accept, and at most
 * {@link ServerOptions#maxConnections()} are open at once; past that, the oldest connections that
 * have not started a request are closed to make room, so a flood of connections that never
 * handshake neither exhausts file descriptors nor locks out authenticated clients. Like Go's
 * server, neither the SNI name nor the {@code Host} header has to match the certificate (webhooks
 * are often called by IP address or by a URL naming something else).
 *
 * <p>Built on Jetty's core API rather than the JDK's {@code HttpsServer}: the JDK server can only
 * drop a slow connection (through JVM-wide system properties, and never while a handler blocks
 * reading a body), so it cannot answer a slow client with a 408 nor bound a body read.
 *
 * <p>Thread-safe. {@link #close()} stops accepting, lets requests in flight finish for at most
 * {@link ServerOptions#drainTimeout()}, then closes every connection.
 */
public final class AdmissionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);

  private final Server server;
  private final ServerConnector connector;
  private final ReloadingTlsContext tls;
  private final ScheduledExecutorService reloader;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AdmissionServer(
      Server server,
      ServerConnector connector,
      ReloadingTlsContext tls,
      ScheduledExecutorService reloader) {
    this.server = server;
    this.connector = connector;
    this.tls = tls;
    this.reloader = reloader;
  }

  /**
   * Loads the TLS files, binds {@code addr} and starts serving.
   *
   * @param addr a Go listen address: {@code :8443}, {@code 127.0.0.1:0}, {@code [::1]:8443}
   * @param files the certificate, key and (unless clients are not verified) CA files
   * @param routes the handler of each exact path, e.g. {@code /validate}
   * @param options limits and timeouts
   * @param clock the time client certificates are checked at
   * @throws ServerStartException {@code unable to load server keypair: …}, {@code unable to read
   *     cacert file: …}, {@code unable to parse cacert file: …} or {@code unable to listen: …}
   */
  public static AdmissionServer start(
      String addr,
      TlsFiles files,
      Map<String, PostHandler> routes,
      ServerOptions options,
      Clock clock) {
    return start(addr, files, routes, options, clock, RequestListener.NONE);
  }

  /**
   * As {@link #start(String, TlsFiles, Map, ServerOptions, Clock)}, telling {@code listener} of
   * every answer.
   */
  public static AdmissionServer start(
      String addr,
      TlsFiles files,
      Map<String, PostHandler> routes,
      ServerOptions options,
      Clock clock,
      RequestListener listener) {
    Objects.requireNonNull(addr, "addr");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(options, "options");
    Map<String, PostHandler> routeCopy = Map.copyOf(routes);
    ReloadingTlsContext tls = new ReloadingTlsContext(files, clock);
    ListenAddress listen;
    InetSocketAddress bind;
    try {
      listen = ListenAddress.parse(addr);
      bind = listen.socketAddress();
    } catch (IllegalArgumentException e) {
      throw new ServerStartException(
          "unable to listen: listen tcp " + addr + ": " + e.getMessage(), e);
    }

    // At most maxThreads workers; no thread waits on a slow client (bodies are read on demand).
    QueuedThreadPool threads = new QueuedThreadPool(options.maxThreads(), 2);
    threads.setName("admission");
    Server server = new Server(threads);

    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(tls.sslContext());
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    ssl.setNeedClientAuth(files.verifiesClients());
    ssl.setRenegotiationAllowed(false);
    ssl.setSniRequired(false); // clients calling by IP address send no SNI

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // Upstream compares Content-Type exactly; Jetty's header cache would fold case otherwise.
    http.setHeaderCacheCaseSensitive(true);
    // Jetty's default answers 400 "Invalid SNI" when the Host header is not a name of the
    // certificate; Go's server checks neither Host nor SNI, and webhooks configured by URL or IP
    // address rely on that.
    http.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));

    ServerConnector connector = new ServerConnector(server, 1, 1);
    EvictingConnectionLimit limit =
        new EvictingConnectionLimit(
            connector,
            effectiveMaxConnections(options.maxConnections(), fileDescriptorLimit()),
            options.handshakeTimeout().toMillis());
    connector.setConnectionFactories(
        List.<ConnectionFactory>of(
            new SslConnectionFactory(ssl, "http/1.1"),
            new RequestTimeoutConnectionFactory(http, options, limit)));
    connector.addBean(limit);
    connector.setHost(bind.getAddress().isAnyLocalAddress() ? null : bind.getHostString());
    connector.setPort(bind.getPort());
    // New connections start with the handshake timeout; RequestTimeoutConnectionFactory switches
    // to the read and keep-alive timeouts once requests arrive.
    connector.setIdleTimeout(options.handshakeTimeout().toMillis());
    // Kernel memory, not file descriptors: room for a burst of connects while the acceptor makes
    // room, so that an authenticated client's SYN is not dropped during a flood.
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);

    server.setHandler(new GracefulHandler(new Dispatcher(routeCopy, options, listener)));
    server.setErrorHandler(new PlainTextErrors());
    server.setStopTimeout(options.drainTimeout().toMillis());
    server.setStopAtShutdown(false);

    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      Throwable cause = e instanceof IOException && e.getCause() != null ? e.getCause() : e;
      String why = cause instanceof BindException ? "bind: " + cause.getMessage() : message(cause);
      throw new ServerStartException("unable to listen: listen tcp " + listen + ": " + why, e);
    }

    ScheduledExecutorService reloader = null;
    if (!options.reloadInterval().isZero()) {
      reloader =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "admission-tls-reload");
                t.setDaemon(true);
                return t;
              });
      long every = options.reloadInterval().toMillis();
      reloader.scheduleWithFixedDelay(
          () -> {
            try {
              tls.reloadIfChanged();
            } catch (RuntimeException e) {
              // Keep polling: a later rotation may well be readable.
              LOG.warn("Checking the TLS files for changes failed: {}", message(e));
            }
          },
          every,
          every,
          TimeUnit.MILLISECONDS);
    }
    AdmissionServer started = new AdmissionServer(server, connector, tls, reloader);
    // Whether unverified clients are a risk depends on what the routes do: the caller says so.
    LOG.info(
        "Serving HTTPS: addr={} verify_client_certificates={} max_connections={}",
        started.describe(),
        files.verifiesClients(),
        limit.maxConnections());
    return started;
  }

  /**
   * {@code configured}, or half of {@code fdLimit} (the process's file descriptor limit; zero or
   * less when unknown) when that is lower: the server must never be the reason the process runs out
   * (certificate reloads, SPIRE and Kubernetes connections need descriptors too).
   */
  static int effectiveMaxConnections(int configured, long fdLimit) {
    if (fdLimit <= 0 || configured <= fdLimit / 2) {
      return configured;
    }
    int lowered = (int) Math.max(1, fdLimit / 2);
    LOG.warn(
        "Connection limit {} is above half the file descriptor limit {}: using {}",
        configured,
        fdLimit,
        lowered);
    return lowered;
  }

  private static long fileDescriptorLimit() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount()
        : -1;
  }

  private String describe() {
    InetSocketAddress a = address();
    return a.getHostString() + ":" + a.getPort();
  }

  /** The address actually bound (the real port when {@code addr} asked for port 0). */
  public InetSocketAddress address() {
    String host = connector.getHost();
    return host == null
        ? new InetSocketAddress(connector.getLocalPort())
        : new InetSocketAddress(host, connector.getLocalPort());
  }

  /** The connections open now: accepted and not yet closed, whatever their state. */
  public int openConnections() {
    return connector.getConnectedEndPoints().size();
  }

  /**
   * Re-reads the TLS files now (the server also does so every {@link
   * ServerOptions#reloadInterval()}). Files that changed but do not parse are logged and ignored.
   *
   * @return whether new files are now in use
   */
  public boolean reloadCertificates() {
    return tls.reloadIfChanged();
  }

  /**
   * Stops accepting connections, waits up to {@link ServerOptions#drainTimeout()} for requests in
   * flight to be answered, then closes everything. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (reloader != null) {
      reloader.shutdownNow();
    }
    String where = describe(); // before stopping: a stopped connector has no local port
    try {
      server.stop();
    } catch (Exception e) {
      // A drain that timed out: the remaining connections were closed anyway.
      LOG.warn("Admission server stopped before every request finished: {}", message(e));
    }
    LOG.info("Stopped HTTPS server on {}", where);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // Nothing was serving yet.
    }
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** Routes by exact path, checks method and content type, then reads the body. */
  private static final class Dispatcher extends Handler.Abstract {
    private final Map<String, PostHandler> routes;
    private final ServerOptions options;
    private final RequestListener listener;

    Dispatcher(Map<String, PostHandler> routes, ServerOptions options, RequestListener listener) {
      this.routes = routes;
      this.options = options;
      this.listener = listener;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      RequestTimeoutConnectionFactory.requestStarted(request);
      // An idle timeout while reading the body is answered 408 (BodyReader); while a handler
      // waits on SPIRE it must not cut the request short, nor during a drain.
      request.addIdleTimeoutListener(timeout -> false);
      PostHandler route = routes.get(request.getHttpURI().getPath());
      if (route == null) {
        send(request, response, callback, HttpReply.text(404, "Not found"), false, listener);
        return true;
      }
      if (!HttpMethod.POST.is(request.getMethod())) {
        response.getHeaders().put(HttpHeader.ALLOW, "POST");
        send(request, response, callback, HttpReply.text(405, "Expected POST"), false, listener);
        return true;
      }
      if (!HttpReply.JSON.equals(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
        send(
            request,
            response,
            callback,
            HttpReply.text(400, "Expected JSON content"),
            false,
            listener);
        return true;
      }
      long length = request.getLength();
      if (length > options.maxBodyBytes()) {
        send(
            request, response, callback, tooLarge(request, options.maxBodyBytes()), true, listener);
        return true;
      }
      new BodyReader(request, response, callback, route, options, listener).start();
      return true;
    }
  }

  private static HttpReply tooLarge(Request request, int limit) {
    LOG.warn(
        "Request too large: {} sent a body over {} bytes; answered 413",
        Request.getRemoteAddr(request),
        limit);
    return HttpReply.text(413, "Request body too large: the limit is " + limit + " bytes");
  }

  /**
   * Reads a body without blocking a thread while it arrives; answers exactly once: the handler's
   * reply, 413, or 408 when the deadline passes first.
   */
  private static final class BodyReader implements Runnable {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final PostHandler route;
    private final ServerOptions options;
    private final RequestListener listener;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private Scheduler.Task deadline;

    BodyReader(
        Request request,
        Response response,
        Callback callback,
        PostHandler route,
        ServerOptions options,
        RequestListener listener) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.route = route;
      this.options = options;
      this.listener = listener;
    }

    void start() {
      Scheduler scheduler = request.getComponents().getScheduler();
      deadline =
          scheduler.schedule(
              this::timedOut, options.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
      run();
    }

    /** Reads what has arrived; called again through {@link Request#demand} when more does. */
    @Override
    public void run() {
      while (!answered.get()) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          Throwable failure = chunk.getFailure();
          if (failure instanceof TimeoutException) {
            timedOut(); // the connection's idle timeout: no byte within readTimeout
          } else if (claim()) {
            LOG.debug("Request body not received: {}", message(failure));
            callback.failed(failure); // the client went away; nobody to answer
          }
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        boolean last = chunk.isLast();
        if (body.size() + bytes.remaining() > options.maxBodyBytes()) {
          chunk.release();
          if (claim()) {
            send(
                request,
                response,
                callback,
                tooLarge(request, options.maxBodyBytes()),
                true,
                listener);
          }
          return;
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        body.write(copy, 0, copy.length);
        chunk.release();
        if (last) {
          complete();
          return;
        }
      }
    }

    /** Whether this caller is the one to answer; if so, the deadline no longer fires. */
    private boolean claim() {
      if (!answered.compareAndSet(false, true)) {
        return false;
      }
      deadline.cancel();
      return true;
    }

    private void complete() {
      if (!claim()) {
        return;
      }
      HttpReply reply;
      try {
        reply = route.handle(body.toByteArray());
      } catch (RuntimeException e) {
        LOG.error("Admission handler failed on {}", request.getHttpURI().getPath(), e);
        reply = HttpReply.text(500, "Internal error occurred: " + message(e));
      }
      send(request, response, callback, reply, false, listener);
    }

    private void timedOut() {
      if (!claim()) {
        return;
      }
      LOG.warn(
          "Request timeout: {} sent {} of {} body bytes within {} ms; answered 408",
          Request.getRemoteAddr(request),
          body.size(),
          request.getLength() < 0 ? "?" : request.getLength(),
          options.readTimeout().toMillis());
      send(
          request,
          response,
          callback,
          HttpReply.text(408, "Request timeout: request body not received in time"),
          true,
          listener);
    }
  }

  private static void send(
      Request request,
      Response response,
      Callback callback,
      HttpReply reply,
      boolean close,
      RequestListener listener) {
    listener.answered(
        request.getHttpURI().getPath(),
        reply.status(),
        System.nanoTime() - request.getBeginNanoTime());
    send(response, callback, reply, close);
  }

  private static void send(Response response, Callback callback, HttpReply reply, boolean close) {
    response.setStatus(reply.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
    if (reply.contentType().startsWith("text/plain")) {
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
    }
    if (close) {
      // The rest of the body is unread: this connection cannot carry another request.
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
    byte[] bytes = reply.body();
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /** Errors Jetty answers itself (bad request line, headers too large, 503 while draining). */
  private static final class PlainTextErrors extends ErrorHandler {
    @Override
    protected void generateResponse(
        Request request,
        Response response,
        int code,
        String message,
        Throwable cause,
        Callback callback) {
      send(response, callback, HttpReply.text(code, message), false);
    }
  }
}
