package org.spireregistrar.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.core.entry.Fixtures.address;
import static org.spireregistrar.core.entry.Fixtures.config;
import static org.spireregistrar.core.entry.Fixtures.endpoints;
import static org.spireregistrar.core.entry.Fixtures.id;
import static org.spireregistrar.core.entry.Fixtures.pod;
import static org.spireregistrar.core.entry.Fixtures.selectors;

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
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;

class CrdEntriesTest {
  /** Label policy and no DNS templates: independent of the template engine. */
  private final CrdEntries entries =
      CrdEntries.forConfig(config(Mode.CRD).podLabel("spire-workload").dnsNameTemplates().build());

  private static final Workload WEB0 =
      pod("default", "web-0").uid("u-1").node("n1").label("spire-workload", "web").build();

  @Test
  void nodeEntrySelectsTheAgentByClusterAndNodeUid() {
    assertThat(entries.nodeEntry(Fixtures.node("n1", "nu-1")))
        .isEqualTo(
            Fixtures.spec(
                "spiffe://example.org/k8s-workload-registrar/prod/node/n1",
                "spiffe://example.org/spire/server",
                "k8s_psat:cluster:prod",
                "k8s_psat:agent_node_uid:nu-1"));
  }

  @Test
  void nodeWithoutUidIsRejected() {
    assertThatThrownBy(() -> entries.nodeEntry(Fixtures.node("n1", "")))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessage("Node n1: metadata.uid is empty; crd mode selects nodes by agent_node_uid");
  }

  @Test
  void podEntrySelectsByUidNamespaceAndNode() {
    assertThat(entries.podEntry(WEB0, List.of(), w -> {}))
        .contains(
            Fixtures.spec(
                "spiffe://example.org/web",
                "spiffe://example.org/k8s-workload-registrar/prod/node/n1",
                "k8s:pod-uid:u-1",
                "k8s:ns:default",
                "k8s:node-name:n1"));
  }

  @Test
  void podEntryCarriesFederation() {
    Workload web =
        pod("default", "web-0")
            .node("n1")
            .label("spire-workload", "web")
            .annotation("spiffe.io/federatesWith", "partner.org")
            .build();

    assertThat(entries.podEntry(web, List.of(), w -> {}).orElseThrow().federatesWith())
        .containsExactly(new TrustDomain("partner.org"));
  }

  @Test
  void terminatingPodsKeepTheirEntry() {
    Workload web =
        pod("default", "web-0").node("n1").label("spire-workload", "web").terminating().build();

    assertThat(entries.podEntry(web, List.of(), w -> {})).isPresent();
  }

