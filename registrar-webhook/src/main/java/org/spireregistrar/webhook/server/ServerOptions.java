package org.spireregistrar.webhook.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of an {@link AdmissionServer}. The configuration file has no keys for these; {@link
 * #DEFAULTS} suits an API server calling with its default 10 s webhook timeout.
 *
 * @param readTimeout the longest wait for the next bytes of a started request's headers, and for a
 *     whole body once its headers have arrived; a client slower than this is answered 408
 * @param idleTimeout how long a kept-alive connection may sit between requests before the server
 *     closes it; longer than the API server's own 90 s, so that the client, not the server, closes
 *     idle connections (a server closing one just as the client reuses it fails that request)
 * @param maxBodyBytes larger bodies are answered 413 without being read
 * @param maxThreads worker threads (bounded: slow clients do not hold one while their body trickles
 *     in)
 * @param drainTimeout how long {@link AdmissionServer#close()} waits for requests in flight
 * @param reloadInterval how often the TLS files are checked for changes; zero turns polling off
 * @param handshakeTimeout the longest a new connection may take, from its accept, to finish its TLS
 *     handshake and send the first byte of its first request; a deadline, not an idle timeout, so a
 *     client trickling its handshake in is closed too. An API server does both within milliseconds;
 *     connections that never do (a connection flood) are closed silently
 * @param maxConnections the most connections open at once. Past it, each new connection closes the
 *     oldest one that has not started a request yet; when every open connection has started one,
 *     the server stops accepting until one closes. Keep it well below the process's file descriptor
 *     limit: {@link AdmissionServer} lowers it to half of that limit when it is higher
 */
public record ServerOptions(
    Duration readTimeout,
    Duration idleTimeout,
    int maxBodyBytes,
    int maxThreads,
    Duration drainTimeout,
    Duration reloadInterval,
    Duration handshakeTimeout,
    int maxConnections) {

  /** 3 MiB: an AdmissionReview carries at most two objects of etcd's 1.5 MiB limit. */
  public static final int DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

  /**
   * Read timeout 10 s, idle timeout 120 s, 3 MiB bodies, 32 threads, drain 10 s, reload every 5 s,
   * handshake timeout 5 s, 1024 connections.
   */
  public static final ServerOptions DEFAULTS =
      new ServerOptions(
          Duration.ofSeconds(10),
          Duration.ofSeconds(120),
          DEFAULT_MAX_BODY_BYTES,
          32,
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          Duration.ofSeconds(5),
          1024);

  public ServerOptions {
    requirePositive(readTimeout, "readTimeout");
    requirePositive(idleTimeout, "idleTimeout");
    requirePositive(drainTimeout, "drainTimeout");
    requirePositive(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
    if (reloadInterval.isNegative()) {
      throw new IllegalArgumentException("reloadInterval must not be negative: " + reloadInterval);
    }
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
    }
    if (maxThreads < 4) {
      throw new IllegalArgumentException("maxThreads must be at least 4: " + maxThreads);
    }
    if (maxConnections <= 0) {
      throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
    }
  }

  public ServerOptions withReadTimeout(Duration timeout) {
    return new ServerOptions(
        timeout,
        idleTimeout,
        maxBodyBytes,
        maxThreads,
        drainTimeout,
        reloadInterval,
        handshakeTimeout,
        maxConnections);
  }

  public ServerOptions withIdleTimeout(Duration timeout) {
    return new ServerOptions(
        readTimeout,
        timeout,
        maxBodyBytes,
        maxThreads,
        drainTimeout,
        reloadInterval,
        handshakeTimeout,
        maxConnections);
  }

  public ServerOptions withMaxBodyBytes(int bytes) {
    return new ServerOptions(
        readTimeout,
        idleTimeout,
        bytes,
        maxThreads,
        drainTimeout,
        reloadInterval,
        handshakeTimeout,
        maxConnections);
  }

  public ServerOptions withMaxThreads(int threads) {
    return new ServerOptions(
        readTimeout,
        idleTimeout,
        maxBodyBytes,
        threads,
        drainTimeout,
        reloadInterval,
        handshakeTimeout,
        maxConnections);
  }

  public ServerOptions withDrainTimeout(Duration timeout) {
    return new ServerOptions(
        readTimeout,
        idleTimeout,
        maxBodyBytes,
        maxThreads,
        timeout,
        reloadInterval,
        handshakeTimeout,
        maxConnections);
  }

  public ServerOptions withReloadInterval(Duration interval) {
    return new ServerOptions(
        readTimeout,
        idleTimeout,
        maxBodyBytes,
        maxThreads,
        drainTimeout,
        interval,
        handshakeTimeout,
        maxConnections);
  }

  public ServerOptions withHandshakeTimeout(Duration timeout) {
    return new ServerOptions(
        readTimeout,
        idleTimeout,
        maxBodyBytes,
        maxThreads,
        drainTimeout,
        reloadInterval,
        timeout,
        maxConnections);
  }

  public ServerOptions withMaxConnections(int connections) {
    return new ServerOptions(
        readTimeout,
        idleTimeout,
        maxBodyBytes,
        maxThreads,
        drainTimeout,
        reloadInterval,
        handshakeTimeout,
        connections);
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
