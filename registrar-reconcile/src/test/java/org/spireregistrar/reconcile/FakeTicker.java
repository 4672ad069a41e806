package org.spireregistrar.reconcile;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that stands still until a test {@link #advance advances} it; waits for a
 * deadline last until then (or until the waiter is notified as usual).
 */
final class FakeTicker implements Ticker {
  // Far from 0, so that "0 = never" readings are not confused with the start.
  private final AtomicLong now = new AtomicLong(Duration.ofDays(1).toNanos());
  private final Set<Object> monitors = ConcurrentHashMap.newKeySet();

  @Override
  public long nanoTime() {
    return now.get();
  }

  @Override
  public void awaitUntil(Object monitor, long deadline) throws InterruptedException {
    // Registered before reading the time: an advance either is seen here or notifies the monitor
    // (which it can only lock once this thread waits), so no wake-up is lost.
    monitors.add(monitor);
    if (now.get() - deadline < 0) {
      monitor.wait();
    }
  }

  /** Moves the time forward and wakes every waiter, which then re-checks its deadline. */
  void advance(Duration d) {
    now.addAndGet(d.toNanos());
    for (Object m : monitors) {
      synchronized (m) {
        m.notifyAll();
      }
    }
  }
}