  record SkipCase(String name, Workload pod) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<SkipCase> skipped() {
    return Stream.of(
        new SkipCase(
            "unscheduled", pod("default", "w").label("spire-workload", "w").unscheduled().build()),
        new SkipCase(
            "unscheduled with invalid label",
            pod("default", "w").label("spire-workload", "a b").unscheduled().build()),
        new SkipCase(
            "disabled namespace", pod("kube-system", "w").label("spire-workload", "w").build()),
        new SkipCase("label absent", pod("default", "w").build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("skipped")
  void skippedPodsGetNoEntry(SkipCase c) {
    assertThat(entries.podEntry(c.pod(), List.of(), w -> {})).isEmpty();
  }

  @Test
  void podWithoutUidIsRejected() {
    Workload web = pod("default", "web-0").uid("").label("spire-workload", "web").build();

    assertThatThrownBy(() -> entries.podEntry(web, List.of(), w -> {}))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessage(
            "Pod default/web-0: metadata.uid is empty; crd mode selects pods by k8s:pod-uid");
  }

  @Test
  void serviceNamesAreAddedOnlyWhenEnabled() {
    List<EndpointsInfo> eps =
        List.of(endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of()));
    CrdEntries without =
        CrdEntries.forConfig(
            config(Mode.CRD)
                .podLabel("spire-workload")
                .dnsNameTemplates()
                .addSvcDnsName(false)
                .build());

    assertThat(entries.podEntry(WEB0, eps, w -> {}).orElseThrow().dnsNames())
        .containsExactly("web.default.svc");
    assertThat(without.podEntry(WEB0, eps, w -> {}).orElseThrow().dnsNames()).isEmpty();
  }

  @Test
  void podEntryWithTemplatesPutsTemplateNamesFirst() {
    CrdEntries templated =
        CrdEntries.forConfig(
            config(Mode.CRD).dnsNameTemplates("{{.Pod.Name}}.{{.Pod.Namespace}}").build());
    Workload web = pod("default", "web-0").uid("u-1").sa("web").node("n1").build();
    List<EndpointsInfo> eps =
        List.of(endpoints("default", "api", List.of(address("10.0.0.5", "", web)), List.of()));

    EntrySpec spec = templated.podEntry(web, eps, w -> {}).orElseThrow();

    assertThat(spec.spiffeId()).isEqualTo(id("spiffe://example.org/ns/default/sa/web"));
    assertThat(spec.dnsNames()).containsExactly("web-0.default", "api.default.svc");
  }

  // ---- hand-written SpiffeIDs ----

  private static SpiffeIdResource.Selector selector(
      String cluster,
      String nodeUid,
      Map<String, String> podLabel,
      String podName,
      String podUid,
      String namespace,
      String sa,
      String image,
      String container,
      String node,
      List<String> arbitrary) {
    return new SpiffeIdResource.Selector(
        cluster, nodeUid, podLabel, podName, podUid, namespace, sa, image, container, node,
        arbitrary);
  }

  private static SpiffeIdResource resource(
      String parent,
      String spiffeId,
      SpiffeIdResource.Selector selector,
      List<String> dnsNames,
      List<String> federatesWith) {
    return new SpiffeIdResource(
        "team",
        "my-id",
        Map.of(),
        new SpiffeIdResource.Spec(parent, spiffeId, selector, false, dnsNames, federatesWith),
        "");
  }

  private static final SpiffeIdResource.Selector NS_ONLY =
      selector("", "", Map.of(), "", "", "team", "", "", "", "", List.of());

  @Test
  void spiffeIdProducesEverySelectorKind() {
    SpiffeIdResource.Selector all =
        selector(
            "prod",
            "nu-1",
            Map.of("app", "web", "tier", "front"),
            "web-0",
            "u-1",
            "team",
            "web-sa",
            "nginx:1.25",
            "nginx",
            "n1",
            List.of("pod-image-count:2", "custom"));
    SpiffeIdResource r =
        new SpiffeIdResource(
            "team",
            "my-id",
            Map.of(),
            new SpiffeIdResource.Spec(
                "spiffe://example.org/parent",
                "spiffe://example.org/workload",
                all,
                true,
                List.of("dns2.example", "dns1.example"),
                List.of("partner.org")),
            "");

    EntrySpec spec = CrdEntries.fromSpiffeId(r);

    assertThat(spec.spiffeId()).isEqualTo(id("spiffe://example.org/workload"));
    assertThat(spec.parentId()).isEqualTo(id("spiffe://example.org/parent"));
    assertThat(spec.selectors())
        .isEqualTo(
            selectors(
                "k8s:container-image:nginx:1.25",
                "k8s:container-name:nginx",
                "k8s:custom",
                "k8s:node-name:n1",
                "k8s:ns:team",
                "k8s:pod-image-count:2",
                "k8s:pod-label:app:web",
                "k8s:pod-label:tier:front",
                "k8s:pod-name:web-0",
                "k8s:pod-uid:u-1",
                "k8s:sa:web-sa",
                "k8s_psat:agent_node_uid:nu-1",
                "k8s_psat:cluster:prod"));
    assertThat(spec.dnsNames()).containsExactly("dns2.example", "dns1.example");
    assertThat(spec.federatesWith()).containsExactly(new TrustDomain("partner.org"));
    assertThat(spec.downstream()).isTrue();
  }

  record BadCase(String name, SpiffeIdResource resource, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<BadCase> badSpiffeIds() {
    String ok = "spiffe://example.org/w";
    String prefix = "SpiffeID team/my-id: ";
    return Stream.of(
        new BadCase(
            "empty parent",
            resource("", ok, NS_ONLY, List.of(), List.of()),
            prefix + "malformed CRD parent ID: cannot be empty"),
        new BadCase(
            "parent without scheme",
            resource("example.org/p", ok, NS_ONLY, List.of(), List.of()),
            prefix + "malformed CRD parent ID: scheme is missing or invalid"),
        new BadCase(
            "bad spiffe id path",
            resource(ok, "spiffe://example.org/a b", NS_ONLY, List.of(), List.of()),
            prefix
                + "malformed CRD SPIFFE ID: path segment characters are limited to letters,"
                + " numbers, dots, dashes, and underscores"),
        new BadCase(
            "bad spiffe id trust domain",
            resource(ok, "spiffe://Example.org/w", NS_ONLY, List.of(), List.of()),
            prefix
                + "malformed CRD SPIFFE ID: trust domain characters are limited to lowercase"
                + " letters, numbers, dots, dashes, and underscores"),
        new BadCase(
            "parent checked first",
            resource("nope", "nope", NS_ONLY, List.of(), List.of()),
            prefix + "malformed CRD parent ID: scheme is missing or invalid"),
        new BadCase(
            "no selectors",
            resource(ok, ok, SpiffeIdResource.Selector.EMPTY, List.of(), List.of()),
            prefix + "selector list is empty"),
        new BadCase(
            "empty arbitrary selector",
            resource(
                ok,
                ok,
                selector("", "", Map.of(), "", "", "team", "", "", "", "", List.of("")),
                List.of(),
                List.of()),
            prefix + "selector value cannot be empty"),
        new BadCase(
            "hand-written dns name refused",
            resource(ok, ok, NS_ONLY, List.of("good.example", "a_b.example"), List.of()),
            prefix + "invalid DNS name \"a_b.example\": invalid label: a_b"),
        new BadCase(
            "bad federated trust domain",
            resource(ok, ok, NS_ONLY, List.of(), List.of("Partner.org")),
            prefix
                + "invalid federated trust domain \"Partner.org\": trust domain characters are"
                + " limited to lowercase letters, numbers, dots, dashes, and underscores"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpiffeIds")
  void rejectsMalformedSpiffeIds(BadCase c) {
    assertThatThrownBy(() -> CrdEntries.fromSpiffeId(c.resource()))
        .isInstanceOfSatisfying(
            RejectedObjectException.class, e -> assertThat(e.kind()).isEqualTo("SpiffeID"))
        .hasMessage(c.message());
  }

  @Test
  void generatedSpiffeIdGetsServiceNamesOfItsPodUid() {
    SpiffeIdResource generated =
        new SpiffeIdResource(
            "default",
            "web-0",
            Map.of("podUid", "u-1"),
            new SpiffeIdResource.Spec(
                "spiffe://example.org/k8s-workload-registrar/prod/node/n1",
                "spiffe://example.org/web",
                selector("", "", Map.of(), "", "u-1", "default", "", "", "", "n1", List.of()),
                false,
                List.of("web-0.example", "api.default.svc"),
                List.of()),
            "");
    List<EndpointsInfo> eps =
        List.of(
            endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of()),
            endpoints("default", "api", List.of(address("10.0.0.5", "", WEB0)), List.of()));
    List<String> warnings = new ArrayList<>();

    EntrySpec spec = entries.spiffeIdEntry(generated, eps, warnings::add);

    assertThat(spec.dnsNames())
        .containsExactly("web-0.example", "api.default.svc", "web.default.svc");
    assertThat(warnings).isEmpty();
  }

  @Test
  void handWrittenSpiffeIdWithoutPodUidLabelGetsNoServiceNames() {
    SpiffeIdResource r =
        resource(
            "spiffe://example.org/p",
            "spiffe://example.org/w",
            selector("", "", Map.of(), "", "u-1", "team", "", "", "", "", List.of()),
            List.of(),
            List.of());
    List<EndpointsInfo> eps =
        List.of(endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of()));

    assertThat(entries.spiffeIdEntry(r, eps, w -> {}).dnsNames()).isEmpty();
  }
}
