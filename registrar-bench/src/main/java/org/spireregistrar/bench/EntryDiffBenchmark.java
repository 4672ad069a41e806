package org.spireregistrar.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.entry.EntryDiff;
import org.spireregistrar.core.entry.Ownership;

/**
 * {@link EntryDiff#between} at reconcile-mode scale: {@code size} desired pod entries against
 * {@code size} entries listed from SPIRE, of which 90% are equal, 5% changed (a DNS name differs)
 * and 5% stale (a deleted pod), so 5% of the desired entries are new. The bar is 50 ms at 100,000.
 *
 * <p>The data is shaped like production: desired specs share the builder's trust domain and are in
 * pod order; actual entries carry IDs parsed separately per entry (as the SPIRE adapter does) and
 * arrive in entry-ID order, unrelated to pod order ({@link #listOrder}). The diff is bound by
 * memory latency at this size, so results depend on the machine's memory system more than on its
 * clock. Run with {@code java -cp <classpath> org.openjdk.jmh.Main EntryDiffBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class EntryDiffBenchmark {

  /** Number of desired entries, and of actual entries. */
  @Param({"100000"})
  public int size;

  /**
   * The order SPIRE lists (and the client allocates) the actual entries in: {@code entry-id}, as
   * SPIRE does, unrelated to pod order (the realistic case); or {@code pod}, the same order as the
   * desired specs (a best case that shows how much of the cost is memory latency).
   */
  @Param({"entry-id", "pod"})
  public String listOrder;

  private List<EntrySpec> desired;
  private List<Entry> actual;
  private Predicate<Entry> owned;

  /** Builds the inputs once per trial. */
  @Setup
  public void setUp() {
    TrustDomain td = new TrustDomain("example.org");
    SpiffeId root = SpiffeId.of(td, "spire-k8s-registrar", "prod", "node");
    owned = Ownership.underRoot(root);

    desired = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      desired.add(podSpec(root, i, false));
    }

    int equal = size * 90 / 100;
    int changed = size * 5 / 100;
    Random random = new Random(20_260_127L);
    List<Entry> listed = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      EntrySpec spec;
      if (i < equal) {
        spec = reparsed(podSpec(root, i, false));
      } else if (i < equal + changed) {
        spec = reparsed(podSpec(root, i, true));
      } else {
        spec = reparsed(podSpec(root, size + i, false)); // a pod that no longer exists
      }
      listed.add(
          Entry.of(new EntryId(new UUID(random.nextLong(), random.nextLong()).toString()), spec));
    }
    // Allocate the listed entries in list order, as a client decoding a ListEntries page would.
    if (listOrder.equals("entry-id")) {
      listed.sort(Comparator.comparing(Entry::id));
    }
    actual = new ArrayList<>(size);
    for (Entry e : listed) {
      actual.add(Entry.of(new EntryId(new String(e.id().value())), reparsed(e.spec())));
    }
  }

  /** One full diff. */
  @Benchmark
  public void diff(Blackhole bh) {
    EntryDiff.Result result = EntryDiff.between(desired, actual, owned);
    bh.consume(result);
  }

  private static EntrySpec podSpec(SpiffeId root, int i, boolean changed) {
    String ns = "ns-" + (i % 50);
    String pod = "app-" + (i % 500) + "-" + Integer.toString(i, 36);
    String ip = "10-" + (i >> 16 & 255) + "-" + (i >> 8 & 255) + "-" + (i & 255);
    return new EntrySpec(
        root.trustDomain().id().append("ns", ns, "sa", "sa-" + (i % 500)),
        root.append("node-" + (i % 100)),
        List.of(Selector.k8s("ns:" + ns), Selector.k8s("pod-name:" + pod)),
        List.of(
            ip + "." + ns + ".pod.cluster.local",
            ip + "." + ns + ".pod",
            changed ? "stale.example" : pod + ".svc." + ns),
        List.of(),
        false);
  }

  /** The same spec rebuilt from strings, as the SPIRE adapter produces it (no shared objects). */
  private static EntrySpec reparsed(EntrySpec s) {
    List<Selector> selectors = new ArrayList<>();
    for (Selector sel : s.selectors()) {
      selectors.add(Selector.parse(new String(sel.toString())));
    }
    List<String> dns = new ArrayList<>();
    for (String n : s.dnsNames()) {
      dns.add(new String(n));
    }
    return new EntrySpec(
        SpiffeId.parse(s.spiffeId().toString()),
        SpiffeId.parse(s.parentId().toString()),
        selectors,
        dns,
        List.of(),
        s.downstream());
  }
}
