package org.spireregistrar.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.kubernetes.testing.TestPki;
import org.spireregistrar.webhook.RawHttps;

/**
 * Measures what an authenticated client sees while a connection flood runs against an {@link
 * AdmissionServer} with {@link ServerOptions#DEFAULTS}: a flood thread holds {@code -Dflood=5000}
 * TCP connections that never send a byte, closing its oldest and opening a new one in a loop as
 * fast as it can, while the client makes mTLS requests, each on a new connection (full handshake)
 * or on one kept alive. Not a test (surefire does not pick it up by name); run it with
 *
 * <pre>
 * mvn -B -o -pl registrar-webhook -am test -Dtest=ConnectionFloodMeasurement \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dflood=5000 -Dseconds=10]
 * </pre>
 */
class ConnectionFloodMeasurement {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
  }

  private static final TestPki PKI = TestPki.create("flood CA");
  private static final TestPki.Issued CLIENT = PKI.client("api-server");

  @TempDir Path dir;

  @Test
  void measure() throws Exception {
    int floodSize = Integer.getInteger("flood", 5000);
    Duration window = Duration.ofSeconds(Long.getLong("seconds", 10));
    PKI.localServer("server").writeTo(dir, "cert.pem", "key.pem");
    PKI.writeCa(dir, "cacert.pem");
    TlsFiles files =
        new TlsFiles(
            dir.resolve("cert.pem"),
            dir.resolve("key.pem"),
            Optional.of(dir.resolve("cacert.pem")));
    SSLContext ctx = CLIENT.clientContext(PKI.caCertificate());
    try (AdmissionServer server =
        AdmissionServer.start(
            "127.0.0.1:0",
            files,
            Map.of("/validate", body -> HttpReply.json(body)),
            ServerOptions.DEFAULTS,
            Clock.systemUTC())) {
      InetSocketAddress addr = server.address();
      // Warm up (JIT, TLS session machinery), then the baseline without a flood.
      measureFor(addr, ctx, Duration.ofSeconds(3), server, null);
      Result quiet = measureFor(addr, ctx, window, server, null);
      report("no flood", quiet, null);

      Flood flood = new Flood(addr, floodSize);
      Thread floodThread = new Thread(flood, "flood");
      floodThread.start();
      try {
        while (flood.opened.get() < floodSize) {
          LockSupport.parkNanos(1_000_000); // the client starts once the flood is at full size
        }
        Result during = measureFor(addr, ctx, window, server, flood);
        report("flood of " + floodSize + " held, churning", during, flood);
        assertThat(during.failures()).isZero();
      } finally {
        flood.stop.set(true);
        floodThread.join();
        flood.closeAll();
      }
    }
  }

  private record Result(
      long[] newConnectionNanos,
      long[] keptAliveNanos,
      int failures,
      int maxServerConnections,
      long maxProcessFds) {}

  private static Result measureFor(
      InetSocketAddress addr, SSLContext ctx, Duration window, AdmissionServer server, Flood flood)
      throws IOException {
    List<Long> fresh = new ArrayList<>();
    List<Long> kept = new ArrayList<>();
    int failures = 0;
    int maxConnections = 0;
    long maxFds = 0;
    long floodBefore = flood == null ? 0 : flood.opened.get();
    long end = System.nanoTime() + window.toNanos();
    RawHttps keptAlive = RawHttps.connect(addr, ctx);
    try {
      while (System.nanoTime() < end) {
        long t = System.nanoTime();
        try (RawHttps c = RawHttps.connect(addr, ctx)) {
          assertThat(c.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
              .isEqualTo(200);
          fresh.add(System.nanoTime() - t);
        } catch (IOException e) {
          failures++;
        }
        t = System.nanoTime();
        try {
          assertThat(
                  keptAlive
                      .send(RawHttps.post("/validate", "application/json", "{}"))
                      .read()
                      .status())
              .isEqualTo(200);
          kept.add(System.nanoTime() - t);
        } catch (IOException e) {
          failures++;
          keptAlive.close();
          keptAlive = RawHttps.connect(addr, ctx);
        }
        maxConnections = Math.max(maxConnections, server.openConnections());
        maxFds = Math.max(maxFds, openFds());
      }
    } finally {
      keptAlive.close();
    }
    if (flood != null) {
      flood.openedDuringWindow = flood.opened.get() - floodBefore;
      flood.windowSeconds = window.toMillis() / 1000.0;
    }
    return new Result(toArray(fresh), toArray(kept), failures, maxConnections, maxFds);
  }

  private static long[] toArray(List<Long> values) {
    long[] a = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    return a;
  }

  private static long openFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1;
    }
  }

  private static void report(String label, Result r, Flood flood) {
    System.out.printf(Locale.ROOT, "%n== %s ==%n", label);
    if (flood != null) {
      System.out.printf(
          Locale.ROOT,
          "flood: %d connections opened in the window (%.0f/s), %d connect failures%n",
          flood.openedDuringWindow,
          flood.openedDuringWindow / flood.windowSeconds,
          flood.connectFailures.get());
    }
    System.out.printf(
        Locale.ROOT,
        "server open connections (max seen) %d; process fds (max seen) %d; client failures %d%n",
        r.maxServerConnections(),
        r.maxProcessFds(),
        r.failures());
    line("new connection + mTLS handshake + request", r.newConnectionNanos());
    line("request on a kept-alive connection", r.keptAliveNanos());
  }

  private static void line(String what, long[] nanos) {
    if (nanos.length == 0) {
      System.out.printf(Locale.ROOT, "%-44s none completed%n", what);
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "%-44s n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n",
        what,
        nanos.length,
        ms(pct(nanos, 0.50)),
        ms(pct(nanos, 0.90)),
        ms(pct(nanos, 0.99)),
        ms(nanos[nanos.length - 1]));
  }

  private static long pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** Holds {@code size} silent connections, replacing the oldest with a new one in a loop. */
  private static final class Flood implements Runnable {
    private final InetSocketAddress addr;
    private final Socket[] ring;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong opened = new AtomicLong();
    final AtomicInteger connectFailures = new AtomicInteger();
    volatile long openedDuringWindow;
    volatile double windowSeconds;

    Flood(InetSocketAddress addr, int size) {
      this.addr = addr;
      this.ring = new Socket[size];
    }

    @Override
    public void run() {
      for (int i = 0; !stop.get(); i = (i + 1) % ring.length) {
        close(ring[i]);
        Socket s = new Socket();
        try {
          s.connect(new InetSocketAddress("127.0.0.1", addr.getPort()), 10_000);
          ring[i] = s;
          opened.incrementAndGet();
        } catch (IOException e) {
          connectFailures.incrementAndGet();
          close(s);
          ring[i] = null;
        }
      }
    }

    void closeAll() {
      for (Socket s : ring) {
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
