package org.spireregistrar.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.core.entry.Fixtures.id;
import static org.spireregistrar.core.entry.Fixtures.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.TrustDomain;

class EntrySpecsTest {

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource(
      textBlock =
          """
          spiffe://a/x,        spiffe://a.b
          spiffe://a.b/x,      spiffe://a/x
          spiffe://td/a,       spiffe://td/a/b
          spiffe://td/a-b,     spiffe://td/a/b
          spiffe://td/A,       spiffe://td/a
          """)
  void idsCompareLikeTheirStrings(String a, String b) {
    int expected = Integer.signum(a.compareTo(b));

    assertThat(Integer.signum(EntrySpecs.compareIds(id(a), id(b)))).isEqualTo(expected);
    assertThat(Integer.signum(EntrySpecs.compareIds(id(b), id(a)))).isEqualTo(-expected);
  }

  @Test
  void planOrderIsSpiffeIdThenParentThenSelectorsThenTheRest() {
    EntrySpec base = spec("spiffe://td/b", "spiffe://td/p", "k8s:ns:a");
    List<EntrySpec> ordered =
        List.of(
            spec("spiffe://td/a", "spiffe://td/z", "k8s:ns:z"),
            spec("spiffe://td/b", "spiffe://td/a", "k8s:ns:z"),
            base,
            spec("spiffe://td/b", "spiffe://td/p", "k8s:ns:a", "k8s:pod-name:x"),
            spec("spiffe://td/b", "spiffe://td/p", "k8s:ns:b"),
            spec("spiffe://td/b", "spiffe://td/p", "k8s_psat:cluster:a"),
            spec("spiffe://td/b", "spiffe://td/p", "k8s_psat:cluster:a")
                .withDnsNames(List.of("a.example")),
            spec("spiffe://td/b", "spiffe://td/p", "k8s_psat:cluster:a")
                .withDnsNames(List.of("b.example")),
            spec("spiffe://td/b", "spiffe://td/p", "k8s_psat:cluster:a")
                .withDnsNames(List.of("b.example"))
                .withFederatesWith(List.of(new TrustDomain("x.org"))),
            new EntrySpec(
                id("spiffe://td/b"),
                id("spiffe://td/p"),
                Fixtures.selectors("k8s_psat:cluster:a"),
                List.of("b.example"),
                List.of(new TrustDomain("x.org")),
                true));
    List<EntrySpec> shuffled = new ArrayList<>(ordered);
    Collections.shuffle(shuffled, new Random(7));

    shuffled.sort(EntrySpecs.PLAN_ORDER);

    assertThat(shuffled).isEqualTo(ordered);
    for (EntrySpec a : ordered) {
      for (EntrySpec b : ordered) {
        assertThat(EntrySpecs.PLAN_ORDER.compare(a, b) == 0).isEqualTo(a.equals(b));
      }
    }
  }

  @Test
  void planOrderComparesFederationAsASetAsEqualsDoes() {
    EntrySpec base = spec("spiffe://td/b", "spiffe://td/p", "k8s:ns:a");
    TrustDomain a = new TrustDomain("a.org");
    TrustDomain b = new TrustDomain("b.org");
    TrustDomain c = new TrustDomain("c.org");
    List<EntrySpec> specs =
        List.of(
            base,
            base.withFederatesWith(List.of(a)),
            base.withFederatesWith(List.of(b)),
            base.withFederatesWith(List.of(a, b)),
            base.withFederatesWith(List.of(b, a)),
            base.withFederatesWith(List.of(c, a)),
            base.withFederatesWith(List.of(b, c, a)));
    for (EntrySpec x : specs) {
      for (EntrySpec y : specs) {
        int c1 = EntrySpecs.PLAN_ORDER.compare(x, y);
        assertThat(c1 == 0).as("%s vs %s", x, y).isEqualTo(x.equals(y));
        assertThat(Integer.signum(c1))
            .isEqualTo(-Integer.signum(EntrySpecs.PLAN_ORDER.compare(y, x)));
      }
    }
    assertThat(EntrySpecs.PLAN_ORDER.compare(specs.get(3), specs.get(5))).isNegative();
  }
}
