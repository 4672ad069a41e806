package org.spireregistrar.bench;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * controller-runtime's work queue as the original registrar used it: a key is queued at most once;
 * a key added while a worker processes it is queued again when the worker is done (so one key is
 * never processed by two workers at once, and no change is lost).
 */
final class WorkQueue<K> {
  private final LinkedHashSet<K> queue = new LinkedHashSet<>();
  private final Set<K> processing = new HashSet<>();
  private final Set<K> dirtyWhileProcessing = new HashSet<>();
  private boolean closed;

  synchronized void add(K key) {
    if (processing.contains(key)) {
      dirtyWhileProcessing.add(key);
      return;
    }
    queue.add(key);
    notifyAll();
  }

  /** The next key, now marked as processing; null once closed. */
  synchronized K take() throws InterruptedException {
    while (queue.isEmpty() && !closed) {
      wait();
    }
    if (closed) {
      return null;
    }
    Iterator<K> it = queue.iterator();
    K key = it.next();
    it.remove();
    processing.add(key);
    return key;
  }

  synchronized void done(K key) {
    processing.remove(key);
    if (dirtyWhileProcessing.remove(key)) {
      queue.add(key);
    }
    notifyAll();
  }

  synchronized boolean idle() {
    return queue.isEmpty() && processing.isEmpty();
  }

  synchronized void close() {
    closed = true;
    notifyAll();
  }
}
