package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.ClusterEvents;
import org.spireregistrar.kubernetes.ClusterInformers;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;

/**
 * A sink that takes objects while listing gets each object of the first lists as its page is
 * decoded, before the list is whole; a list that fails part way never leaves it with an object the
 * list that succeeds does not hold; a sink that does not take them sees only the informers' events.
 */
class EarlyListingTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int PAGE = 2;

  private KubernetesApiStandIn k8s;
  private ClusterInformers informers;

  @BeforeEach
  void start() {
    k8s = KubernetesApiStandIn.start();
    for (String file : List.of("pods.yaml", "nodes.yaml", "endpoints.yaml")) {
      k8s.load(Path.of("../examples/cluster", file));
    }
  }

  @AfterEach
  void stop() {
    if (informers != null) {
      informers.close();
    }
    k8s.close();
  }

  private Set<String> podsInApi() {
    return k8s.list("/api/v1/pods").stream().map(EarlyListingTest::ref).collect(Collectors.toSet());
  }

  private static String ref(ObjectNode o) {
    return o.path("metadata").path("namespace").asText()
        + "/"
        + o.path("metadata").path("name").asText();
  }

  @Test
  void pagesArriveBeforeTheListIsWholeAndAFailedListLeavesNoPhantom() throws Exception {
    List<String> all = k8s.list("/api/v1/pods").stream().map(EarlyListingTest::ref).toList();
    assertThat(all).hasSizeGreaterThan(2 * PAGE);
    Recorder recorder = new Recorder(true);
    // Every page after the first fails: the list cannot finish.
    AutoCloseable laterPages =
        k8s.failRequests(r -> r.is("list", "pods") && r.query().contains("continue="), 500);
    informers = new ClusterInformers(k8s.client(), recorder, true, UnaryOperator.identity(), PAGE);
    informers.start();

    // The first page's pods arrived, though the list never completed.
    await().atMost(WAIT).until(() -> recorder.pods.size() == PAGE);
    assertThat(recorder.calls).doesNotContain("cachesSynced");
    assertThat(k8s.requestCount("list", "pods")).isGreaterThanOrEqualTo(2);

    // One of them is deleted before the list succeeds: it must not stay with the sink.
    String deleted = recorder.pods.keySet().iterator().next();
    assertThat(k8s.delete("/api/v1/namespaces/" + deleted.replace("/", "/pods/"))).isTrue();
    laterPages.close();

    await().atMost(WAIT).until(() -> recorder.calls.contains("cachesSynced"));
    await().atMost(WAIT).until(() -> recorder.pods.keySet().equals(podsInApi()));
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
    await().atMost(WAIT).until(() -> k8s.requestCount("list", "pods") >= 4);
    assertThat(recorder.pods).isEmpty();
    laterPages.close();
    await().atMost(WAIT).until(() -> recorder.calls.contains("cachesSynced"));
    await().atMost(WAIT).until(() -> recorder.pods.keySet().equals(podsInApi()));
    assertThat(recorder.deleted).isEmpty();
  }

  /** What arrived, in order for the lifecycle calls. */
  private static final class Recorder implements ClusterEvents {
    final boolean early;
    final Map<String, Workload> pods = new ConcurrentHashMap<>();
    final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    Recorder(boolean early) {
      this.early = early;
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
    public void nodeUpserted(NodeInfo node) {}

    @Override
    public void nodeDeleted(String name) {}

    @Override
    public void endpointsUpserted(EndpointsInfo endpoints) {}

    @Override
    public void endpointsDeleted(String namespace, String name) {}

    @Override
    public void cachesSynced() {
      calls.add("cachesSynced");
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
}
