package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.policy.ServiceAccountIdPolicy;

/** The engine looks selectors up as built; they must already be in EntrySpec's sorted order. */
class SelectorOrderTest {
  private static final ReconcileEntries ENTRIES =
      new ReconcileEntries(
          new TrustDomain("td"),
          "c",
          "ctl",
          new ServiceAccountIdPolicy(new TrustDomain("td")),
          List.of(),
          false,
          "cluster.local");

  @ParameterizedTest(name = "{0}/{1}")
  @CsvSource({"a,b", "zz,aa", "ns,pod-name", "x-1,0", "kube-system,coredns-5d78c9869d-abcde"})
  void podAndNodeSelectorsAreBuiltSorted(String ns, String name) {
    List<Selector> pod = ReconcileEntries.podSelectors(ns, name);
    assertThat(pod).isEqualTo(List.copyOf(new TreeSet<>(pod)));
    List<Selector> node = ENTRIES.nodeSelectors(name);
    assertThat(node).isEqualTo(List.copyOf(new TreeSet<>(node)));
    assertThat(
            ENTRIES
                .nodeEntry(new org.spireregistrar.core.model.NodeInfo(name, "u", Map.of()))
                .selectors())
        .isEqualTo(node);
  }
}
