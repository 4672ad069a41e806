package org.spireregistrar.spire.testing;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** Runs one unary RPC of the in-memory server: counts it, injects faults, maps exceptions. */
final class RpcGuard {

  private final Faults faults;
  private final Counters counters;

  /** The datastore: one RPC's per-entry work at a time, first come first served. */
  private final ReentrantLock datastore = new ReentrantLock(true);

  RpcGuard(Faults faults, Counters counters) {
    this.faults = faults;
    this.counters = counters;
  }

  Counters counters() {
    return counters;
  }

  Faults faults() {
    return faults;
  }

  <T> void unary(String method, StreamObserver<T> observer, Supplier<T> body) {
    counters.rpc(method);
    T response;
    try {
      Duration latency = faults.latency();
      if (!latency.isZero() && cancelledWithin(latency)) {
        return; // the client gave up (deadline) or the server is stopping: nobody to answer
      }
      if (faults.rpcUnavailable(method)) {
        throw Status.UNAVAILABLE
            .withDescription("in-memory SPIRE server is unavailable (injected fault)")
            .asRuntimeException();
      }
      response = body.get();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      observer.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
      return;
    } catch (RuntimeException e) {
      observer.onError(
          Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException());
      return;
    }
    if (Context.current().isCancelled()) {
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  /**
   * The datastore's work for {@code entries} entries ({@link Faults#costPerEntry}): waits for the
   * datastore, then holds it for {@code entries × cost}. Called inside an RPC's body.
   */
  void datastoreWork(int entries) {
    Duration cost = faults.costPerEntry();
    if (cost.isZero() || entries <= 0) {
      return;
    }
    long nanos = cost.toNanos() * entries;
    datastore.lock();
    try {
      counters.datastoreWork(nanos);
      long end = System.nanoTime() + nanos;
      for (long left = nanos; left > 0; left = end - System.nanoTime()) {
        LockSupport.parkNanos(left);
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } finally {
      datastore.unlock();
    }
  }

  /** Waits {@code period}; true (early) when the call is cancelled meanwhile. */
  private static boolean cancelledWithin(Duration period) throws InterruptedException {
    Context context = Context.current();
    CountDownLatch cancelled = new CountDownLatch(1);
    Context.CancellationListener listener = c -> cancelled.countDown();
    context.addListener(listener, Runnable::run);
    try {
      return cancelled.await(period.toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      context.removeListener(listener);
    }
  }

  static StatusRuntimeException invalidArgument(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }
}
