package org.spireregistrar.webhook.server;

/**
 * Observes every answer an {@link AdmissionServer} gives, for metrics and benchmarks. Called on the
 * thread that produced the answer (for handler answers: the handler's thread, right after it
 * returned, before the response is written); must be quick and must not throw.
 */
@FunctionalInterface
public interface RequestListener {

  /** Observes nothing. */
  RequestListener NONE = (path, status, nanos) -> {};

  /**
   * @param path the request path
   * @param status the status answered
   * @param nanos from the request's arrival to its answer being ready
   */
  void answered(String path, int status, long nanos);
}
