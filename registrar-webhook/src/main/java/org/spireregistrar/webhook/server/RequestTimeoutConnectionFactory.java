package org.spireregistrar.webhook.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 connections with three idle timeouts: the handshake timeout until the first request
 * starts (the connector's idle timeout, which also covers the TLS handshake), the short read
 * timeout while a request's headers are arriving, the long keep-alive timeout between requests. A
 * client whose headers stop arriving is answered 408 (Jetty would close the connection silently:
 * there is no request yet to answer); a connection idle before its first request or between
 * requests is closed silently. Once headers are complete, {@link AdmissionServer} bounds the body
 * itself. The first byte of a connection's first request is reported to the {@link
 * EvictingConnectionLimit}.
 */
final class RequestTimeoutConnectionFactory extends HttpConnectionFactory {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);

  private static final String BODY = "Request timeout: request headers not received in time\n";

  private static final byte[] REQUEST_TIMEOUT =
      ("HTTP/1.1 408 Request Timeout\r\n"
              + "Content-Type: text/plain; charset=utf-8\r\n"
              + "X-Content-Type-Options: nosniff\r\n"
              + "Connection: close\r\n"
              + "Content-Length: "
              + BODY.length()
              + "\r\n\r\n"
              + BODY)
          .getBytes(StandardCharsets.US_ASCII);

  private final long handshakeTimeoutMillis;
  private final long readTimeoutMillis;
  private final long idleTimeoutMillis;
  private final EvictingConnectionLimit limit;

  RequestTimeoutConnectionFactory(
      HttpConfiguration config, ServerOptions options, EvictingConnectionLimit limit) {
    super(config);
    this.handshakeTimeoutMillis = options.handshakeTimeout().toMillis();
    this.readTimeoutMillis = options.readTimeout().toMillis();
    this.idleTimeoutMillis = options.idleTimeout().toMillis();
    this.limit = limit;
  }

  @Override
  public Connection newConnection(Connector connector, EndPoint endPoint) {
    HttpConnection connection =
        new RequestTimeoutConnection(getHttpConfiguration(), connector, endPoint, this);
    connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
    return configure(connection, connector, endPoint);
  }

  /**
   * Tells the connection limit that a request has started on the connection that carries {@code
   * request}, so it is never closed to make room. Called by the handler too: a whole request (and
   * its answer) can be processed within one read, before {@code onFillable} gets to say so.
   */
  static void requestStarted(org.eclipse.jetty.server.Request request) {
    if (request.getConnectionMetaData().getConnection() instanceof RequestTimeoutConnection c) {
      c.markRequestSeen();
    }
  }

  static final class RequestTimeoutConnection extends HttpConnection {
    private final RequestTimeoutConnectionFactory factory;
    private volatile boolean requestSeen;

    RequestTimeoutConnection(
        HttpConfiguration config,
        Connector connector,
        EndPoint endPoint,
        RequestTimeoutConnectionFactory factory) {
      super(config, connector, endPoint);
      this.factory = factory;
    }

    void markRequestSeen() {
      if (!requestSeen) {
        requestSeen = true;
        EndPoint endPoint = getEndPoint();
        factory.limit.requestStarted(
            endPoint instanceof EndPoint.Wrapper wrapper ? wrapper.unwrap() : endPoint);
      }
    }

    /**
     * After each read: the handshake timeout until a request starts, the short timeout mid-headers,
     * the keep-alive timeout otherwise.
     */
    @Override
    public void onFillable() {
      super.onFillable();
      HttpParser parser = getParser();
      EndPoint endPoint = getEndPoint();
      if (!requestSeen && (!parser.isStart() || getMessagesIn() > 0)) {
        markRequestSeen();
      }
      boolean midHeaders = !parser.isStart() && parser.inHeaderState();
      long wanted =
          !requestSeen
              ? factory.handshakeTimeoutMillis
              : midHeaders ? factory.readTimeoutMillis : factory.idleTimeoutMillis;
      if (endPoint.getIdleTimeout() != wanted) {
        endPoint.setIdleTimeout(wanted);
      }
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
      boolean close = super.onIdleExpired(timeout);
      if (!close || getParser().isStart()) {
        return close; // a request is being handled (it answers), or the connection is just idle
      }
      LOG.warn(
          "Request timeout: {} sent incomplete request headers within {} ms; answered 408",
          getEndPoint().getRemoteSocketAddress(),
          getEndPoint().getIdleTimeout());
      EndPoint endPoint = getEndPoint();
      endPoint.write(
          Callback.from(endPoint::close, failure -> endPoint.close(failure)),
          ByteBuffer.wrap(REQUEST_TIMEOUT));
      return false;
    }
  }
}
