package org.spireregistrar.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.core.entry.Fixtures.id;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryAttributes;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.TrustDomain;

class EntryDiffTest {
  private static final String ROOT = "spiffe://td/r/node";
  private static final Predicate<Entry> OWNED = Ownership.underRoot(id(ROOT));

  /** A pod-like spec: selectors from the pod name, parent a node under the root. */
  private static EntrySpec spec(String pod, String spiffePath) {
    return Fixtures.spec(
        "spiffe://td/" + spiffePath, ROOT + "/n1", "k8s:ns:default", "k8s:pod-name:" + pod);
  }

  private static final EntrySpec A = spec("a", "wa");
  private static final EntrySpec A_DNS = A.withDnsNames(List.of("a.example"));
  private static final EntrySpec A_OTHER_ID = spec("a", "other");
  private static final EntrySpec A_OTHER_PARENT = A.withParentId(id(ROOT + "/n2"));
  private static final EntrySpec A_FOREIGN = A.withParentId(id("spiffe://td/someone/else"));
  private static final EntrySpec B = spec("b", "wb");

  private static Entry e(String id, EntrySpec spec) {
    return Entry.of(new EntryId(id), spec);
  }

  record Case(
      String name,
      List<EntrySpec> desired,
      List<Entry> actual,
      List<EntrySpec> creates,
      List<Entry> updates,
      List<String> deletes,
      int unchanged) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "keeps the same federation in another order",
            List.of(
                A.withFederatesWith(List.of(new TrustDomain("b.org"), new TrustDomain("a.org")))),
            List.of(
                e(
                    "1",
                    A.withFederatesWith(
                        List.of(new TrustDomain("a.org"), new TrustDomain("b.org"))))),
            List.of(),
            List.of(),
            List.of(),
            1),
        new Case(
            "keeps the same federation in another order among several entries",
            List.of(
                A.withFederatesWith(List.of(new TrustDomain("b.org"), new TrustDomain("a.org"))),
                A_DNS),
            List.of(
                e(
                    "1",
                    A.withFederatesWith(
                        List.of(new TrustDomain("a.org"), new TrustDomain("b.org")))),
                e("2", A_DNS)),
            List.of(),
            List.of(),
            List.of(),
            2),
        new Case("nothing", List.of(), List.of(), List.of(), List.of(), List.of(), 0),
        new Case(
            "creates missing", List.of(A, B), List.of(), List.of(A, B), List.of(), List.of(), 0),
        new Case("keeps equal", List.of(A), List.of(e("1", A)), List.of(), List.of(), List.of(), 1),
        new Case(
            "updates changed dns names",
            List.of(A_DNS),
            List.of(e("1", A)),
            List.of(),
            List.of(e("1", A_DNS)),
            List.of(),
            0),
        new Case(
            "updates changed spiffe id",
            List.of(A_OTHER_ID),
            List.of(e("1", A)),
            List.of(),
            List.of(e("1", A_OTHER_ID)),
            List.of(),
            0),
        new Case(
            "updates changed parent",
            List.of(A_OTHER_PARENT),
            List.of(e("1", A)),
            List.of(),
            List.of(e("1", A_OTHER_PARENT)),
            List.of(),
            0),
        new Case(
            "updates changed federation",
            List.of(A.withFederatesWith(List.of(new TrustDomain("p.org")))),
            List.of(e("1", A)),
            List.of(),
            List.of(e("1", A.withFederatesWith(List.of(new TrustDomain("p.org"))))),
            List.of(),
            0),
        new Case(
            "updates changed downstream",
            List.of(downstream(A)),
            List.of(e("1", A)),
            List.of(),
            List.of(e("1", downstream(A))),
            List.of(),
            0),
        new Case(
            "deletes stale owned entries",
            List.of(A),
            List.of(e("1", A), e("2", B)),
            List.of(),
            List.of(),
            List.of("2"),
            1),
        new Case(
            "exact duplicates keep the smallest id",
            List.of(A),
            List.of(e("b2", A), e("a1", A), e("c3", A)),
            List.of(),
            List.of(),
            List.of("b2", "c3"),
            1),
        new Case(
            "an exact match wins over a smaller id",
            List.of(A),
            List.of(e("1", A_DNS), e("2", A)),
            List.of(),
            List.of(),
            List.of("1"),
            1),
        new Case(
            "without an exact match the smallest id is updated",
            List.of(A),
            List.of(e("2", A_OTHER_ID.withDnsNames(List.of("x.example"))), e("1", A_OTHER_ID)),
            List.of(),
            List.of(e("1", A)),
            List.of("2"),
            0),
        new Case(
            "same parent and spiffe id is preferred for the update",
            List.of(A_DNS),
            List.of(e("1", A_OTHER_ID), e("2", A)),
            List.of(),
            List.of(e("2", A_DNS)),
            List.of("1"),
            0),
        new Case(
            "two desired for one selector set: one update, one create",
            List.of(A, A_OTHER_ID),
            List.of(e("1", A_DNS)),
            List.of(A_OTHER_ID),
            List.of(e("1", A)),
            List.of(),
            0),
        new Case(
            "duplicate desired specs count once",
            List.of(A, A, B),
            List.of(e("1", A)),
            List.of(B),
            List.of(),
            List.of(),
            1),
        new Case(
            "unowned entry with the same selectors is untouched and the spec created",
            List.of(A),
            List.of(e("1", A_FOREIGN)),
            List.of(A),
            List.of(),
            List.of(),
            0),
        new Case(
            "unowned entry is never deleted",
            List.of(),
            List.of(
                e("1", A_FOREIGN),
                e("2", spec("x", "x").withParentId(id("spiffe://td/r/nodeX/n1")))),
            List.of(),
            List.of(),
            List.of(),
            0),
        new Case(
            "an id listed twice is handled once",
            List.of(A_DNS),
            List.of(e("1", A), e("1", A), e("2", A)),
            List.of(),
            List.of(e("1", A_DNS)),
            List.of("2"),
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void computesTheWrites(Case c) {
    EntryDiff.Result result = EntryDiff.between(c.desired(), c.actual(), OWNED);

    assertThat(result.creates()).isEqualTo(c.creates());
    assertThat(result.updates()).isEqualTo(c.updates());
    assertThat(result.deletes()).isEqualTo(c.deletes().stream().map(EntryId::new).toList());
    assertThat(result.unchanged()).isEqualTo(c.unchanged());
    assertThat(result.isEmpty()).isEqualTo(result.writes() == 0);
  }

  @Test
  void updatesKeepTheUnmanagedAttributes() {
    EntryAttributes attrs = new EntryAttributes(true, 3600, 300, 0, false, "hint", 7);
    Entry actual = new Entry(new EntryId("1"), A, attrs);

    EntryDiff.Result result = EntryDiff.between(List.of(A_DNS), List.of(actual), OWNED);

    assertThat(result.updates()).containsExactly(new Entry(new EntryId("1"), A_DNS, attrs));
  }

  @Test
  void unmanagedAttributesAloneAreNoChange() {
    Entry actual =
        new Entry(new EntryId("1"), A, new EntryAttributes(true, 60, 60, 1, true, "h", 3));

    assertThat(EntryDiff.between(List.of(A), List.of(actual), OWNED).isEmpty()).isTrue();
  }

  @Test
  void outputsAreSorted() {
    List<EntrySpec> desired = new ArrayList<>();
    List<Entry> actual = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      desired.add(spec("p" + i, "w" + (29 - i)));
      actual.add(e(String.format("%03d", 100 - i), spec("p" + (i + 10), "old" + i)));
      actual.add(e(String.format("%03d", 500 + i), spec("q" + i, "gone")));
    }

    EntryDiff.Result result = EntryDiff.between(desired, actual, OWNED);

    assertThat(result.creates()).isSortedAccordingTo(EntrySpecs.PLAN_ORDER).hasSize(10);
    assertThat(result.updates()).extracting(Entry::id).isSorted().hasSize(20);
    assertThat(result.deletes()).isSorted().hasSize(40);
  }

  @Test
  void isDeterministicUnderShuffledInput() {
    Random random = new Random(42);
    List<EntrySpec> desired = new ArrayList<>();
    List<Entry> actual = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String pod = "p" + random.nextInt(60);
      desired.add(spec(pod, "w" + random.nextInt(3)).withDnsNames(dns(random)));
      actual.add(e("id" + i, spec(pod, "w" + random.nextInt(3)).withDnsNames(dns(random))));
    }
    EntryDiff.Result expected = EntryDiff.between(desired, actual, OWNED);

    for (int round = 0; round < 20; round++) {
      Collections.shuffle(desired, random);
      Collections.shuffle(actual, random);
      assertThat(EntryDiff.between(desired, actual, OWNED)).isEqualTo(expected);
    }
  }

  private static List<String> dns(Random random) {
    return random.nextBoolean() ? List.of() : List.of("n" + random.nextInt(2) + ".example");
  }

  private static EntrySpec downstream(EntrySpec s) {
    return new EntrySpec(
        s.spiffeId(), s.parentId(), s.selectors(), s.dnsNames(), s.federatesWith(), true);
  }
}
