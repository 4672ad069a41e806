package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.pod;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.podSpec;

import io.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.kubernetes.client.extended.leaderelection.LeaderElector;
import io.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * client-java's informers and client-java-extended's Lease leader election against the stand-in.
 */
class InformerAndLeaderElectionTest {
  private KubernetesApiStandIn standIn;
  private ApiClient client;
  private CoreV1Api core;
  private SharedInformerFactory factory;
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
    client = standIn.client();
    core = new CoreV1Api(client);
  }

  @AfterEach
  void stop() {
    if (factory != null) {
      factory.stopAllRegisteredInformers();
    }
    standIn.close();
  }

  private void startPodInformer() throws InterruptedException {
    factory = new SharedInformerFactory(client);
    SharedIndexInformer<V1Pod> informer =
        factory.sharedIndexInformerFor(
            new GenericKubernetesApi<>(V1Pod.class, V1PodList.class, "", "v1", "pods", client),
            V1Pod.class,
            0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(V1Pod pod) {
            events.add("add " + pod.getMetadata().getName());
          }

          @Override
          public void onUpdate(V1Pod before, V1Pod after) {
            if (!before
                .getMetadata()
                .getResourceVersion()
                .equals(after.getMetadata().getResourceVersion())) {
              events.add(
                  "update " + after.getMetadata().getName() + " " + after.getSpec().getNodeName());
            }
          }

          @Override
          public void onDelete(V1Pod pod, boolean finalStateUnknown) {
            events.add(
                "delete " + pod.getMetadata().getName() + (finalStateUnknown ? " unknown" : ""));
          }
        });
    factory.startAllRegisteredInformers();
    await().atMost(Duration.ofSeconds(10)).until(informer::hasSynced);
  }

  private String next() throws InterruptedException {
    String e = events.poll(10, TimeUnit.SECONDS);
    assertThat(e).as("next informer event").isNotNull();
    return e;
  }

  private void awaitWatches(long count) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> standIn.requestCount("watch", "pods") >= count);
  }

  @Test
  void informerSeesExistingObjectsThenAddsUpdatesAndDeletes() throws Exception {
    standIn.create(ResourceType.PODS.collectionPath("default"), pod("pre", "n"));
    startPodInformer();
    assertThat(next()).isEqualTo("add pre");

    V1Pod created = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    core.replaceNamespacedPod("web-0", "default", created.spec(podSpec("node-2"))).execute();
    core.deleteNamespacedPod("web-0", "default").execute();

    assertThat(next()).isEqualTo("add web-0");
    assertThat(next()).isEqualTo("update web-0 node-2");
    assertThat(next()).isEqualTo("delete web-0");
    assertThat(standIn.requestCount("list", "pods")).isEqualTo(1);
  }

  @Test
  void informerRewatchesAfterTheWatchIsDroppedAndSeesLaterChanges() throws Exception {
    startPodInformer();
    awaitWatches(1);

    standIn.dropWatches();
    awaitWatches(2);
    core.createNamespacedPod("default", pod("after-drop", "node-1")).execute();

    assertThat(next()).isEqualTo("add after-drop");
    assertThat(standIn.requestCount("list", "pods")).as("no re-list needed").isEqualTo(1);
  }

  @Test
  void informerRelistsAfter410GoneAndMissesNothing() throws Exception {
    startPodInformer();
    awaitWatches(1);
    core.createNamespacedPod("default", pod("before", "node-1")).execute();
    assertThat(next()).isEqualTo("add before");

    standIn.expireHistory();
    standIn.dropWatches();
    // Written while the informer is between watches: it must still see it after re-listing.
    standIn.create(ResourceType.PODS.collectionPath("default"), pod("during", "n"));

    assertThat(next()).isEqualTo("add during");
    assertThat(standIn.requestCount("list", "pods")).isEqualTo(2);
    core.createNamespacedPod("default", pod("after", "node-1")).execute();
    assertThat(next()).isEqualTo("add after");
  }

  @Test
  void leaseElectionFailsOverWhenTheLeaderStops() throws Exception {
    ExecutorService runners = Executors.newFixedThreadPool(2);
    LeaderElector a = elector("pod-a");
    LeaderElector b = elector("pod-b");
    try {
      runners.submit(() -> a.run(() -> events.add("a leads"), () -> events.add("a stops")));
      assertThat(next()).isEqualTo("a leads");
      runners.submit(() -> b.run(() -> events.add("b leads"), () -> events.add("b stops")));
      assertThat(events.poll(2500, TimeUnit.MILLISECONDS))
          .as("b waits past the lease duration while a renews")
          .isNull();

      a.close();

      // a's hook runs when its loop notices the shutdown, b's when a's lease expires: any order.
      assertThat(List.of(next(), next())).containsExactlyInAnyOrder("a stops", "b leads");
      assertThat(
              standIn
                  .get("/apis/coordination.k8s.io/v1/namespaces/default/leases/registrar")
                  .orElseThrow()
                  .at("/spec/holderIdentity")
                  .asText())
          .isEqualTo("pod-b");
    } finally {
      a.close();
      b.close();
      runners.shutdownNow();
    }
  }

  private LeaderElector elector(String identity) {
    return new LeaderElector(
        new LeaderElectionConfig(
            new LeaseLock("default", "registrar", identity, client),
            // Short, but with room for a slow machine: every renewal must finish within the
            // retry period, and a leader that cannot renew for the renew deadline steps down.
            Duration.ofMillis(2000),
            Duration.ofMillis(1500),
            Duration.ofMillis(300)));
  }
}
