package org.spireregistrar.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.core.entry.Fixtures.address;
import static org.spireregistrar.core.entry.Fixtures.config;
import static org.spireregistrar.core.entry.Fixtures.endpoints;
import static org.spireregistrar.core.entry.Fixtures.node;
import static org.spireregistrar.core.entry.Fixtures.pod;
import static org.spireregistrar.core.entry.Fixtures.spec;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;

class PlannerTest {
  private static final Workload WEB =
      pod("default", "web-0").uid("u-web").sa("web").node("n1").ip("10.0.0.5").build();
  private static final Workload API =
      pod("default", "api-0").uid("u-api").sa("api").node("n2").ip("10.0.0.6").build();
  private static final Workload PENDING = pod("default", "job-0").sa("job").unscheduled().build();
  private static final Workload LEAVING = pod("default", "old-0").sa("old").terminating().build();
  private static final Workload SYSTEM = pod("kube-system", "coredns").sa("coredns").build();
  private static final Workload BAD_FED =
      pod("default", "bad-0").sa("bad").annotation("spiffe.io/federatesWith", "Bad").build();
  private static final List<NodeInfo> NODES = List.of(node("n2", "nu-2"), node("n1", "nu-1"));

  private static ClusterObjects objects(List<Workload> pods, List<EndpointsInfo> endpoints) {
    return new ClusterObjects(pods, NODES, endpoints, List.of());
  }

  @Test
  void webhookPlansTheClusterNodeAndEveryPodAsCreateAdmissionWould() {
    PlanResult plan =
        Planner.plan(
            config(Mode.WEBHOOK).build(),
            objects(List.of(WEB, API, PENDING, LEAVING, SYSTEM, BAD_FED), List.of()));

    String node = "spiffe://example.org/k8s-workload-registrar/prod/node";
    assertThat(plan.entries())
        .containsExactly(
            spec(node, "spiffe://example.org/spire/server", "k8s_psat:cluster:prod"),
            spec(
                "spiffe://example.org/ns/default/sa/api",
                node,
                "k8s:ns:default",
                "k8s:pod-name:api-0"),
            spec(
                "spiffe://example.org/ns/default/sa/job",
                node,
                "k8s:ns:default",
                "k8s:pod-name:job-0"),
            spec(
                "spiffe://example.org/ns/default/sa/old",
                node,
                "k8s:ns:default",
                "k8s:pod-name:old-0"),
            spec(
                "spiffe://example.org/ns/default/sa/web",
                node,
                "k8s:ns:default",
                "k8s:pod-name:web-0"));
    assertThat(plan.rejected())
        .extracting(RejectedObjectException::getMessage)
        .containsExactly(
            "Pod default/bad-0: annotation \"spiffe.io/federatesWith\": invalid federated trust"
                + " domain \"Bad\": trust domain characters are limited to lowercase letters,"
                + " numbers, dots, dashes, and underscores");
    assertThat(plan.warnings()).isEmpty();
  }

  @Test
  void reconcilePlansNodesAndScheduledLivePods() {
    PlanResult plan =
        Planner.plan(
            config(Mode.RECONCILE).build(),
            objects(List.of(WEB, API, PENDING, LEAVING, SYSTEM), List.of()));

    String root = "spiffe://example.org/spire-k8s-registrar/prod/node";
    assertThat(plan.entries())
        .containsExactly(
            spec(
                "spiffe://example.org/ns/default/sa/api",
                root + "/n2",
                "k8s:ns:default",
                "k8s:pod-name:api-0"),
            spec(
                "spiffe://example.org/ns/default/sa/web",
                root + "/n1",
                "k8s:ns:default",
                "k8s:pod-name:web-0"),
            spec(
                root + "/n1",
                "spiffe://example.org/spire/server",
                "k8s_psat:agent_node_name:n1",
                "k8s_psat:cluster:prod"),
            spec(
                root + "/n2",
                "spiffe://example.org/spire/server",
                "k8s_psat:agent_node_name:n2",
                "k8s_psat:cluster:prod"));
    assertThat(plan.rejected()).isEmpty();
  }

