package org.spireregistrar.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.kubernetes.testing.TestPki;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;
import org.spireregistrar.webhook.server.RequestListener;
import org.spireregistrar.webhook.server.ServerOptions;

/**
 * Measures webhook admission latency and throughput at a fixed offered rate over mTLS, against
 * {@link InMemorySpireServer} reached by {@link GrpcEntryStore} over a real Unix socket. Not a test
 * (surefire does not pick it up by name); run it with
 *
 * <pre>
 * mvn -B -pl registrar-webhook -am test -Dtest=AdmissionLatencyMeasurement \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Drate=500 -Dseconds=10]
 * </pre>
 *
 * <p>Open loop: a request is sent every 1/rate seconds whether or not earlier ones have been
 * answered, alternating a pod CREATE and the DELETE of that pod. Reported: the latency the client
 * sees; server-side, from the request's arrival (Jetty's begin time) to its answer being ready
 * ({@link RequestListener}); the SPIRE calls within it (timed around the {@link EntryStore}); and
 * the server-side time without SPIRE, the figure product §6 bounds (p99 ≤ 5 ms).
 */
class AdmissionLatencyMeasurement {
  static {
    // One INFO line per created or deleted entry would measure the console, not the webhook.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
  }

  /** Times every store call, per handling thread (webhook admission is synchronous). */
  static final class TimingStore implements EntryStore {
    private final EntryStore delegate;
    private final ThreadLocal<long[]> spireNanos = ThreadLocal.withInitial(() -> new long[1]);

    TimingStore(EntryStore delegate) {
      this.delegate = delegate;
    }

    /** The SPIRE time spent on this thread since the last call. */
    long take() {
      long[] n = spireNanos.get();
      long v = n[0];
      n[0] = 0;
      return v;
    }

    private <T> T timed(java.util.function.Supplier<T> call) {
      long t = System.nanoTime();
      try {
        return call.get();
      } finally {
        spireNanos.get()[0] += System.nanoTime() - t;
      }
    }

    @Override
    public List<Entry> list(EntryFilter filter) {
      return timed(() -> delegate.list(filter));
    }

    @Override
    public List<EntryResult> create(List<EntrySpec> specs) {
      return timed(() -> delegate.create(specs));
    }

    @Override
    public List<EntryResult> update(List<Entry> entries) {
      return timed(() -> delegate.update(entries));
    }

    @Override
    public List<EntryResult> delete(List<EntryId> ids) {
      return timed(() -> delegate.delete(ids));
    }
  }

  /** Server-side timings: arrival to answer, and the SPIRE share of it. */
  static final class ServerTimes implements RequestListener {
    final TimingStore store;
    final ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();

    ServerTimes(TimingStore store) {
      this.store = store;
    }

    @Override
    public void answered(String path, int status, long nanos) {
      samples.add(new long[] {nanos, store.take()});
    }
  }

  /** Runs the measurement outside Maven (same system properties). */
  public static void main(String[] args) throws Exception {
    new AdmissionLatencyMeasurement().measure();
    System.exit(0); // the HTTP client's selector thread is not a daemon
  }

  record Sample(String key, long totalNanos, int status) {}

  @Test
  void measure() throws Exception {
    int rate = Integer.getInteger("rate", 500);
    int seconds = Integer.getInteger("seconds", 10);
    int warmupSeconds = Integer.getInteger("warmup", 3);

    Path dir = Files.createTempDirectory("latency");
    TestPki pki = TestPki.create("latency CA");
    pki.localServer("server").writeTo(dir, "cert.pem", "key.pem");
    pki.writeCa(dir, "cacert.pem");
    TestPki.Issued client = pki.client("api-server");

    try (InMemorySpireServer spire =
            InMemorySpireServer.builder()
                .trustDomain(Reviews.TRUST_DOMAIN)
                .socketPath(dir.resolve("api.sock"))
                .start();
        GrpcEntryStore grpc =
            GrpcEntryStore.connect(
                "unix://" + dir.resolve("api.sock"), "", GrpcEntryStore.Options.DEFAULTS)) {
      TimingStore store = new TimingStore(grpc);
      ServerTimes server = new ServerTimes(store);
      WebhookConfig webhook =
          new WebhookConfig(
              "127.0.0.1:0",
              dir.resolve("cert.pem").toString(),
              dir.resolve("key.pem").toString(),
              dir.resolve("cacert.pem").toString(),
              false);
      try (WebhookMode mode =
          new WebhookMode(
              Reviews.config("", "", webhook),
              store,
              Clock.systemUTC(),
              ServerOptions.DEFAULTS,
              server)) {
        mode.start();
        ExecutorService clientThreads = Executors.newFixedThreadPool(4);
        HttpClient http =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(client.clientContext(pki.caCertificate()))
                .executor(clientThreads)
                .build();
        URI uri = URI.create("https://localhost:" + mode.address().getPort() + "/validate");

        run(http, uri, rate, warmupSeconds, "warmup");
        server.samples.clear();
        List<Sample> samples = run(http, uri, rate, seconds, "measured");
        report(samples, new ArrayList<>(server.samples), rate, seconds);
        clientThreads.shutdownNow();
        System.out.printf(Locale.ROOT, "entries left in SPIRE: %d%n", spire.entryCount());
        assertThat(samples).allMatch(s -> s.status() == 200);
      }
    }
  }

