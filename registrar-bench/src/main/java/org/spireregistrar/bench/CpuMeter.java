package org.spireregistrar.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time of the registrar side of a run: the threads whose names start with one of {@link
 * #PREFIXES} (the strategy's own threads, its gRPC client transport and the event feed). The
 * in-memory SPIRE server's threads ({@code in-memory-spire-*}, {@code grpc-default-executor-*}) and
 * the JVM's GC and JIT threads are not counted.
 */
final class CpuMeter {
  /** Registrar-side thread name prefixes. */
  static final List<String> PREFIXES = List.of("registrar-sync", "spire-uds", "bench-");

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Map<Long, Long> start = new HashMap<>();
  private final AtomicLong finished = new AtomicLong();

  private CpuMeter() {}

  /** Starts measuring now. */
  static CpuMeter start() {
    CpuMeter m = new CpuMeter();
    m.start.putAll(snapshot());
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

  private static Map<Long, Long> snapshot() {
    Map<Long, Long> out = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && counted(info.getThreadName())) {
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          out.put(info.getThreadId(), cpu);
        }
      }
    }
    return out;
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