  @Test
  void reconcileAddsDnsNamesFromEndpointsOfThePodsNamespace() {
    Workload one = pod("default", "a").sa("a").node("n1").ip("10.0.0.7").build();
    List<EndpointsInfo> eps =
        List.of(
            endpoints("default", "web", List.of(address("10.0.0.5", "", WEB)), List.of()),
            endpoints("other", "web", List.of(address("10.0.0.5", "", WEB)), List.of()));

    PlanResult plan =
        Planner.plan(
            config(Mode.RECONCILE).addPodDnsNames(true).build(),
            new ClusterObjects(List.of(WEB, one), List.of(), eps, List.of()));

    assertThat(plan.entries()).extracting(EntrySpec::dnsNames).allMatch(n -> !n.isEmpty());
    EntrySpec web = plan.entries().get(1);
    assertThat(web.dnsNames())
        .startsWith("10-0-0-5.default.pod.cluster.local", "10-0-0-5.default.pod")
        .contains("web.default.svc.cluster.local", "web-0.web")
        .hasSize(14);
    assertThat(plan.warnings()).isEmpty();
  }

  @Test
  void reconcileCollectsRejectionsAndWarningsAndStillPlansTheRest() {
    Workload mapped = pod("default", "m").sa("m").node("n1").ip("::ffff:10.0.0.5").build();
    Workload badLabel = pod("default", "x").label("spire-workload", "a b").build();
    NodeInfo badNode = new NodeInfo("n3", "nu-3", Map.of("spiffe.io/federatesWith", "a b"));

    PlanResult plan =
        Planner.plan(
            config(Mode.RECONCILE).addPodDnsNames(true).podLabel("spire-workload").build(),
            new ClusterObjects(
                List.of(mapped, badLabel, WEB),
                List.of(badNode, node("n1", "")),
                List.of(),
                List.of()));

    assertThat(plan.entries()).hasSize(1);
    assertThat(plan.rejected())
        .extracting(RejectedObjectException::getMessage)
        .containsExactly(
            "Node n3: annotation \"spiffe.io/federatesWith\": invalid federated trust domain \"a"
                + " b\": trust domain characters are limited to lowercase letters, numbers, dots,"
                + " dashes, and underscores",
            "Pod default/x: pod label \"spire-workload\" value \"a b\": path segment characters"
                + " are limited to letters, numbers, dots, dashes, and underscores");
    assertThat(plan.warnings()).isEmpty();

    PlanResult saPlan =
        Planner.plan(
            config(Mode.RECONCILE).addPodDnsNames(true).build(),
            new ClusterObjects(List.of(mapped), List.of(), List.of(), List.of()));
    assertThat(saPlan.entries())
        .singleElement()
        .extracting(EntrySpec::dnsNames)
        .isEqualTo(List.of());
    assertThat(saPlan.warnings())
        .containsExactly(
            "pod default/m: dropped DNS name \"::ffff:10-0-0-5.default.pod.cluster.local\": invalid"
                + " label: ::ffff:10-0-0-5",
            "pod default/m: dropped DNS name \"::ffff:10-0-0-5.default.pod\": invalid label:"
                + " ::ffff:10-0-0-5");
  }

  private static SpiffeIdResource handWritten(String name, String spiffeId, List<String> dns) {
    return new SpiffeIdResource(
        "team",
        name,
        Map.of(),
        new SpiffeIdResource.Spec(
            "spiffe://example.org/k8s-workload-registrar/prod/node/n1",
            spiffeId,
            new SpiffeIdResource.Selector(
                "", "", Map.of("app", "x"), "", "", "team", "", "", "", "", List.of()),
            false,
            dns,
            List.of()),
        "");
  }

