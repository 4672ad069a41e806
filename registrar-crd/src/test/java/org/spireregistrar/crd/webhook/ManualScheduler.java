package org.spireregistrar.crd.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A clock and a scheduler that move only when the test says: {@link #advance} moves the time and
 * runs, on the caller's thread and in time order, every task that has come due (including tasks
 * those tasks schedule).
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

  /** The clock the scheduler's time is read from. */
  final MutableClock clock;

  private final List<Task<?>> queue = new ArrayList<>();
  private long sequence;
  private boolean shutdown;

  ManualScheduler(Instant start) {
    this.clock = new MutableClock(start);
  }

  /** Moves the time forward by {@code d}, running every task due on the way. */
  void advance(Duration d) {
    Instant end = clock.instant().plus(d);
    while (true) {
      Task<?> next;
      synchronized (this) {
        next =
            queue.stream()
                .filter(t -> !t.isDone() && !t.due.isAfter(end))
                .min(Comparator.comparing((Task<?> t) -> t.due).thenComparing(t -> t.seq))
                .orElse(null);
        if (next == null) {
          break;
        }
        queue.remove(next);
        if (next.due.isAfter(clock.instant())) {
          clock.set(next.due);
        }
      }
      next.run();
      if (!next.isCancelled()) {
        try {
          next.get();
        } catch (ExecutionException e) {
          throw new AssertionError("a scheduled task failed", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
    clock.set(end);
  }

  /** Moves the time to {@code when} (not backwards), running every task due on the way. */
  void advanceTo(Instant when) {
    Duration d = Duration.between(clock.instant(), when);
    advance(d.isNegative() ? Duration.ZERO : d);
  }

  /** Tasks scheduled and neither run nor cancelled. */
  synchronized int pending() {
    return (int) queue.stream().filter(t -> !t.isDone()).count();
  }

  /** When the earliest pending task is due. */
  synchronized Instant nextDue() {
    return queue.stream()
        .filter(t -> !t.isDone())
        .map(t -> t.due)
        .min(Comparator.naturalOrder())
        .orElseThrow();
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(
        new Task<>(
            () -> {
              command.run();
              return null;
            },
            delay,
            unit));
  }

  @Override
  public synchronized <V> ScheduledFuture<V> schedule(
      Callable<V> callable, long delay, TimeUnit unit) {
    return add(new Task<>(callable, delay, unit));
  }

  private <V> Task<V> add(Task<V> task) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    queue.add(task);
    return task;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(queue);
    queue.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    final Instant due;
    final long seq;

    Task(Callable<V> callable, long delay, TimeUnit unit) {
      super(callable);
      this.due = clock.instant().plusNanos(unit.toNanos(delay));
      this.seq = sequence++;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), due).toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
