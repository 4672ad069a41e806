package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.CommonConfig;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.LeaseLeaderElection;
import org.spireregistrar.kubernetes.ObjectViews;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.reconcile.Ticker;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * What crd mode's end-to-end tests share: the production Kubernetes client against the API stand-in
 * (real HTTP watches, owner-reference GC, finalizers, namespace deletion), the real gRPC store over
 * a Unix socket against the in-memory SPIRE server, and helpers that make objects and compare the
 * result with what {@code plan} prints.
 */
abstract class CrdModeFixture {
  static final TrustDomain TD = new TrustDomain("example.org");
  static final Duration CONVERGE = Duration.ofSeconds(30);
  static final String NS = "spire";
  static final String PREFIX = "k8s-workload-registrar.c1.";
  static final String NODE_ROOT = "spiffe://example.org/k8s-workload-registrar/c1/node/";
  static final ObjectViews VIEWS = new ObjectViews(ObjectViews.Strictness.STRICT, "");

  @TempDir Path dir;
  InMemorySpireServer spire;
  KubernetesApiStandIn k8s;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() {
    k8s = KubernetesApiStandIn.start();
  }

  void startSpire(boolean ignoreClientIds) {
    startSpire(ignoreClientIds, false);
  }

  /**
   * @param legacyDnsRules whether the server checks DNS names by the rules of SPIRE before 1.9
   */
  void startSpire(boolean ignoreClientIds, boolean legacyDnsRules) {
    spire =
        InMemorySpireServer.builder()
            .trustDomain(TD)
            .socketPath(dir.resolve("api.sock"))
            .ignoreClientEntryIds(ignoreClientIds)
            .legacyDnsRules(legacyDnsRules)
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    k8s.close();
    if (spire != null) {
      spire.close();
    }
  }

  RegistrarConfig config(String identityTemplateLabel, boolean leaderElection) {
    CommonConfig common =
        new CommonConfig(
            "info",
            "",
            "",
            TD,
            spire.address(),
            "",
            "",
            "c1",
            "",
            "",
            Mode.CRD,
            List.of("kube-system"));
    CrdConfig crd =
        new CrdConfig(
            true,
            true,
            leaderElection,
            "leases",
            "127.0.0.1:0",
            false,
            "/run/spire/serving-certs",
            9443,
            "k8s-workload-registrar",
            "",
            identityTemplateLabel,
            CrdConfig.DEFAULT_DNS_NAME_TEMPLATES,
            Map.of());
    return new RegistrarConfig(
        common, WebhookConfig.DEFAULTS, ReconcileConfig.DEFAULTS, crd, List.of());
  }

  RegistrarConfig config() {
    return config("", false);
  }

