package org.spireregistrar.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.core.entry.Fixtures.address;
import static org.spireregistrar.core.entry.Fixtures.config;
import static org.spireregistrar.core.entry.Fixtures.endpoints;
import static org.spireregistrar.core.entry.Fixtures.id;
import static org.spireregistrar.core.entry.Fixtures.pod;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.dns.PodDnsNames;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

class ReconcileEntriesTest {
  private final ReconcileEntries entries =
      ReconcileEntries.forConfig(config(Mode.RECONCILE).build());

  @Test
  void rootAndNodeIdsUseControllerNameAndCluster() {
    ReconcileEntries custom =
        ReconcileEntries.forConfig(config(Mode.RECONCILE).controllerName("foo").build());

    assertThat(entries.rootId())
        .isEqualTo(id("spiffe://example.org/spire-k8s-registrar/prod/node"));
    assertThat(custom.nodeId("n1")).isEqualTo(id("spiffe://example.org/foo/prod/node/n1"));
  }

  @Test
  void nodeEntryMatchesNodeNameAndCluster() {
    assertThat(entries.nodeEntry(Fixtures.node("n1", "u1")))
        .isEqualTo(
            Fixtures.spec(
                "spiffe://example.org/spire-k8s-registrar/prod/node/n1",
                "spiffe://example.org/spire/server",
                "k8s_psat:agent_node_name:n1",
                "k8s_psat:cluster:prod"));
  }

  @Test
  void nodeFederationAnnotationIsHonoured() {
    NodeInfo node = new NodeInfo("n1", "u1", Map.of("spiffe.io/federatesWith", "partner.org"));

    assertThat(entries.nodeEntry(node).federatesWith())
        .containsExactly(new TrustDomain("partner.org"));
  }

  @Test
  void nodeWithInvalidFederationIsRejected() {
    NodeInfo node = new NodeInfo("n1", "u1", Map.of("spiffe.io/federatesWith", "a b"));

    assertThatThrownBy(() -> entries.nodeEntry(node))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessageStartingWith("Node n1: annotation \"spiffe.io/federatesWith\": ");
  }

  @Test
  void nodeWhoseNameIsNoIdSegmentIsRejected() {
    assertThatThrownBy(() -> entries.nodeEntry(Fixtures.node("a b", "u1")))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessage(
            "Node a b: node name \"a b\": path segment characters are limited to letters,"
                + " numbers, dots, dashes, and underscores");
  }

  @Test
  void podEntryIsParentedToItsNode() {
    Workload web = pod("default", "web-0").sa("web").node("n1").ip("10.0.0.5").build();

    assertThat(entries.podEntry(web, List.of(), w -> {}))
        .contains(
            Fixtures.spec(
                "spiffe://example.org/ns/default/sa/web",
                "spiffe://example.org/spire-k8s-registrar/prod/node/n1",
                "k8s:ns:default",
                "k8s:pod-name:web-0"));
  }

  record SkipCase(String name, Workload pod) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<SkipCase> skipped() {
    return Stream.of(
        new SkipCase("unscheduled", pod("default", "web").unscheduled().build()),
        new SkipCase("terminating", pod("default", "web").terminating().build()),
        new SkipCase(
            "terminating with an invalid label",
            pod("default", "web").label("spire-workload", "a b").terminating().build()),
        new SkipCase("disabled namespace", pod("kube-public", "web").build()),
        new SkipCase(
            "disabled namespace with an invalid label",
            pod("kube-system", "web").label("spire-workload", "a b").build()),
        new SkipCase("label absent", pod("default", "web").build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("skipped")
  void skippedPodsGetNoEntry(SkipCase c) {
    ReconcileEntries labelled =
        ReconcileEntries.forConfig(config(Mode.RECONCILE).podLabel("spire-workload").build());

    assertThat(labelled.podEntry(c.pod(), List.of(), w -> {})).isEmpty();
  }

  @Test
  void invalidLabelIsRejectedEvenOnAnUnscheduledPod() {
    ReconcileEntries labelled =
        ReconcileEntries.forConfig(config(Mode.RECONCILE).podLabel("spire-workload").build());
    Workload web = pod("default", "web").label("spire-workload", "a b").unscheduled().build();

    assertThatThrownBy(() -> labelled.podEntry(web, List.of(), w -> {}))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessage(
            "Pod default/web: pod label \"spire-workload\" value \"a b\": path segment characters"
                + " are limited to letters, numbers, dots, dashes, and underscores");
  }

  @Test
  void annotationWithSlashesIsAcceptedUnlikeUpstream() {
    ReconcileEntries annotated =
        ReconcileEntries.forConfig(config(Mode.RECONCILE).podAnnotation("spiffe.io/id").build());
    Workload web = pod("default", "web").annotation("spiffe.io/id", "production/web").build();

    assertThat(annotated.podEntry(web, List.of(), w -> {}))
        .map(EntrySpec::spiffeId)
        .contains(id("spiffe://example.org/production/web"));
  }

  @Test
  void dnsNamesOnlyWhenEnabled() {
    Workload web = pod("default", "web-0").ip("10.0.0.5").build();
    EndpointsInfo svc =
        endpoints("default", "web", List.of(address("10.0.0.5", "", web)), List.of());
    ReconcileEntries withDns =
        ReconcileEntries.forConfig(config(Mode.RECONCILE).addPodDnsNames(true).build());

    assertThat(entries.podEntry(web, List.of(svc), w -> {}).orElseThrow().dnsNames()).isEmpty();
    assertThat(withDns.podEntry(web, List.of(svc), w -> {}).orElseThrow().dnsNames())
        .isEqualTo(PodDnsNames.of(web, List.of(svc), "cluster.local"))
        .startsWith("10-0-0-5.default.pod.cluster.local", "10-0-0-5.default.pod");
  }

  @Test
  void invalidGeneratedDnsNamesAreDroppedWithAWarning() {
    Workload web = pod("default", "web-0").ip("::ffff:10.0.0.5").build();
    ReconcileEntries withDns =
        ReconcileEntries.forConfig(config(Mode.RECONCILE).addPodDnsNames(true).build());
    List<String> warnings = new ArrayList<>();

    EntrySpec spec = withDns.podEntry(web, List.of(), warnings::add).orElseThrow();

    assertThat(spec.dnsNames()).isEmpty();
    assertThat(warnings)
        .hasSize(2)
        .allMatch(w -> w.startsWith("pod default/web-0: dropped DNS name"));
  }

  @Test
  void refusesAControllerNameThatIsNoIdSegment() {
    assertThatThrownBy(
            () -> ReconcileEntries.forConfig(config(Mode.RECONCILE).controllerName("a/b").build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("controller_name \"a/b\" cannot be used in a SPIFFE ID: ");
  }
}
