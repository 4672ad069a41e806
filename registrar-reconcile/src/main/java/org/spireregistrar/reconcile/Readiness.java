package org.spireregistrar.reconcile;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What {@code /readyz} reports for the controller modes (reconcile and crd), in this order: the
 * informers have listed everything; no watch keeps failing (the caches are going stale, for a
 * standby too); a standby is then ready to take over; a leader also needs SPIRE reachable, a first
 * pass finished and a pass completed within the stale limit. Per-object failures never make a
 * replica unready (they are metrics and log lines).
 */
public final class Readiness {
  private Readiness() {}

  /**
   * Why the replica is not ready; empty when it is.
   *
   * @param lastSuccessNanos when the last pass that reached SPIRE completed (the ticker's time); 0
   *     before the first
   * @param nowNanos the ticker's time now
   * @param staleAfter how long without a completed pass makes a leader unready
   */
  public static Optional<String> of(
      boolean cachesSynced,
      Supplier<Optional<String>> watchProblem,
      boolean leader,
      boolean spireReachable,
      long lastSuccessNanos,
      long nowNanos,
      Duration staleAfter) {
    if (!cachesSynced) {
      return Optional.of("Kubernetes caches not synced");
    }
    Optional<String> watches = watchProblem.get();
    if (watches.isPresent()) {
      return watches;
    }
    if (!leader) {
      return Optional.empty();
    }
    if (!spireReachable) {
      return Optional.of("SPIRE server unreachable");
    }
    if (lastSuccessNanos == 0) {
      return Optional.of("first sync pass not finished");
    }
    return stale(Duration.ofNanos(nowNanos - lastSuccessNanos), staleAfter);
  }

  /**
   * How long a leader may go without a completed pass before it is unready: two resync intervals
   * and a minute.
   */
  public static Duration staleAfter(Duration resyncInterval) {
    return resyncInterval.multipliedBy(2).plusMinutes(1);
  }

  /** Why a replica whose last good pass was {@code since} ago is not ready; empty if it is. */
  public static Optional<String> stale(Duration since, Duration limit) {
    return since.compareTo(limit) > 0
        ? Optional.of("no successful sync pass for " + since.toSeconds() + " s")
        : Optional.empty();
  }
}