  CrdMode startMode(RegistrarConfig config, String identity) {
    GrpcEntryStore store =
        GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS);
    closeables.add(store);
    CrdMode mode =
        new CrdMode(
            config,
            k8s.client(),
            store,
            new CrdMode.Runtime(
                NS,
                identity,
                new LeaseLeaderElection.Timing(
                    Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(200)),
                Ticker.SYSTEM));
    closeables.add(mode);
    mode.start();
    return mode;
  }

  // ------------------------------------------------------------------ objects

  ObjectNode node(String name) {
    return k8s.create(
        ResourceType.NODES.collectionPath(null),
        Map.of("apiVersion", "v1", "kind", "Node", "metadata", Map.of("name", name)));
  }

  ObjectNode pod(String ns, String name, String node, Map<String, String> labels) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", name);
    meta.put("namespace", ns);
    meta.put("labels", labels);
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    pod.put("metadata", meta);
    pod.put(
        "spec",
        Map.of(
            "serviceAccountName",
            "sa-" + name,
            "nodeName",
            node,
            "containers",
            List.of(Map.of("name", "c", "image", "busybox"))));
    return k8s.create(ResourceType.PODS.collectionPath(ns), pod);
  }

  void endpoints(String ns, String name, ObjectNode... pods) {
    List<Map<String, Object>> addresses = new ArrayList<>();
    int i = 1;
    for (ObjectNode p : pods) {
      addresses.add(
          Map.of(
              "ip",
              "10.0.0." + i++,
              "targetRef",
              Map.of(
                  "kind",
                  "Pod",
                  "namespace",
                  ns,
                  "name",
                  p.at("/metadata/name").asText(),
                  "uid",
                  p.at("/metadata/uid").asText())));
    }
    Map<String, Object> ep = new LinkedHashMap<>();
    ep.put("apiVersion", "v1");
    ep.put("kind", "Endpoints");
    ep.put("metadata", Map.of("name", name, "namespace", ns));
    ep.put("subsets", addresses.isEmpty() ? List.of() : List.of(Map.of("addresses", addresses)));
    String path = ResourceType.ENDPOINTS.objectPath(ns, name);
    if (k8s.get(path).isPresent()) {
      k8s.patch(path, Map.of("subsets", ep.get("subsets"))); // an update, not a delete
    } else {
      k8s.create(ResourceType.ENDPOINTS.collectionPath(ns), ep);
    }
  }

  void namespace(String name) {
    k8s.create(
        ResourceType.NAMESPACES.collectionPath(null),
        Map.of("apiVersion", "v1", "kind", "Namespace", "metadata", Map.of("name", name)));
  }

  boolean namespaceExists(String name) {
    return k8s.get(ResourceType.NAMESPACES.objectPath(null, name)).isPresent();
  }

  /** Stops a replica as a crash would leave things (its lease is released, nothing else). */
  void stopMode(CrdMode mode) {
    closeables.remove(mode);
    mode.close();
  }

  String leaseHolder() {
    return k8s.get(ResourceType.LEASES.objectPath(NS, CrdMode.LEASE_NAME))
        .map(l -> l.at("/spec/holderIdentity").asText())
        .orElse("");
  }

  static String uid(ObjectNode object) {
    return object.at("/metadata/uid").asText();
  }

  List<Entry> entriesWith(String selector) {
    Selector s = Selector.parse(selector);
    return spire.entries().stream().filter(e -> e.spec().selectors().contains(s)).toList();
  }

  ObjectNode manualSpiffeId(String ns, String name, Map<String, Object> spec) {
    return manualSpiffeId(ns, name, spec, Map.of());
  }

  ObjectNode manualSpiffeId(
      String ns, String name, Map<String, Object> spec, Map<String, Object> extraMeta) {
    return k8s.create(
        ResourceType.SPIFFEIDS.collectionPath(ns),
        ResourceType.SPIFFEIDS.object(ns, name, extraMeta, spec));
  }

  static Map<String, Object> manualSpec(String id, Map<String, Object> selector) {
    return Map.of(
        "parentId", "spiffe://example.org/spire/server", "spiffeId", id, "selector", selector);
  }

  List<ObjectNode> spiffeIds() {
    return k8s.list(ResourceType.SPIFFEIDS.collectionPath(null));
  }

  ObjectNode spiffeId(String ns, String name) {
    return k8s.get(ResourceType.SPIFFEIDS.objectPath(ns, name)).orElse(null);
  }

  static com.google.gson.JsonObject gson(JsonNode node) {
    return JsonParser.parseString(node.toString()).getAsJsonObject();
  }

  /** What {@code plan} prints for the cluster's Pods, Nodes, Endpoints and manual SpiffeIDs. */
  Set<EntrySpec> planned(RegistrarConfig config) {
    List<Workload> pods = new ArrayList<>();
    for (var p : k8s.list(ResourceType.PODS.collectionPath(null))) {
      pods.add(VIEWS.pod(gson(p)));
    }
    List<NodeInfo> nodes = new ArrayList<>();
    for (var n : k8s.list(ResourceType.NODES.collectionPath(null))) {
      nodes.add(VIEWS.node(gson(n)));
    }
    List<EndpointsInfo> eps = new ArrayList<>();
    for (var e : k8s.list(ResourceType.ENDPOINTS.collectionPath(null))) {
      eps.add(VIEWS.endpoints(gson(e)));
    }
    List<SpiffeIdResource> manual = new ArrayList<>();
    for (var s : spiffeIds()) {
      if (s.at("/metadata/ownerReferences").isMissingNode()) {
        manual.add(VIEWS.spiffeId(gson(s)));
      }
    }
    var plan = Planner.plan(config, new ClusterObjects(pods, nodes, eps, manual));
    return new HashSet<>(plan.entries());
  }

  Set<EntrySpec> entrySpecs() {
    Set<EntrySpec> out = new HashSet<>();
    for (Entry e : spire.entries()) {
      out.add(e.spec());
    }
    return out;
  }

  void awaitConverged(RegistrarConfig config) {
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              assertThat(entrySpecs()).isEqualTo(planned(config));
              assertThat(spire.entries()).hasSize(planned(config).size());
              for (ObjectNode s : spiffeIds()) {
                assertThat(s.at("/status/entryId").asText()).isNotEmpty();
              }
            });
  }

  void awaitIdle(CrdMode mode) throws InterruptedException {
    k8s.awaitControllers(CONVERGE);
    assertThat(mode.awaitIdle(CONVERGE)).isTrue();
  }

  static EntrySpec spec(String id, String parent, String... selectors) {
    List<Selector> s = new ArrayList<>();
    for (String text : selectors) {
      s.add(Selector.parse(text));
    }
    return EntrySpec.of(SpiffeId.parse(id), SpiffeId.parse(parent), s);
  }

  static EntryId id(Entry e) {
    return e.id();
  }
}
