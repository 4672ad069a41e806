package org.spireregistrar.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.core.entry.Fixtures.id;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;

class OwnershipTest {
  private static final String CLUSTER_NODE =
      "spiffe://example.org/k8s-workload-registrar/prod/node";
  private static final String ROOT = "spiffe://example.org/spire-k8s-registrar/prod/node";

  @ParameterizedTest(name = "parent={0} id={1} -> {2}")
  @CsvSource(
      textBlock =
          """
          spiffe://example.org/spire-k8s-registrar/prod/node/n1,  spiffe://example.org/ns/a/sa/b,                        true
          spiffe://example.org/spire/server,                      spiffe://example.org/spire-k8s-registrar/prod/node/n1,  true
          spiffe://example.org/spire-k8s-registrar/prod/node,     spiffe://example.org/x,                                true
          spiffe://example.org/spire-k8s-registrar/prod/nodeX,    spiffe://example.org/x,                                false
          spiffe://example.org/spire/server,                      spiffe://example.org/spire-k8s-registrar/prod/nodeX/n1, false
          spiffe://example.org/spire-k8s-registrar/prod/node2/n1, spiffe://example.org/x,                                false
          spiffe://example.org/spire-k8s-registrar/prod,          spiffe://example.org/spire-k8s-registrar/prod/nodes,    false
          spiffe://example.org/spire-k8s-registrar/dev/node/n1,   spiffe://example.org/x,                                false
          spiffe://other.org/spire-k8s-registrar/prod/node/n1,    spiffe://other.org/spire-k8s-registrar/prod/node/n2,    false
          spiffe://example.org.evil/spire-k8s-registrar/prod/node/n1, spiffe://example.org/x,                            false
          spiffe://example.org/other/spire-k8s-registrar/prod/node/n1, spiffe://example.org/x,                           false
          """)
  void underRootIsSegmentAwareAndTrustDomainBound(String parent, String spiffeId, boolean owned) {
    Entry entry = Entry.of(new EntryId("e1"), Fixtures.spec(spiffeId, parent, "k8s:ns:a"));

    assertThat(Ownership.underRoot(id(ROOT)).test(entry)).isEqualTo(owned);
  }

  @ParameterizedTest(name = "parent={0} -> {1}")
  @CsvSource(
      textBlock =
          """
          spiffe://example.org/k8s-workload-registrar/prod/node,     true
          spiffe://example.org/k8s-workload-registrar/prod/node/n1,  false
          spiffe://example.org/k8s-workload-registrar/prod/nodeX,    false
          spiffe://example.org/k8s-workload-registrar/prod,          false
          spiffe://other.org/k8s-workload-registrar/prod/node,       false
          """)
  void parentedToMatchesTheParentExactly(String parent, boolean owned) {
    Entry entry =
        Entry.of(new EntryId("e1"), Fixtures.spec("spiffe://example.org/w", parent, "k8s:ns:a"));

    assertThat(Ownership.parentedTo(id(CLUSTER_NODE)).test(entry)).isEqualTo(owned);
  }
}
