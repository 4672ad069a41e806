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
 */
public record ServerOptions(
    Duration readTimeout,
    Duration idleTimeout,
    int maxBodyBytes,
    int maxThreads,
    Duration drainTimeout,
    Duration reloadInterval) {

  /** 3 MiB: an AdmissionReview carries at most two objects of etcd's 1.5 MiB limit. */
  public static final int DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

  public static final ServerOptions DEFAULTS =
      new ServerOptions(
          Duration.ofSeconds(10),
          Duration.ofSeconds(120),
          DEFAULT_MAX_BODY_BYTES,
          32,
          Duration.ofSeconds(10),
          Duration.ofSeconds(5));

  public ServerOptions {
    requirePositive(readTimeout, "readTimeout");
    requirePositive(idleTimeout, "idleTimeout");
    requirePositive(drainTimeout, "drainTimeout");
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
  }

  public ServerOptions withReadTimeout(Duration timeout) {
    return new ServerOptions(
        timeout, idleTimeout, maxBodyBytes, maxThreads, drainTimeout, reloadInterval);
  }

  public ServerOptions withIdleTimeout(Duration timeout) {
    return new ServerOptions(
        readTimeout, timeout, maxBodyBytes, maxThreads, drainTimeout, reloadInterval);
  }

  public ServerOptions withMaxBodyBytes(int bytes) {
    return new ServerOptions(
        readTimeout, idleTimeout, bytes, maxThreads, drainTimeout, reloadInterval);
  }

  public ServerOptions withMaxThreads(int threads) {
    return new ServerOptions(
        readTimeout, idleTimeout, maxBodyBytes, threads, drainTimeout, reloadInterval);
  }

  public ServerOptions withDrainTimeout(Duration timeout) {
    return new ServerOptions(
        readTimeout, idleTimeout, maxBodyBytes, maxThreads, timeout, reloadInterval);
  }

  public ServerOptions withReloadInterval(Duration interval) {
    return new ServerOptions(
        readTimeout, idleTimeout, maxBodyBytes, maxThreads, drainTimeout, interval);
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
