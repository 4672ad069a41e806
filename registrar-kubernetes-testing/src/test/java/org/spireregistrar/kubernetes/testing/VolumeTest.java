package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.meta;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.podSpec;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Thousands of pods written concurrently reach watches and informers complete and in order. */
class VolumeTest {
  private static final int PODS = 2_000;
  private static final int WRITERS = 4;

  @Test
  void thousandsOfPodsCreatedConcurrentlyReachAWatchAndAnInformerInOrder() throws Exception {
    try (KubernetesApiStandIn standIn = KubernetesApiStandIn.start()) {
      ApiClient client = standIn.client();
      CoreV1Api core = new CoreV1Api(client);
      SharedInformerFactory factory = new SharedInformerFactory(client);
      SharedIndexInformer<V1Pod> informer =
          factory.sharedIndexInformerFor(
              new GenericKubernetesApi<>(V1Pod.class, V1PodList.class, "", "v1", "pods", client),
              V1Pod.class,
              0);
      factory.startAllRegisteredInformers();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
      try (Watch<V1Pod> watch =
          Watch.createWatch(
              client,
              core.listPodForAllNamespaces()
                  .watch(true)
                  .fieldSelector("spec.nodeName=node-0")
                  .resourceVersion(standIn.resourceVersion())
                  .buildCall(null),
              new TypeToken<Watch.Response<V1Pod>>() {}.getType())) {
        Future<List<Long>> watched =
            pool.submit(
                () -> {
                  List<Long> versions = new ArrayList<>();
                  while (versions.size() < PODS / 2) {
                    versions.add(
                        Long.parseLong(watch.next().object.getMetadata().getResourceVersion()));
                  }
                  return versions;
                });
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          writers.add(
              pool.submit(
                  () -> {
                    for (int i = writer; i < PODS; i += WRITERS) {
                      core.createNamespacedPod(
                              "ns-" + (i % 10),
                              new V1Pod()
                                  .metadata(meta("pod-" + i, null))
                                  .spec(podSpec("node-" + (i % 2))))
                          .execute();
                    }
                    return null;
                  }));
        }
        for (Future<?> f : writers) {
          f.get(60, TimeUnit.SECONDS);
        }

        assertThat(watched.get(60, TimeUnit.SECONDS)).hasSize(PODS / 2).isSorted();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> informer.getIndexer().list().size() == PODS);
        assertThat(core.listNamespacedPod("ns-3").execute().getItems()).hasSize(PODS / 10);
      } finally {
        factory.stopAllRegisteredInformers();
        pool.shutdownNow();
      }
    }
  }
}
