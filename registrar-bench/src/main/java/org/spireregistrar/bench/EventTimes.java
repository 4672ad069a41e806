package org.spireregistrar.bench;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.spireregistrar.reconcile.ObjectKey;

/**
 * With {@code --source api}: when each change was sent to the API server, per object, so that a
 * latency sample runs from the request that made the change to the write that put it in SPIRE —
 * watch delivery and informer included. During a cold sync every object's change is "sent" at the
 * start ({@link #coldStart}).
 *
 * <p>A strategy takes a sample's start when it sees the object's change arrive (or, for our engine,
 * from the pass that synced it): only changes sent at or before that moment count, so a sample is
 * never attributed to a write that happened before its change was even sent. Thread-safe.
 */
final class EventTimes {
  private final Map<ObjectKey, ArrayDeque<Long>> sent = new HashMap<>();
  private long coldStart = -1;

  /** Notes a change of {@code key} about to be sent at {@code atNanos}. */
  synchronized void sent(ObjectKey key, long atNanos) {
    sent.computeIfAbsent(key, k -> new ArrayDeque<>(2)).addLast(atNanos);
  }

  /** From now on, an object with no change noted counts as changed at {@code atNanos}. */
  synchronized void coldStart(long atNanos) {
    coldStart = atNanos;
  }

  /** Forgets every noted change and the cold start. */
  synchronized void clear() {
    sent.clear();
    coldStart = -1;
  }

  /**
   * The oldest change of {@code key} sent at or before {@code seenAtNanos}, removing all such;
   * otherwise the cold start, if set; otherwise null (a change nobody timed).
   */
  synchronized Long take(ObjectKey key, long seenAtNanos) {
    return take(key, seenAtNanos, seenAtNanos);
  }

  /**
   * Like {@link #take(ObjectKey, long)}, and also forgets the changes of {@code key} sent up to
   * {@code coveredNanos} (when later than {@code seenAtNanos}): a sync that read the object after
   * they arrived covered them too. Without this, a change that arrived while the object was already
   * waiting for its sync (a pod's status written just after its creation) starts no sync of its own
   * and would stay noted, to be matched to the object's next, unrelated change and time it from
   * seconds before that change was even sent.
   */
  synchronized Long take(ObjectKey key, long seenAtNanos, long coveredNanos) {
    ArrayDeque<Long> times = sent.get(key);
    Long oldest = null;
    long upTo = Math.max(seenAtNanos, coveredNanos);
    while (times != null && !times.isEmpty() && times.peekFirst() <= upTo) {
      long t = times.removeFirst();
      if (oldest == null && t <= seenAtNanos) {
        oldest = t;
      }
    }
    if (times != null && times.isEmpty()) {
      sent.remove(key);
    }
    if (oldest != null) {
      return oldest;
    }
    return coldStart >= 0 ? coldStart : null;
  }
}
