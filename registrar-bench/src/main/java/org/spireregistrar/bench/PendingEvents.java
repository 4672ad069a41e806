package org.spireregistrar.bench;

import java.util.HashMap;
import java.util.Map;
import org.spireregistrar.reconcile.ObjectKey;

/**
 * For the baseline models: per object, when its oldest not-yet-synced event arrived. An event is
 * noted <em>after</em> the cache is updated and taken <em>before</em> the cache is read, so a
 * sample can only err on the late side (an event whose state a pass already saw is timed to the
 * next pass), never the early side.
 */
final class PendingEvents {
  private Map<ObjectKey, Long> pending = new HashMap<>();

  /** Notes an event of {@code key} at {@code atNanos}; nothing when it was not timed (null). */
  synchronized void noted(ObjectKey key, Long atNanos) {
    if (atNanos != null) {
      pending.merge(key, atNanos, Math::min);
    }
  }

  /** The oldest pending event time of {@code key}, removed; null when none. */
  synchronized Long take(ObjectKey key) {
    return pending.remove(key);
  }

  /** Every pending event, removed. */
  synchronized Map<ObjectKey, Long> takeAll() {
    Map<ObjectKey, Long> out = pending;
    pending = new HashMap<>();
    return out;
  }

  synchronized boolean isEmpty() {
    return pending.isEmpty();
  }
}
