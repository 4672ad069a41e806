package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigParser;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.entry.PlanResult;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.ClusterEvents;
import org.spireregistrar.kubernetes.ClusterInformers;
import org.spireregistrar.kubernetes.JsonTrees;
import org.spireregistrar.kubernetes.ObjectViews;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.kubernetes.testing.StandInRequest;

/**
 * The informers keep only views, reduced to what the policy reads before they are stored, and list
 * in pages: the entries computed from what they keep are exactly the entries computed from the
 * whole objects (the corpus: the example cluster plus a pod shaped like a real API server's, with
 * managed fields, containers, status and unrelated labels and annotations), for every reconcile
 * policy with and without DNS names. A field the policy reads that the reduction dropped would
 * change an entry here.
 *
 * <p>Also: a sink that takes objects while listing gets each object of the first lists as its page
 * is decoded, before the list is whole; a list that fails part way never leaves it with an object
 * the list that succeeds does not hold; a sink that does not take them sees only the informers'
 * events.
 */
class InformedViewsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  // Lists that fail are tried again after the reflector's backoff.
  private static final Duration LIST_WAIT = Duration.ofSeconds(60);
  private static final int PAGE = 2;

  private KubernetesApiStandIn k8s;
  private ClusterInformers informers;

  @BeforeEach
  void start() throws Exception {
    k8s = KubernetesApiStandIn.start();
    for (String file : List.of("pods.yaml", "nodes.yaml", "endpoints.yaml")) {
      k8s.load(Path.of("../examples/cluster", file));
    }
    k8s.create(
        "/api/v1/namespaces/shop/pods",
        (ObjectNode) new ObjectMapper().readTree(RealisticPod.JSON));
  }

  @AfterEach
  void stop() {
    if (informers != null) {
      informers.close();
    }
    k8s.close();
  }

  static Stream<Map<String, Object>> configs() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (boolean dns : new boolean[] {false, true}) {
      for (String[] policy :
          new String[][] {
            {}, {"pod_label", "spire-workload"}, {"pod_annotation", "spiffe.io/spiffe-id"}
          }) {
        Map<String, Object> items = new LinkedHashMap<>();
        items.put("mode", "reconcile");
        items.put("trust_domain", "example.org");
        items.put("cluster", "demo-cluster");
        items.put("server_socket_path", "/tmp/api.sock");
        items.put("disabled_namespaces", List.of("kube-system", "disabled"));
        items.put("add_pod_dns_names", dns);
        if (policy.length > 0) {
          items.put(policy[0], policy[1]);
        }
        out.add(items);
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void entriesFromReducedViewsEqualEntriesFromWholeObjects(Map<String, Object> items)
      throws Exception {
    RegistrarConfig config = ConfigParser.parse(ConfigDocument.of(items));
    Recorder informed =
        inform(SyncEngine.relevantView(config), config.reconcile().addPodDnsNames());

    PlanResult fromWhole = Planner.plan(config, whole());
    PlanResult fromInformed = Planner.plan(config, informed.objects());
    assertThat(fromWhole.entries()).isNotEmpty();
    assertThat(fromInformed.entries()).isEqualTo(fromWhole.entries());
    assertThat(fromInformed.rejected())
        .extracting(Throwable::getMessage)
        .isEqualTo(fromWhole.rejected().stream().map(Throwable::getMessage).toList());
    // The reduction did drop something: the realistic pod's unrelated labels and annotations.
    Workload reduced = informed.pods.get("shop/catalog-6f7c9d8b5-x2kqp");
    assertThat(reduced.labels()).doesNotContainKey("pod-template-hash");
    assertThat(reduced.annotations()).doesNotContainKey("kubectl.kubernetes.io/restartedAt");
  }

  @Test
  void withoutReductionTheViewsAreExactlyTheMappingOfTheWholeObjects() throws Exception {
    Recorder informed = inform(UnaryOperator.identity(), true);
    ClusterObjects whole = whole();
    assertThat(informed.pods.values()).containsExactlyInAnyOrderElementsOf(whole.pods());
    assertThat(informed.nodes.values()).containsExactlyInAnyOrderElementsOf(whole.nodes());
    assertThat(informed.endpoints.values()).containsExactlyInAnyOrderElementsOf(whole.endpoints());
  }

  @Test
  void listsArePagedAndTheWatchResumesAfterTheList() throws Exception {
    Recorder informed = inform(UnaryOperator.identity(), false);
    int pods = k8s.list("/api/v1/pods").size();
    assertThat(informed.pods).hasSize(pods);
    List<StandInRequest> lists = k8s.requests().stream().filter(r -> r.is("list", "pods")).toList();
    // ceil(pods / PAGE) requests of PAGE items each: the first without a continue token.
    assertThat(lists).hasSize((pods + PAGE - 1) / PAGE);
    assertThat(lists).allSatisfy(r -> assertThat(r.query()).contains("limit=" + PAGE));
    assertThat(lists.get(0).query()).doesNotContain("continue=");
    assertThat(lists.subList(1, lists.size()))
        .allSatisfy(r -> assertThat(r.query()).contains("continue="));

    // Changes after the list arrive through the watch, from the list's resource version.
    k8s.patch(
        "/api/v1/namespaces/shop/pods/web-0",
        Map.of("metadata", Map.of("labels", Map.of("a", "b"))));
    await().atMost(WAIT).until(() -> informed.pods.get("shop/web-0").labels().containsKey("a"));
    k8s.delete("/api/v1/namespaces/shop/pods/cart-7d9f");
    await().atMost(WAIT).until(() -> !informed.pods.containsKey("shop/cart-7d9f"));

    // The history expires and the watch drops: the informer lists again (paged) and goes on.
    long listsBefore = k8s.requestCount("list", "pods");
    k8s.expireHistory();
    k8s.dropWatches();
    k8s.delete("/api/v1/namespaces/shop/pods/web-0");
    await().atMost(WAIT).until(() -> !informed.pods.containsKey("shop/web-0"));
    k8s.create(
        "/api/v1/namespaces/shop/pods",
        Map.of(
            "metadata", Map.of("name", "late-0", "namespace", "shop"),
            "spec", Map.of("nodeName", "node-a", "containers", List.of(Map.of("name", "c")))));
    await().atMost(WAIT).until(() -> informed.pods.containsKey("shop/late-0"));
    assertThat(k8s.requestCount("list", "pods")).isGreaterThan(listsBefore);
  }

  private Set<String> podsInApi() {
    return k8s.list("/api/v1/pods").stream()
        .map(InformedViewsTest::ref)
        .collect(Collectors.toSet());
  }

  private static String ref(ObjectNode o) {
    return o.path("metadata").path("namespace").asText()
        + "/"
        + o.path("metadata").path("name").asText();
  }

  @Test
  void pagesArriveBeforeTheListIsWholeAndAFailedListLeavesNoPhantom() throws Exception {
    List<String> all = k8s.list("/api/v1/pods").stream().map(InformedViewsTest::ref).toList();
    assertThat(all).hasSizeGreaterThan(2 * PAGE);
    Recorder recorder = new Recorder(true);
    // Every page after the first fails: the list cannot finish.
    AutoCloseable laterPages =
        k8s.failRequests(r -> r.is("list", "pods") && r.query().contains("continue="), 500);
    informers = new ClusterInformers(k8s.client(), recorder, true, UnaryOperator.identity(), PAGE);
    informers.start();

    // The first page's pods arrived, though the list never completed.
    await().atMost(LIST_WAIT).until(() -> recorder.pods.size() == PAGE);
    assertThat(recorder.calls).doesNotContain("cachesSynced");
    assertThat(k8s.requestCount("list", "pods")).isGreaterThanOrEqualTo(2);

    // One of them is deleted before the list succeeds: it must not stay with the sink.
    String deleted = recorder.pods.keySet().iterator().next();
    assertThat(k8s.delete("/api/v1/namespaces/" + deleted.replace("/", "/pods/"))).isTrue();
    laterPages.close();

    await().atMost(LIST_WAIT).until(() -> recorder.calls.contains("cachesSynced"));
    await().atMost(LIST_WAIT).until(() -> recorder.pods.keySet().equals(podsInApi()));
    assertThat(recorder.pods).doesNotContainKey(deleted);
    assertThat(recorder.deleted).contains(deleted);
    // The Endpoints had synced before the pods: acting on what was listed was allowed first.
    assertThat(recorder.calls.indexOf("partlySynced"))
        .isGreaterThanOrEqualTo(0)
        .isLessThan(recorder.calls.indexOf("cachesSynced"));
    assertThat(recorder.calls.stream().filter("partlySynced"::equals)).hasSize(1);
  }

  @Test
  void aSinkThatDoesNotTakeObjectsWhileListingSeesNothingBeforeTheListIsWhole() throws Exception {
    Recorder recorder = new Recorder(false);
    AutoCloseable laterPages =
        k8s.failRequests(r -> r.is("list", "pods") && r.query().contains("continue="), 500);
    informers = new ClusterInformers(k8s.client(), recorder, false, UnaryOperator.identity(), PAGE);
    informers.start();
    // Lists were tried (and failed) more than once, and nothing arrived from the first pages.
    await().atMost(LIST_WAIT).until(() -> k8s.requestCount("list", "pods") >= 4);
    assertThat(recorder.pods).isEmpty();
    laterPages.close();
    await().atMost(LIST_WAIT).until(() -> recorder.calls.contains("cachesSynced"));
    await().atMost(LIST_WAIT).until(() -> recorder.pods.keySet().equals(podsInApi()));
    assertThat(recorder.deleted).isEmpty();
  }

  @Test
  void anotherResourceIsListedPagedWithTheOthersAndTheSyncWaitsForIt() throws Exception {
    String collection = ResourceType.SPIFFEIDS.collectionPath("shop");
    for (String name : List.of("a", "b", "c")) {
      k8s.create(
          collection,
          ResourceType.SPIFFEIDS.object(
              "shop", name, Map.of("spiffeId", "spiffe://example.org/" + name)));
    }
    Recorder recorder = new Recorder(false);
    Map<String, String> ids = new ConcurrentHashMap<>();
    List<String> gone = new CopyOnWriteArrayList<>();
    AutoCloseable failing = k8s.failRequests(r -> r.is("list", "spiffeids"), 500);
    informers = new ClusterInformers(k8s.client(), recorder, false, UnaryOperator.identity(), PAGE);
    informers.watchAlso(
        new ClusterInformers.Resource<>(
            "spiffeid.spiffe.io",
            "v1beta1",
            "spiffeids",
            "SpiffeID",
            raw -> {
              JsonObject meta = raw.getAsJsonObject("metadata");
              return List.of(
                  meta.get("namespace").getAsString(),
                  meta.get("name").getAsString(),
                  raw.getAsJsonObject("spec").get("spiffeId").getAsString());
            },
            v -> v.get(0),
            v -> v.get(1)),
        v -> ids.put(v.get(0) + "/" + v.get(1), v.get(2)),
        v -> gone.add(v.get(0) + "/" + v.get(1)));
    informers.start();

    // The pods are listed, but while the SpiffeIDs cannot be, the caches are not synced.
    await().atMost(LIST_WAIT).until(() -> recorder.pods.keySet().equals(podsInApi()));
    await().atMost(LIST_WAIT).until(() -> k8s.requestCount("list", "spiffeids") >= 2);
    assertThat(recorder.calls).doesNotContain("cachesSynced");
    assertThat(informers.hasSynced()).isFalse();
    failing.close();

    await().atMost(LIST_WAIT).until(() -> recorder.calls.contains("cachesSynced"));
    assertThat(ids)
        .containsOnly(
            Map.entry("shop/a", "spiffe://example.org/a"),
            Map.entry("shop/b", "spiffe://example.org/b"),
            Map.entry("shop/c", "spiffe://example.org/c"));
    assertThat(k8s.requests().stream().filter(r -> r.is("list", "spiffeids")))
        .allSatisfy(r -> assertThat(r.query()).contains("limit=" + PAGE))
        .anySatisfy(r -> assertThat(r.query()).contains("continue="));
    k8s.delete(collection + "/b");
    await().atMost(WAIT).until(() -> gone.contains("shop/b"));
    assertThatThrownBy(
            () ->
                informers.watchAlso(
                    new ClusterInformers.Resource<>(
                        "g", "v1", "xs", "X", raw -> raw, v -> "", v -> ""),
                    v -> {},
                    v -> {}))
        .isInstanceOf(IllegalStateException.class);
  }

  /** The objects as the stand-in holds them, whole, through the same mapping. */
  private ClusterObjects whole() {
    ObjectViews views = new ObjectViews(ObjectViews.Strictness.LENIENT, "");
    List<Workload> pods = new ArrayList<>();
    for (ObjectNode o : k8s.list("/api/v1/pods")) {
      pods.add(views.pod(gson(o)));
    }
    List<NodeInfo> nodes = new ArrayList<>();
    for (ObjectNode o : k8s.list("/api/v1/nodes")) {
      nodes.add(views.node(gson(o)));
    }
    List<EndpointsInfo> endpoints = new ArrayList<>();
    for (ObjectNode o : k8s.list("/api/v1/endpoints")) {
      endpoints.add(views.endpoints(gson(o)));
    }
    return new ClusterObjects(pods, nodes, endpoints, List.of());
  }

  private static JsonObject gson(ObjectNode o) {
    return JsonTrees.toGson(o).getAsJsonObject();
  }

  private Recorder inform(UnaryOperator<Workload> podView, boolean endpoints)
      throws InterruptedException {
    ApiClient client = k8s.client();
    Recorder recorder = new Recorder();
    informers = new ClusterInformers(client, recorder, endpoints, podView, PAGE);
    informers.start();
    assertThat(recorder.synced.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    // Synced means the informers' stores hold every object; their handlers deliver to the
    // recorder on threads of their own, so wait for those deliveries too.
    ClusterObjects whole = whole();
    await()
        .atMost(WAIT)
        .until(
            () ->
                recorder.pods.size() == whole.pods().size()
                    && recorder.nodes.size() == whole.nodes().size()
                    && recorder.endpoints.size() == (endpoints ? whole.endpoints().size() : 0));
    return recorder;
  }

  /** What the informers delivered, by key; the lifecycle calls in order. */
  private static final class Recorder implements ClusterEvents {
    final boolean early;
    final Map<String, Workload> pods = new ConcurrentHashMap<>();
    final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
    final Map<String, EndpointsInfo> endpoints = new ConcurrentHashMap<>();
    final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch synced = new CountDownLatch(1);

    Recorder() {
      this(false);
    }

    /**
     * @param early whether it takes objects while listing
     */
    Recorder(boolean early) {
      this.early = early;
    }

    ClusterObjects objects() {
      return new ClusterObjects(
          List.copyOf(pods.values()),
          List.copyOf(nodes.values()),
          List.copyOf(endpoints.values()),
          List.of());
    }

    @Override
    public void podUpserted(Workload pod) {
      pods.put(pod.ref(), pod);
    }

    @Override
    public void podDeleted(String namespace, String name) {
      pods.remove(namespace + "/" + name);
      deleted.add(namespace + "/" + name);
    }

    @Override
    public void nodeUpserted(NodeInfo node) {
      nodes.put(node.name(), node);
    }

    @Override
    public void nodeDeleted(String name) {
      nodes.remove(name);
    }

    @Override
    public void endpointsUpserted(EndpointsInfo e) {
      endpoints.put(e.namespace() + "/" + e.name(), e);
    }

    @Override
    public void endpointsDeleted(String namespace, String name) {
      endpoints.remove(namespace + "/" + name);
    }

    @Override
    public void cachesSynced() {
      calls.add("cachesSynced");
      synced.countDown();
    }

    @Override
    public boolean takesObjectsWhileListing() {
      return early;
    }

    @Override
    public void partlySynced() {
      calls.add("partlySynced");
    }
  }

  /** A pod as a real API server returns it (kubectl get -o json of a Deployment's pod). */
  private static final class RealisticPod {
    static final String JSON =
        """
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "catalog-6f7c9d8b5-x2kqp",
            "generateName": "catalog-6f7c9d8b5-",
            "namespace": "shop",
            "uid": "5a0c5f3e-2b7e-4c1d-9a55-0d3c1f2e8b11",
            "creationTimestamp": "2026-11-27T09:00:00Z",
            "labels": {
              "app": "catalog",
              "pod-template-hash": "6f7c9d8b5",
              "spire-workload": "catalog",
              "app.kubernetes.io/part-of": "shop"
            },
            "annotations": {
              "kubectl.kubernetes.io/restartedAt": "2026-11-27T08:59:00Z",
              "spiffe.io/spiffe-id": "shop/catalog",
              "spiffe.io/federatesWith": "partner.example"
            },
            "ownerReferences": [{
              "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "catalog-6f7c9d8b5",
              "uid": "9b2f8a61-1111-4c1d-9a55-0d3c1f2e8b11", "controller": true,
              "blockOwnerDeletion": true
            }],
            "managedFields": [{
              "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
              "time": "2026-11-27T09:00:00Z", "fieldsType": "FieldsV1",
              "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}}},
                           "f:spec": {"f:containers": {"k:{\\"name\\":\\"app\\"}": {".": {}}}}}
            }]
          },
          "spec": {
            "serviceAccountName": "catalog",
            "serviceAccount": "catalog",
            "nodeName": "node-b",
            "hostname": "catalog-0",
            "subdomain": "catalog",
            "restartPolicy": "Always",
            "containers": [
              {"name": "app", "image": "registry.example/catalog:2.3.1",
               "ports": [{"containerPort": 8080, "protocol": "TCP"}],
               "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}],
               "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5},
               "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}},
              {"name": "sidecar", "image": "registry.example/proxy:1.9",
               "args": ["--listen", ":15001"]}
            ],
            "volumes": [{"name": "kube-api-access-abcde", "projected": {"sources": [
              {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]
          },
          "status": {
            "phase": "Running",
            "podIP": "10.0.2.11",
            "podIPs": [{"ip": "10.0.2.11"}],
            "hostIP": "192.168.0.12",
            "conditions": [
              {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-27T09:00:09Z"},
              {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-11-27T09:00:00Z"}
            ],
            "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
              "image": "registry.example/catalog:2.3.1", "imageID": "sha256:0123",
              "state": {"running": {"startedAt": "2026-11-27T09:00:05Z"}}}]
          }
        }
        """;
  }
}
