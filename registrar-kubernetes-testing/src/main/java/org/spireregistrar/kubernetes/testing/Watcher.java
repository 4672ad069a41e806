package org.spireregistrar.kubernetes.testing;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One open watch: the store appends every event of its type (in resourceVersion order, under the
 * store lock) and the HTTP thread serving the watch takes them, filters them and streams them.
 */
final class Watcher {
  /** A stored change. {@code previous} is null for ADDED and for the initial synthetic events. */
  record Event(String type, long resourceVersion, StoredObject previous, StoredObject object) {}

  /** A bookmark the store asked to send (the end of the initial events). */
  record Bookmark(long resourceVersion, boolean initialEventsEnd) {}

  private static final Object CLOSE = new Object();

  private final ResourceType type;
  private final String namespace;
  private final LabelSelector labels;
  private final FieldSelector fields;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

  Watcher(ResourceType type, String namespace, LabelSelector labels, FieldSelector fields) {
    this.type = type;
    this.namespace = namespace == null || namespace.isEmpty() ? null : namespace;
    this.labels = labels;
    this.fields = fields;
  }

  ResourceType type() {
    return type;
  }

  void offer(Object eventOrBookmark) {
    queue.add(eventOrBookmark);
  }

  void close() {
    queue.add(CLOSE);
  }

  boolean isIdle() {
    return queue.isEmpty();
  }

  /**
   * Waits for the next item.
   *
   * @return an {@link Event}, a {@link Bookmark}, {@code null} on timeout, or the close marker
   *     ({@link #isClose})
   */
  Object poll(long millis) throws InterruptedException {
    return queue.poll(millis, TimeUnit.MILLISECONDS);
  }

  static boolean isClose(Object item) {
    return item == CLOSE;
  }

  /**
   * What this watcher sees of a stored event, as the real server filters: an object that starts
   * matching arrives as ADDED, one that stops matching as DELETED; null if neither state matches.
   */
  Event translate(Event e) {
    boolean now = matches(e.object());
    if (e.type().equals("DELETED")) {
      boolean before = e.previous() == null ? now : matches(e.previous());
      return before ? e : null;
    }
    if (e.previous() == null) {
      return now ? e : null;
    }
    boolean before = matches(e.previous());
    if (before && now) {
      return e;
    }
    if (now) {
      return new Event("ADDED", e.resourceVersion(), null, e.object());
    }
    return before ? new Event("DELETED", e.resourceVersion(), e.previous(), e.object()) : null;
  }

  private boolean matches(StoredObject object) {
    return object.matches(namespace, labels, fields);
  }
}
