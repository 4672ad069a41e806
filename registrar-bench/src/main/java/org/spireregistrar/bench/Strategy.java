package org.spireregistrar.bench;

import java.time.Duration;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * A way of keeping SPIRE in step with the cluster, driven by the benchmark: our {@link
 * RegistrarStrategy sync engine}, or a model of another registrar's algorithm. Events may arrive
 * before {@link #start()} (the informers' initial list); nothing is written before it.
 */
interface Strategy extends AutoCloseable {

  /** Machine name: {@code registrar}, {@code original}, {@code scm}. */
  String id();

  /** Human name for tables. */
  String title();

  void podUpserted(Workload pod);

  void podDeleted(String namespace, String name);

  void nodeUpserted(NodeInfo node);

  /** The caches have synced: start writing. */
  void start();

  /**
   * Waits until every event delivered so far is reflected in SPIRE and nothing is in flight.
   *
   * @return whether that happened within {@code timeout}
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException;

  /**
   * Runs the strategy's periodic full pass once, now, and waits for it (and anything it queued).
   *
   * @return whether it finished within {@code timeout}
   */
  boolean resyncOnce(Duration timeout) throws InterruptedException;

  /** How often the periodic full pass runs by default. */
  Duration resyncInterval();

  /** Event-to-entry latencies recorded since the last reset. */
  LatencyRecorder latencies();

  @Override
  void close();
}