  private static List<Sample> run(HttpClient http, URI uri, int rate, int seconds, String phase)
      throws Exception {
    int total = rate * seconds;
    long periodNanos = 1_000_000_000L / rate;
    ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<?>> inFlight = new ArrayList<>(total);
    AtomicInteger sent = new AtomicInteger();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    CompletableFuture<Void> allSent = new CompletableFuture<>();
    long start = System.nanoTime();
    ticker.scheduleAtFixedRate(
        () -> {
          int i = sent.getAndIncrement();
          if (i >= total) {
            allSent.complete(null);
            return;
          }
          String op = i % 2 == 0 ? "CREATE" : "DELETE";
          String pod = phase + "-" + (i / 2);
          ObjectNode review =
              Reviews.podReview("admission.k8s.io/v1", "u" + i, op, Reviews.pod("bench", pod));
          HttpRequest req =
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(Reviews.bytes(review)))
                  .build();
          long t0 = System.nanoTime();
          CompletableFuture<?> f =
              http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                  .whenComplete(
                      (resp, err) -> {
                        if (err != null) {
                          System.out.println("  failed: " + op + " " + pod + ": " + err);
                        }
                        samples.add(
                            new Sample(
                                op + " " + pod,
                                System.nanoTime() - t0,
                                err == null ? resp.statusCode() : -1));
                      });
          synchronized (inFlight) {
            inFlight.add(f);
          }
        },
        0,
        periodNanos,
        TimeUnit.NANOSECONDS);
    allSent.get(seconds + 30L, TimeUnit.SECONDS);
    ticker.shutdown();
    synchronized (inFlight) {
      CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0]))
          .handle((v, e) -> null)
          .get(30, TimeUnit.SECONDS);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s: %d requests in %.2f s (%.0f req/s)%n",
        phase,
        total,
        elapsed,
        total / elapsed);
    return new ArrayList<>(samples);
  }

  private static void report(List<Sample> samples, List<long[]> server, int rate, int seconds) {
    long[] total = samples.stream().mapToLong(Sample::totalNanos).sorted().toArray();
    long[] serverTotal = server.stream().mapToLong(t -> t[0]).sorted().toArray();
    long[] spire = server.stream().mapToLong(t -> t[1]).sorted().toArray();
    long[] serverOwn = server.stream().mapToLong(t -> t[0] - t[1]).sorted().toArray();
    long errors = samples.stream().filter(s -> s.status() != 200).count();
    samples.stream()
        .filter(s -> s.status() != 200)
        .limit(5)
        .forEach(s -> System.out.println("  not 200: " + s));
    System.out.printf(
        Locale.ROOT,
        "%nAdmission over mTLS, %d req/s offered for %d s, %d answered, %d not 200%n",
        rate,
        seconds,
        samples.size(),
        errors);
    line("client-observed", total);
    line("server: arrival to answer", serverTotal);
    line("server: SPIRE calls (UDS)", spire);
    line("server: without SPIRE", serverOwn);
  }

  private static void line(String name, long[] sorted) {
    System.out.printf(
        Locale.ROOT,
        "  %-26s p50 %6.2f ms   p99 %6.2f ms   max %7.2f ms%n",
        name,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(i, sorted.length - 1))] / 1e6;
  }
}
