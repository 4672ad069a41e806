package org.spireregistrar.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.core.entry.Fixtures.id;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;

/**
 * Random inputs mixing owned and foreign entries; product §7 "never touches what it does not own".
 */
class EntryDiffPropertyTest {
  private static final SpiffeId ROOT = id("spiffe://example.org/spire-k8s-registrar/prod/node");
  private static final Predicate<Entry> OWNED = Ownership.underRoot(ROOT);

  /** Parents and IDs no reconcile registrar with {@link #ROOT} owns, look-alikes included. */
  private static final List<String> FOREIGN_PARENTS =
      List.of(
          "spiffe://example.org/spire-k8s-registrar/prod/nodeX/n1",
          "spiffe://example.org/spire-k8s-registrar/prod/node2",
          "spiffe://example.org/spire-k8s-registrar/dev/node/n1",
          "spiffe://example.org/spire-k8s-registrar/prod",
          "spiffe://example.org/other/spire-k8s-registrar/prod/node/n1",
          "spiffe://other.org/spire-k8s-registrar/prod/node/n1",
          "spiffe://example.org.evil/spire-k8s-registrar/prod/node/n1",
          "spiffe://example.org/spire/server",
          "spiffe://example.org/k8s-workload-registrar/prod/node");

  static Stream<Long> seeds() {
    return IntStream.range(0, 60).mapToObj(i -> 1000L + i * 7919L);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void foreignEntriesNeverAppearInUpdatesOrDeletes(long seed) {
    Random random = new Random(seed);
    List<EntrySpec> desired = new ArrayList<>();
    List<Entry> actual = new ArrayList<>();
    Set<EntryId> foreign = new HashSet<>();
    int objects = 5 + random.nextInt(40);
    for (int i = 0; i < objects; i++) {
      List<Selector> selectors = podSelectors(random);
      if (random.nextInt(4) > 0) {
        desired.add(ownedSpec(random, selectors));
      }
      int copies = random.nextInt(4);
      for (int c = 0; c < copies; c++) {
        EntryId entryId = new EntryId(Long.toHexString(random.nextLong()));
        if (random.nextBoolean()) {
          actual.add(Entry.of(entryId, foreignSpec(random, selectors)));
          foreign.add(entryId);
        } else {
          actual.add(Entry.of(entryId, ownedSpec(random, selectors)));
        }
      }
    }

    EntryDiff.Result result = EntryDiff.between(desired, actual, OWNED);

    assertThat(result.updates()).extracting(Entry::id).doesNotContainAnyElementsOf(foreign);
    assertThat(result.deletes()).doesNotContainAnyElementsOf(foreign);
    assertConverges(desired, actual, result);
  }

  /** Applying the writes leaves exactly the desired specs among the owned entries. */
  private static void assertConverges(
      List<EntrySpec> desired, List<Entry> actual, EntryDiff.Result result) {
    Map<EntryId, EntrySpec> owned = new HashMap<>();
    for (Entry e : actual) {
      if (OWNED.test(e)) {
        owned.put(e.id(), e.spec());
      }
    }
    Set<EntryId> touched = new HashSet<>();
    for (EntryId id : result.deletes()) {
      assertThat(touched.add(id)).as("entry %s written twice", id).isTrue();
      owned.remove(id);
    }
    for (Entry e : result.updates()) {
      assertThat(touched.add(e.id())).as("entry %s written twice", e.id()).isTrue();
      owned.put(e.id(), e.spec());
    }
    List<EntrySpec> after = new ArrayList<>(owned.values());
    after.addAll(result.creates());
    after.sort(EntrySpecs.PLAN_ORDER);
    List<EntrySpec> want = new ArrayList<>(new LinkedHashSet<>(desired));
    want.sort(EntrySpecs.PLAN_ORDER);
    assertThat(after).isEqualTo(want);
  }

  private static List<Selector> podSelectors(Random random) {
    return Fixtures.selectors(
        "k8s:ns:ns" + random.nextInt(3), "k8s:pod-name:p" + random.nextInt(1_000_000));
  }

  private static EntrySpec ownedSpec(Random random, List<Selector> selectors) {
    SpiffeId parent = ROOT.append("n" + random.nextInt(3));
    SpiffeId spiffeId = id("spiffe://example.org/w" + random.nextInt(3));
    List<String> dns = random.nextBoolean() ? List.of() : List.of("d" + random.nextInt(2) + ".ex");
    return new EntrySpec(spiffeId, parent, selectors, dns, List.of(), false);
  }

  private static EntrySpec foreignSpec(Random random, List<Selector> selectors) {
    SpiffeId parent = id(FOREIGN_PARENTS.get(random.nextInt(FOREIGN_PARENTS.size())));
    SpiffeId spiffeId =
        random.nextBoolean()
            ? id("spiffe://example.org/w" + random.nextInt(3))
            : id(FOREIGN_PARENTS.get(random.nextInt(FOREIGN_PARENTS.size())) + "/x");
    return EntrySpec.of(spiffeId, parent, selectors);
  }
}