  @Test
  void crdPlansNodesPodsAndSpiffeIds() {
    Workload labelled =
        pod("default", "web-0").uid("u-web").node("n1").label("spire-workload", "web").build();
    Workload unlabelled = pod("default", "api-0").uid("u-api").node("n1").build();
    List<EndpointsInfo> eps =
        List.of(endpoints("default", "web", List.of(address("10.0.0.5", "", labelled)), List.of()));
    ClusterObjects objects =
        new ClusterObjects(
            List.of(labelled, unlabelled),
            List.of(node("n1", "nu-1")),
            eps,
            List.of(
                handWritten("z", "spiffe://example.org/workload", List.of("dns1.example")),
                handWritten("bad", "spiffe://example.org/b", List.of("x_y"))));

    PlanResult plan =
        Planner.plan(
            config(Mode.CRD).podLabel("spire-workload").dnsNameTemplates().build(), objects);

    String nodeRoot = "spiffe://example.org/k8s-workload-registrar/prod/node";
    assertThat(plan.entries())
        .containsExactly(
            spec(
                nodeRoot + "/n1",
                "spiffe://example.org/spire/server",
                "k8s_psat:agent_node_uid:nu-1",
                "k8s_psat:cluster:prod"),
            spec(
                    "spiffe://example.org/web",
                    nodeRoot + "/n1",
                    "k8s:node-name:n1",
                    "k8s:ns:default",
                    "k8s:pod-uid:u-web")
                .withDnsNames(List.of("web.default.svc")),
            spec(
                    "spiffe://example.org/workload",
                    nodeRoot + "/n1",
                    "k8s:ns:team",
                    "k8s:pod-label:app:x")
                .withDnsNames(List.of("dns1.example")));
    assertThat(plan.rejected())
        .extracting(RejectedObjectException::getMessage)
        .containsExactly("SpiffeID team/bad: invalid DNS name \"x_y\": invalid label: x_y");
  }

  @Test
  void crdWithoutPodControllerPlansOnlySpiffeIds() {
    ClusterObjects objects =
        new ClusterObjects(
            List.of(WEB),
            NODES,
            List.of(),
            List.of(handWritten("z", "spiffe://example.org/workload", List.of())));

    PlanResult plan =
        Planner.plan(config(Mode.CRD).podController(false).dnsNameTemplates().build(), objects);

    assertThat(plan.entries())
        .extracting(e -> e.spiffeId().toString())
        .containsExactly("spiffe://example.org/workload");
  }

  @Test
  void crdPodAndItsGeneratedSpiffeIdAppearOnce() {
    Workload labelled =
        pod("default", "web-0").uid("u-web").node("n1").label("spire-workload", "web").build();
    SpiffeIdResource generated =
        new SpiffeIdResource(
            "default",
            "web-0",
            Map.of("podUid", "u-web"),
            new SpiffeIdResource.Spec(
                "spiffe://example.org/k8s-workload-registrar/prod/node/n1",
                "spiffe://example.org/web",
                new SpiffeIdResource.Selector(
                    "", "", Map.of(), "", "u-web", "default", "", "", "", "n1", List.of()),
                false,
                List.of(),
                List.of()),
            "");

    PlanResult plan =
        Planner.plan(
            config(Mode.CRD).podLabel("spire-workload").dnsNameTemplates().build(),
            new ClusterObjects(List.of(labelled), List.of(), List.of(), List.of(generated)));

    assertThat(plan.entries()).hasSize(1);
  }

  @Test
  void crdWithTheDefaultTemplatesPlansServiceAccountIdsAndPodNames() {
    Workload web = pod("default", "web-0").uid("u-web").sa("web").node("n1").build();
    Workload shortName = pod("default", "a").uid("u-a").sa("web").node("n1").build();

    PlanResult plan =
        Planner.plan(
            config(Mode.CRD).build(),
            new ClusterObjects(List.of(web, shortName), List.of(), List.of(), List.of()));

    assertThat(plan.entries())
        .extracting(EntrySpec::dnsNames)
        .containsExactlyInAnyOrder(List.of("web-0"), List.of("a"));
    assertThat(plan.entries())
        .extracting(e -> e.spiffeId().toString())
        .containsOnly("spiffe://example.org/ns/default/sa/web");
    // Current SPIRE (>= 1.9) accepts the single-character name.
    assertThat(plan.warnings()).isEmpty();
  }

  @Test
  void entriesAreInPlanOrder() {
    PlanResult plan =
        Planner.plan(
            config(Mode.RECONCILE).build(),
            objects(
                List.of(API, WEB, pod("default", "zz").sa("aa").node("n2").build()), List.of()));

    assertThat(plan.entries()).isSortedAccordingTo(EntrySpecs.PLAN_ORDER);
  }
}
