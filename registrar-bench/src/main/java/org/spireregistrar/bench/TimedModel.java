package org.spireregistrar.bench;

import org.spireregistrar.reconcile.ObjectKey;

/**
 * What the baseline models share: when an event happened, taken from the time its change was sent
 * ({@code --source api}) or, when nobody timed it, from its arrival.
 */
abstract class TimedModel implements Strategy {
  private volatile EventTimes times;

  /**
   * Times events from when their change was sent ({@code --source api}) rather than from when they
   * arrive here.
   */
  final void timeEventsBy(EventTimes times) {
    this.times = times;
  }

  /** When the event of {@code key} arriving now happened; null when nobody timed it. */
  final Long eventTime(ObjectKey key) {
    long now = System.nanoTime();
    EventTimes t = times;
    return t == null ? Long.valueOf(now) : t.take(key, now);
  }
}
