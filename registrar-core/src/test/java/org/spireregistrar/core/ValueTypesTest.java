package org.spireregistrar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValueTypesTest {
  private static final SpiffeId ID = SpiffeId.parse("spiffe://td/w");
  private static final SpiffeId PARENT = SpiffeId.parse("spiffe://td/p");

  @ParameterizedTest(name = "{0}")
  @CsvSource({"k8s:ns:default,k8s,ns:default", "k8s_psat:cluster:c:1,k8s_psat,cluster:c:1"})
  void selectorParsesAtTheFirstColon(String text, String type, String value) {
    Selector s = Selector.parse(text);
    assertThat(s).isEqualTo(new Selector(type, value));
    assertThat(s).hasToString(text);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"k8s", ":x", "k8s:"})
  void selectorRejectsMalformedText(String text) {
    assertThatThrownBy(() -> Selector.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void specNormalisesSelectorsDnsNamesAndFederation() {
    EntrySpec a =
        new EntrySpec(
            ID,
            PARENT,
            List.of(
                Selector.parse("k8s:pod-name:a"),
                Selector.parse("k8s:ns:x"),
                Selector.parse("k8s:ns:x")),
            List.of("b.example", "a.example", "b.example"),
            List.of(new TrustDomain("z.org"), new TrustDomain("a.org"), new TrustDomain("z.org")),
            false);
    assertThat(a.selectorStrings()).containsExactly("k8s:ns:x", "k8s:pod-name:a");
    assertThat(a.dnsNames())
        .as("order kept: the first is the CN")
        .containsExactly("b.example", "a.example");
    assertThat(a.federatesWith())
        .as("order kept, duplicates dropped (product §2.2)")
        .extracting(TrustDomain::name)
        .containsExactly("z.org", "a.org");
    EntrySpec b =
        new EntrySpec(
            ID,
            PARENT,
            List.of(Selector.parse("k8s:ns:x"), Selector.parse("k8s:pod-name:a")),
            List.of("b.example", "a.example"),
            List.of(new TrustDomain("a.org"), new TrustDomain("z.org")),
            false);
    assertThat(a).isEqualTo(b);
    assertThat(a.withDnsNames(List.of("a.example", "b.example"))).isNotEqualTo(b);
    assertThat(a.similarityKey()).isEqualTo(a.withDnsNames(List.of()).similarityKey());
  }

  @Test
  void federationKeepsItsOrderButEqualityTreatsItAsASet() {
    EntrySpec spec = EntrySpec.of(ID, PARENT, List.of(Selector.parse("k8s:ns:x")));
    EntrySpec ba =
        spec.withFederatesWith(List.of(new TrustDomain("b.org"), new TrustDomain("a.org")));
    EntrySpec ab =
        spec.withFederatesWith(List.of(new TrustDomain("a.org"), new TrustDomain("b.org")));

    assertThat(ba.federatesWith()).extracting(TrustDomain::name).containsExactly("b.org", "a.org");
    assertThat(ba).as("SPIRE stores federates_with as a set").isEqualTo(ab);
    assertThat(ba.hashCode()).isEqualTo(ab.hashCode());
    assertThat(ba).isNotEqualTo(spec.withFederatesWith(List.of(new TrustDomain("a.org"))));
    assertThat(ba)
        .isNotEqualTo(
            spec.withFederatesWith(List.of(new TrustDomain("a.org"), new TrustDomain("c.org"))));
  }

  @Test
  void specNeedsSelectors() {
    assertThatThrownBy(() -> EntrySpec.of(ID, PARENT, List.of()))
        .hasMessage("selector list is empty");
  }

  @Test
  void filterMatchesWithSpireSemantics() {
    Entry e =
        Entry.of(
            new EntryId("1"),
            EntrySpec.of(
                ID, PARENT, List.of(Selector.parse("k8s:a:1"), Selector.parse("k8s:b:2"))));
    List<Selector> a = List.of(Selector.parse("k8s:a:1"));
    List<Selector> ab = List.of(Selector.parse("k8s:b:2"), Selector.parse("k8s:a:1"));
    List<Selector> abc =
        List.of(Selector.parse("k8s:a:1"), Selector.parse("k8s:b:2"), Selector.parse("k8s:c:3"));
    assertThat(EntryFilter.bySelectors(ab, EntryFilter.Match.EXACT).matches(e)).isTrue();
    assertThat(EntryFilter.bySelectors(a, EntryFilter.Match.EXACT).matches(e)).isFalse();
    assertThat(EntryFilter.bySelectors(abc, EntryFilter.Match.SUBSET).matches(e)).isTrue();
    assertThat(EntryFilter.bySelectors(a, EntryFilter.Match.SUBSET).matches(e)).isFalse();
    assertThat(EntryFilter.bySelectors(a, EntryFilter.Match.SUPERSET).matches(e)).isTrue();
    assertThat(EntryFilter.bySelectors(abc, EntryFilter.Match.SUPERSET).matches(e)).isFalse();
    assertThat(
            EntryFilter.bySelectors(
                    List.of(Selector.parse("k8s:c:3"), Selector.parse("k8s:b:2")),
                    EntryFilter.Match.ANY)
                .matches(e))
        .isTrue();
    assertThat(EntryFilter.byParent(PARENT).matches(e)).isTrue();
    assertThat(EntryFilter.bySpiffeId(PARENT).matches(e)).isFalse();
    assertThat(EntryFilter.ALL.matches(e)).isTrue();
  }

  @Test
  void resultsSayWhetherTheItemSucceeded() {
    Entry e = Entry.of(new EntryId("1"), EntrySpec.of(ID, PARENT, List.of(Selector.k8s("ns:a"))));
    assertThat(EntryResult.ok(e).succeeded()).isTrue();
    assertThat(EntryResult.alreadyExists(e).succeeded()).isTrue();
    assertThat(
            EntryResult.failure(EntryResult.Code.ALREADY_EXISTS, "dup", Optional.empty())
                .succeeded())
        .isFalse();
    assertThat(EntryResult.failure(EntryResult.Code.INTERNAL, "x", Optional.empty()).succeeded())
        .isFalse();
  }

  @Test
  void rejectionsNameTheObject() {
    assertThat(new RejectedObjectException("Pod", "ns", "p", "bad label"))
        .hasMessage("Pod ns/p: bad label");
    assertThat(new RejectedObjectException("Node", "", "n1", "bad")).hasMessage("Node n1: bad");
    assertThatThrownBy(() -> new EntryId(" ")).hasMessage("entry ID cannot be empty");
  }
}
