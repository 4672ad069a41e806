package org.spireregistrar.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spireregistrar.cli.plan.ServerDiff.FieldChange;
import org.spireregistrar.cli.plan.ServerDiff.Reason;
import org.spireregistrar.cli.plan.ServerDiff.Untouched;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;

/** The ownership rules of {@link ServerDiff}, one mode at a time, without a server. */
class ServerDiffTest {

  private static RegistrarConfig config(String mode, String extra) {
    return HclConfigLoader.parse(
        """
        trust_domain = "example.org"
        server_socket_path = "/unused.sock"
        cluster = "c1"
        mode = "%s"
        %s
        """
            .formatted(mode, extra),
        "test.conf");
  }

  private static Entry entry(String id, String spiffeId, String parent, Selector... selectors) {
    return Entry.of(
        new EntryId(id),
        EntrySpec.of(SpiffeId.parse(spiffeId), SpiffeId.parse(parent), List.of(selectors)));
  }

  private static ServerDiff diff(RegistrarConfig config, ClusterObjects objects, Entry... listed) {
    var plan = Planner.plan(config, objects);
    List<RejectedObjectException> rejected = new ArrayList<>(plan.rejected());
    return ServerDiff.compute(
        config, objects, plan.entries(), rejected, List.of(listed), warning -> {});
  }

  private static Map<String, Reason> untouched(ServerDiff diff) {
    Map<String, Reason> out = new java.util.TreeMap<>();
    for (Untouched u : diff.untouched()) {
      out.put(u.entry().id().value(), u.reason());
    }
    return out;
  }

