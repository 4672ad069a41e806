package org.spireregistrar.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * CPU time of the registrar side of a run. With {@code --source memory}: the threads whose names
 * start with one of {@link #PREFIXES} (the strategy's own threads, its gRPC client transport and
 * the event feed). With {@code --source api}: every thread but those of the other side ({@link
 * #NOT_REGISTRAR}: the API server stand-in, the SPIRE server, the churn driver) and the JVM's own,
 * so that the Kubernetes client's threads (informers, OkHttp) count, whatever they are named. The
 * JVM's GC and JIT threads are never counted.
 */
final class CpuMeter {
  /** Registrar-side thread name prefixes. */
  static final List<String> PREFIXES = List.of("registrar-", "spire-uds", "bench-");

  /** With {@code --source api}: thread name prefixes that are not the registrar side. */
  static final List<String> NOT_REGISTRAR =
      List.of(
          "k8s-api-stand-in",
          "HTTP-Dispatcher",
          "server-timer",
          "in-memory-spire",
          "grpc-default-executor",
          "cluster-churn",
          "HttpClient-",
          "main",
          "C1 CompilerThread",
          "C2 CompilerThread",
          "Reference Handler",
          "Finalizer",
          "Signal Dispatcher",
          "Common-Cleaner",
          "Notification Thread",
          "Attach Listener",
          "Service Thread",
          "Monitor Deflation Thread",
          "Sweeper thread",
          "process reaper",
          "JFR ");

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Predicate<String> counted;
  private final Map<Long, Long> start = new HashMap<>();
  private final AtomicLong finished = new AtomicLong();

  private CpuMeter(Predicate<String> counted) {
    this.counted = counted;
  }

  /** Starts measuring now, for a run from {@code source}. */
  static CpuMeter start(Source source) {
    return start(source == Source.API ? CpuMeter::countedWithApi : CpuMeter::counted);
  }

  private static CpuMeter start(Predicate<String> counted) {
    CpuMeter m = new CpuMeter(counted);
    m.start.putAll(m.snapshot());
    return m;
  }

  /**
   * Adds the CPU time of a registrar-side thread that is about to end (its time would otherwise be
   * lost): call on that thread, last thing.
   */
  void threadEnding() {
    long id = Thread.currentThread().getId();
    long now = THREADS.getCurrentThreadCpuTime();
    Long before = start.get(id);
    finished.addAndGet(now - (before == null ? 0 : before));
  }

  /** CPU nanoseconds used by registrar-side threads since {@link #start()}. */
  long elapsedNanos() {
    long total = finished.get();
    for (var e : snapshot().entrySet()) {
      Long before = start.get(e.getKey());
      total += e.getValue() - (before == null ? 0 : before);
    }
    return total;
  }

  private Map<Long, Long> snapshot() {
    Map<Long, Long> out = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && counted.test(info.getThreadName())) {
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          out.put(info.getThreadId(), cpu);
        }
      }
    }
    return out;
  }

  /** With {@code --source api}: any thread not named in {@link #NOT_REGISTRAR}. */
  static boolean countedWithApi(String threadName) {
    for (String p : NOT_REGISTRAR) {
      if (threadName.startsWith(p)) {
        return false;
      }
    }
    return true;
  }

  static boolean counted(String threadName) {
    for (String p : PREFIXES) {
      if (threadName.startsWith(p)) {
        return true;
      }
    }
    return false;
  }
}
