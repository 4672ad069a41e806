package org.spireregistrar.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.core.entry.Fixtures.config;
import static org.spireregistrar.core.entry.Fixtures.id;
import static org.spireregistrar.core.entry.Fixtures.pod;
import static org.spireregistrar.core.entry.Fixtures.selectors;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.Mode;

class WebhookEntriesTest {
  private final WebhookEntries entries = WebhookEntries.forConfig(config(Mode.WEBHOOK).build());

  @Test
  void clusterNodeEntryIsParentedToTheServer() {
    assertThat(entries.clusterNodeEntry())
        .isEqualTo(
            Fixtures.spec(
                "spiffe://example.org/k8s-workload-registrar/prod/node",
                "spiffe://example.org/spire/server",
                "k8s_psat:cluster:prod"));
  }

  @Test
  void podEntryIsParentedToTheClusterNode() {
    var web = pod("default", "web-0").sa("web").unscheduled().build();

    assertThat(entries.podEntry(web))
        .contains(
            Fixtures.spec(
                "spiffe://example.org/ns/default/sa/web",
                "spiffe://example.org/k8s-workload-registrar/prod/node",
                "k8s:ns:default",
                "k8s:pod-name:web-0"));
  }

  @Test
  void podEntryCarriesFederation() {
    var web =
        pod("default", "web-0")
            .sa("web")
            .annotation("spiffe.io/federatesWith", "b.org, a.org")
            .build();

    assertThat(entries.podEntry(web).orElseThrow().federatesWith())
        .as("the annotation's order (product §2.2)")
        .containsExactly(new TrustDomain("b.org"), new TrustDomain("a.org"));
  }

  @Test
  void labelModeSkipsPodsWithoutTheLabel() {
    WebhookEntries labelled =
        WebhookEntries.forConfig(config(Mode.WEBHOOK).podLabel("spire-workload").build());

    assertThat(labelled.podEntry(pod("default", "web-0").build())).isEmpty();
    assertThat(labelled.podEntry(pod("default", "web-0").label("spire-workload", "w").build()))
        .map(EntrySpec::spiffeId)
        .contains(id("spiffe://example.org/w"));
  }

  @Test
  void disabledNamespacesGetNoEntry() {
    assertThat(entries.podEntry(pod("kube-system", "dns").build())).isEmpty();
  }

  @Test
  void rejectsInvalidFederation() {
    var web = pod("default", "web-0").annotation("spiffe.io/federatesWith", "Bad").build();

    assertThatThrownBy(() -> entries.podEntry(web))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessageStartingWith(
            "Pod default/web-0: annotation \"spiffe.io/federatesWith\": invalid federated trust"
                + " domain \"Bad\"");
  }

  @Test
  void ownsOnlyEntriesParentedToTheClusterNode() {
    EntrySpec mine =
        Fixtures.spec(
            "spiffe://example.org/x",
            "spiffe://example.org/k8s-workload-registrar/prod/node",
            "k8s:ns:a");
    EntrySpec child =
        mine.withParentId(id("spiffe://example.org/k8s-workload-registrar/prod/node/n1"));
    EntrySpec otherCluster =
        mine.withParentId(id("spiffe://example.org/k8s-workload-registrar/dev/node"));

    assertThat(entries.owned())
        .accepts(Entry.of(new EntryId("1"), mine))
        .rejects(
            Entry.of(new EntryId("2"), child),
            Entry.of(new EntryId("3"), otherCluster),
            Entry.of(new EntryId("4"), entries.clusterNodeEntry()));
  }

  @Test
  void refusesAClusterNameThatIsNoIdSegment() {
    assertThatThrownBy(() -> WebhookEntries.forConfig(config(Mode.WEBHOOK).cluster("a b").build()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "cluster \"a b\" cannot be used in a SPIFFE ID: path segment characters are limited to"
                + " letters, numbers, dots, dashes, and underscores");
  }

  @Test
  void podSelectorsAreNamespaceAndName() {
    assertThat(WebhookEntries.podSelectors("ns1", "p1"))
        .isEqualTo(selectors("k8s:ns:ns1", "k8s:pod-name:p1"));
    assertThat(List.copyOf(ReconcileEntries.podSelectors("ns1", "p1")))
        .isEqualTo(WebhookEntries.podSelectors("ns1", "p1"));
  }
}
