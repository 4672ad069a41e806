package org.spireregistrar.kubernetes;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Measures probe latency on a {@link HealthServer} with {@link HealthServer.Options#DEFAULTS} while
 * {@code -Dslow=50} clients hold connections with part of a request's headers sent (reconnecting as
 * the server closes them at the header timeout). Each probe is what the kubelet does: a new
 * connection, {@code GET /healthz}, {@code /readyz} or {@code /metrics}, read to the end. Not a
 * test (surefire does not pick it up by name); run it with
 *
 * <pre>
 * mvn -B -o -pl registrar-kubernetes -am test -Dtest=HealthProbeMeasurement \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dslow=50 -Dseconds=10]
 * </pre>
 */
class HealthProbeMeasurement {

  @Test
  void measure() throws Exception {
    int slowCount = Integer.getInteger("slow", 50);
    Duration window = Duration.ofSeconds(Long.getLong("seconds", 10));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (HealthServer server =
        HealthServer.start("127.0.0.1:0", registry, Optional::empty).orElseThrow()) {
      InetSocketAddress addr = server.address();
      probeFor(addr, Duration.ofSeconds(2)); // warm-up
      report("no slow clients", probeFor(addr, window));

      SlowClients slow = new SlowClients(addr, slowCount);
      Thread slowThread = new Thread(slow, "slow-clients");
      slowThread.start();
      try {
        while (slow.connected.get() < slowCount) {
          LockSupport.parkNanos(1_000_000);
        }
        report(slowCount + " slow clients connected", probeFor(addr, window));
        System.out.printf(
            Locale.ROOT,
            "slow clients: %d connections made, %d closed by the server%n",
            slow.connected.get(),
            slow.closedByServer.get());
      } finally {
        slow.stop.set(true);
        slowThread.join();
        slow.closeAll();
      }
    }
  }

  private record Probes(long[] nanos, int failures) {}

  private static Probes probeFor(InetSocketAddress addr, Duration window) {
    List<Long> nanos = new ArrayList<>();
    int failures = 0;
    String[] paths = {"/healthz", "/readyz", "/metrics"};
    long end = System.nanoTime() + window.toNanos();
    for (int i = 0; System.nanoTime() < end; i++) {
      long t = System.nanoTime();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", addr.getPort()), 10_000);
        s.setSoTimeout(10_000);
        s.getOutputStream()
            .write(
                ("GET " + paths[i % 3] + " HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!reply.startsWith("HTTP/1.1 200 ")) {
          failures++;
          continue;
        }
        nanos.add(System.nanoTime() - t);
      } catch (IOException e) {
        failures++;
      }
    }
    return new Probes(nanos.stream().mapToLong(Long::longValue).sorted().toArray(), failures);
  }

  private static void report(String label, Probes p) {
    long[] n = p.nanos();
    System.out.printf(
        Locale.ROOT,
        "%n== %s ==%nprobes n=%d failures=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n",
        label,
        n.length,
        p.failures(),
        pct(n, 0.50) / 1e6,
        pct(n, 0.90) / 1e6,
        pct(n, 0.99) / 1e6,
        n.length == 0 ? 0 : n[n.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0
        ? 0
        : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** Keeps {@code count} connections open with partial headers, replacing closed ones. */
  private static final class SlowClients implements Runnable {
    private final InetSocketAddress addr;
    private final Socket[] sockets;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong connected = new AtomicLong();
    final AtomicLong closedByServer = new AtomicLong();

    SlowClients(InetSocketAddress addr, int count) {
      this.addr = addr;
      this.sockets = new Socket[count];
    }

    @Override
    public void run() {
      while (!stop.get()) {
        for (int i = 0; i < sockets.length; i++) {
          if (sockets[i] != null && !closed(sockets[i])) {
            continue;
          }
          if (sockets[i] != null) {
            closedByServer.incrementAndGet();
            close(sockets[i]);
          }
          sockets[i] = open();
        }
        LockSupport.parkNanos(10_000_000);
      }
    }

    private Socket open() {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress("127.0.0.1", addr.getPort()), 10_000);
        s.getOutputStream()
            .write(
                "GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
        connected.incrementAndGet();
        return s;
      } catch (IOException e) {
        close(s);
        return null;
      }
    }

    private static boolean closed(Socket s) {
      try {
        s.setSoTimeout(1);
        InputStream in = s.getInputStream();
        return in.read() < 0;
      } catch (java.net.SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }

    void closeAll() {
      for (Socket s : sockets) {
        close(s);
      }
    }

    private static void close(Socket s) {
      if (s == null) {
        return;
      }
      try {
        s.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
