package org.spireregistrar.reconcile;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Monotonic time in nanoseconds, and waiting for it: the single time source of the sync loop's
 * resync, backoff and retry deadlines. {@link #SYSTEM} is {@link System#nanoTime()} with timed
 * {@link Object#wait(long)}; tests substitute a ticker they advance by hand, so that timing
 * behaviour is driven rather than waited for.
 */
public interface Ticker {

  /** {@link System#nanoTime()}, waiting in real time. */
  Ticker SYSTEM = of(System::nanoTime);

  /** The current reading in nanoseconds; only differences between readings are meaningful. */
  long nanoTime();

  /**
   * Waits on {@code monitor}, whose lock the caller holds, until it is notified, the thread is
   * interrupted, or this ticker reads {@code deadline} or later. May return early (like {@link
   * Object#wait()}): callers re-check their condition in a loop.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  void awaitUntil(Object monitor, long deadline) throws InterruptedException;

  /** A ticker reading {@code nanoClock}, which must advance with real time, as it waits in it. */
  static Ticker of(LongSupplier nanoClock) {
    Objects.requireNonNull(nanoClock, "nanoClock");
    return new Ticker() {
      @Override
      public long nanoTime() {
        return nanoClock.getAsLong();
      }

      @Override
      public void awaitUntil(Object monitor, long deadline) throws InterruptedException {
        long left = deadline - nanoClock.getAsLong();
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedWait(monitor, left);
        }
      }
    };
  }
}