  @Test
  void reconcileOwnershipIsSegmentAwareAndNeedsAPodOrNodeKey() {
    RegistrarConfig config = config("reconcile", "");
    String root = "spiffe://example.org/spire-k8s-registrar/c1/node";

    ServerDiff diff =
        diff(
            config,
            ClusterObjects.EMPTY,
            entry("owned", "spiffe://example.org/a", root + "/n1", Selector.k8s("ns:a"), pod("a")),
            entry("nodeX", "spiffe://example.org/b", root + "X/n1", Selector.k8s("ns:a"), pod("b")),
            entry(
                "other-cluster-node",
                root + "/n2",
                "spiffe://example.org/spire/server",
                Selector.psat("agent_node_name:n2"),
                Selector.psat("cluster:c2")),
            entry("by-hand", "spiffe://example.org/c", root + "/n1", Selector.k8s("sa:x")));

    assertThat(diff.deletes()).extracting(e -> e.id().value()).containsExactly("owned");
    assertThat(untouched(diff))
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(
                Map.of(
                    "by-hand", Reason.UNMANAGED_SELECTORS,
                    "nodeX", Reason.NOT_OWNED,
                    "other-cluster-node", Reason.UNMANAGED_SELECTORS)));
  }

  @Test
  void federatesWithInAnotherOrderIsNoChange() {
    EntrySpec a =
        EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/a"),
                SpiffeId.parse("spiffe://example.org/p"),
                List.of(Selector.k8s("ns:a")))
            .withFederatesWith(List.of(new TrustDomain("x.org"), new TrustDomain("y.org")));
    EntrySpec b = a.withFederatesWith(List.of(new TrustDomain("y.org"), new TrustDomain("x.org")));

    assertThat(FieldChange.between(a, b)).isEmpty();
    assertThat(FieldChange.between(a, a.withDnsNames(List.of("a.example"))))
        .containsExactly(new FieldChange("dns_names", List.of(), List.of("a.example")));
  }

  @Test
  void webhookModeNeverUpdatesOrDeletes() {
    RegistrarConfig config = config("webhook", "");
    String node = "spiffe://example.org/k8s-workload-registrar/c1/node";
    Workload web = new Workload("shop", "web-0", "u1", "web", "n1", "", "", null, null, false);

    ServerDiff diff =
        diff(
            config,
            new ClusterObjects(List.of(web), List.of(), List.of(), List.of()),
            entry("node", node, "spiffe://example.org/spire/server", Selector.psat("cluster:c1")),
            entry("web", "spiffe://example.org/old", node, Selector.k8s("ns:shop"), pod("web-0")),
            entry("gone", "spiffe://example.org/g", node, Selector.k8s("ns:shop"), pod("gone")));

    // The web pod's entry has another SPIFFE ID: not similar, so admission would create one.
    assertThat(diff.creates())
        .extracting(s -> s.spiffeId().toString())
        .containsExactly("spiffe://example.org/ns/shop/sa/web");
    assertThat(diff.updates()).isEmpty();
    assertThat(diff.deletes()).isEmpty();
    assertThat(diff.unchanged()).isEqualTo(1);
    assertThat(untouched(diff))
        .containsEntry("web", Reason.WEBHOOK_NO_DELETE)
        .containsEntry("gone", Reason.WEBHOOK_NO_DELETE);
  }

  @Test
  void crdModeLeavesTheEntryOfARejectedSpiffeIdEvenWhenPrefixed() {
    RegistrarConfig config = config("crd", "pod_controller = false\nadd_svc_dns_name = false");
    SpiffeIdResource foreignDomain =
        new SpiffeIdResource(
            "ns",
            "elsewhere",
            Map.of(),
            new SpiffeIdResource.Spec(
                "spiffe://other.org/parent",
                "spiffe://other.org/x",
                new SpiffeIdResource.Selector(
                    "", "", Map.of(), "", "", "ns", "", "", "", "", List.of()),
                false,
                List.of(),
                List.of()),
            "k8s-workload-registrar.c1.kept");

    ServerDiff diff =
        diff(
            config,
            new ClusterObjects(List.of(), List.of(), List.of(), List.of(foreignDomain)),
            entry(
                "k8s-workload-registrar.c1.kept",
                "spiffe://example.org/x",
                "spiffe://example.org/parent",
                Selector.k8s("ns:ns")),
            entry(
                "k8s-workload-registrar.c1.orphan",
                "spiffe://example.org/y",
                "spiffe://example.org/parent",
                Selector.k8s("ns:ns")));

    assertThat(diff.deletes())
        .extracting(e -> e.id().value())
        .containsExactly("k8s-workload-registrar.c1.orphan");
    assertThat(untouched(diff))
        .containsExactlyEntriesOf(Map.of("k8s-workload-registrar.c1.kept", Reason.REJECTED_OBJECT));
    assertThat(diff.untouched().get(0).detail())
        .isEqualTo(
            "SpiffeID ns/elsewhere: SPIFFE ID \"spiffe://other.org/x\" is not in the trust domain"
                + " of the SPIRE server \"example.org\"");
  }

  @Test
  void crdModeDeletesTheEntryOfADuplicateGeneratedSpiffeIdOnlyWhenNothingElseLinksIt() {
    RegistrarConfig config = config("crd", "add_svc_dns_name = false\ndns_name_templates = []");
    Workload web = new Workload("shop", "web-0", "u1", "web", "n1", "", "", null, null, false);
    SpiffeIdResource first = generated("web-0", "k8s-workload-registrar.c1.first");
    SpiffeIdResource duplicate = generated("web-0-dup", "unprefixed-dup");

    ServerDiff diff =
        diff(
            config,
            new ClusterObjects(List.of(web), List.of(), List.of(), List.of(first, duplicate)),
            entry(
                "k8s-workload-registrar.c1.first",
                "spiffe://example.org/ns/shop/sa/web",
                "spiffe://example.org/k8s-workload-registrar/c1/node/n1",
                Selector.k8s("pod-uid:u1"),
                Selector.k8s("ns:shop"),
                Selector.k8s("node-name:n1")),
            entry(
                "unprefixed-dup",
                "spiffe://example.org/ns/shop/sa/web",
                "spiffe://example.org/k8s-workload-registrar/c1/node/n1",
                Selector.k8s("pod-uid:u1")));

    assertThat(diff.unchanged()).isEqualTo(1);
    assertThat(diff.deletes()).extracting(e -> e.id().value()).containsExactly("unprefixed-dup");
    assertThat(diff.creates()).isEmpty();
  }

  private static SpiffeIdResource generated(String name, String entryId) {
    return new SpiffeIdResource(
        "shop",
        name,
        Map.of("podUid", "u1"),
        new SpiffeIdResource.Spec(
            "spiffe://example.org/k8s-workload-registrar/c1/node/n1",
            "spiffe://example.org/ns/shop/sa/web",
            new SpiffeIdResource.Selector(
                "", "", Map.of(), "", "u1", "shop", "", "", "", "n1", List.of()),
            false,
            List.of(),
            List.of()),
        entryId);
  }

  private static Selector pod(String name) {
    return Selector.k8s("pod-name:" + name);
  }
}
