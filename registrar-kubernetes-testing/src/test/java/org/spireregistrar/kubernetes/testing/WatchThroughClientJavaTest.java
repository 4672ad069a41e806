package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.meta;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.pod;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.podSpec;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP streaming watches ({@code ?watch=true}) read by client-java's {@code Watch}. */
class WatchThroughClientJavaTest {
  private static final Type POD_EVENT = new TypeToken<Watch.Response<V1Pod>>() {}.getType();
  private static final String END = "END";

  private KubernetesApiStandIn standIn;
  private ApiClient client;
  private CoreV1Api core;
  private final ExecutorService readers = Executors.newCachedThreadPool();
  private final List<Watch<V1Pod>> watches = new ArrayList<>();

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.builder().bookmarkInterval(Duration.ofMillis(200)).start();
    client = standIn.client();
    core = new CoreV1Api(client);
  }

  @AfterEach
  void stop() throws IOException {
    for (Watch<V1Pod> w : watches) {
      w.close();
    }
    readers.shutdownNow();
    standIn.close();
  }

  /** Opens a watch and reads it on another thread into "TYPE name" strings, then END. */
  private BlockingQueue<String> watch(CoreV1Api.APIlistNamespacedPodRequest request)
      throws ApiException {
    Watch<V1Pod> watch = Watch.createWatch(client, request.watch(true).buildCall(null), POD_EVENT);
    watches.add(watch);
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    readers.submit(
        () -> {
          try {
            for (Watch.Response<V1Pod> e : watch) {
              events.add(describe(e));
            }
          } catch (RuntimeException e) {
            events.add("FAILED " + e.getMessage());
          }
          events.add(END);
        });
    return events;
  }

  private static String describe(Watch.Response<V1Pod> e) {
    if (e.status != null) {
      return e.type + " " + e.status.getCode();
    }
    if (e.type.equals("BOOKMARK")) {
      return "BOOKMARK";
    }
    return e.type + " " + e.object.getMetadata().getName();
  }

  private static List<String> take(BlockingQueue<String> events, int n)
      throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String e = events.poll(10, TimeUnit.SECONDS);
      assertThat(e).as("event %d of %d; got so far %s", i + 1, n, out).isNotNull();
      out.add(e);
    }
    return out;
  }

  private static String nextNonBookmark(BlockingQueue<String> events) throws InterruptedException {
    while (true) {
      String e = events.poll(10, TimeUnit.SECONDS);
      assertThat(e).as("next event").isNotNull();
      if (!e.equals("BOOKMARK")) {
        return e;
      }
    }
  }

  @Test
  void streamsAddedModifiedDeletedInOrder() throws Exception {
    String rv = core.listNamespacedPod("default").execute().getMetadata().getResourceVersion();
    BlockingQueue<String> events = watch(core.listNamespacedPod("default").resourceVersion(rv));

    V1Pod created = core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    core.replaceNamespacedPod("web-0", "default", created.spec(podSpec("node-2"))).execute();
    core.createNamespacedPod("default", pod("web-1", "node-1")).execute();
    core.deleteNamespacedPod("web-0", "default").execute();

    assertThat(take(events, 4))
        .containsExactly("ADDED web-0", "MODIFIED web-0", "ADDED web-1", "DELETED web-0");
  }

  @Test
  void watchWithoutResourceVersionStartsWithTheCurrentObjects() throws Exception {
    core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    core.createNamespacedPod("default", pod("web-1", "node-1")).execute();

    BlockingQueue<String> events = watch(core.listNamespacedPod("default"));
    core.deleteNamespacedPod("web-1", "default").execute();

    assertThat(take(events, 3)).containsExactly("ADDED web-0", "ADDED web-1", "DELETED web-1");
  }

  @Test
  void resumesFromAResourceVersionWithTheEventsAfterIt() throws Exception {
    core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    String rv = standIn.resourceVersion();
    core.createNamespacedPod("default", pod("web-1", "node-1")).execute();
    core.deleteNamespacedPod("web-0", "default").execute();

    BlockingQueue<String> events = watch(core.listNamespacedPod("default").resourceVersion(rv));

    assertThat(take(events, 2)).containsExactly("ADDED web-1", "DELETED web-0");
  }

  @Test
  void expiredResourceVersionGetsAnErrorEventWith410() throws Exception {
    core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    String old = standIn.resourceVersion();
    core.createNamespacedPod("default", pod("web-1", "node-1")).execute();
    standIn.expireHistory();

    BlockingQueue<String> events = watch(core.listNamespacedPod("default").resourceVersion(old));

    assertThat(take(events, 2)).containsExactly("ERROR 410", END);
  }

  @Test
  void tooOldEventsFallOutOfABoundedHistory() throws Exception {
    standIn.close();
    standIn = KubernetesApiStandIn.builder().historySize(2).start();
    client = standIn.client();
    core = new CoreV1Api(client);
    core.createNamespacedPod("default", pod("seed", "node-1")).execute();
    String start = standIn.resourceVersion();
    for (int i = 0; i < 3; i++) {
      core.createNamespacedPod("default", pod("web-" + i, "node-1")).execute();
    }

    Watch<V1Pod> watch =
        Watch.createWatch(
            client,
            core.listNamespacedPod("default").watch(true).resourceVersion(start).buildCall(null),
            POD_EVENT);
    watches.add(watch);
    Watch.Response<V1Pod> first = watch.next();

    assertThat(first.type).isEqualTo("ERROR");
    V1Status status = first.status;
    assertThat(status.getCode()).isEqualTo(410);
    assertThat(status.getReason()).isEqualTo("Expired");
    assertThat(status.getMessage()).startsWith("too old resource version: " + start);
  }

  @Test
  void labelSelectedWatchSeesObjectsEnterAndLeaveTheSelection() throws Exception {
    String rv = standIn.resourceVersion();
    BlockingQueue<String> events =
        watch(core.listNamespacedPod("default").labelSelector("app=web").resourceVersion(rv));

    V1Pod other =
        core.createNamespacedPod(
                "default",
                new V1Pod()
                    .metadata(meta("x", "default").labels(Map.of("app", "db")))
                    .spec(podSpec("n")))
            .execute();
    other.getMetadata().labels(Map.of("app", "web"));
    V1Pod joined = core.replaceNamespacedPod("x", "default", other).execute();
    joined.getMetadata().labels(Map.of("app", "db"));
    core.replaceNamespacedPod("x", "default", joined).execute();

    assertThat(take(events, 2)).containsExactly("ADDED x", "DELETED x");
  }

  @Test
  void fieldSelectedWatchSeesOnlyPodsOnItsNode() throws Exception {
    String rv = standIn.resourceVersion();
    BlockingQueue<String> events =
        watch(
            core.listPodForAllNamespaces()
                .fieldSelector("spec.nodeName=node-1")
                .resourceVersion(rv)
                .watch(true)
                .buildCall(null));

    core.createNamespacedPod("default", pod("elsewhere", "node-2")).execute();
    core.createNamespacedPod("default", pod("here", "node-1")).execute();

    assertThat(take(events, 1)).containsExactly("ADDED here");
  }

  private BlockingQueue<String> watch(okhttp3.Call call) throws ApiException {
    Watch<V1Pod> watch = Watch.createWatch(client, call, POD_EVENT);
    watches.add(watch);
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    readers.submit(
        () -> {
          for (Watch.Response<V1Pod> e : watch) {
            events.add(describe(e));
          }
          events.add(END);
        });
    return events;
  }

  @Test
  void timeoutSecondsEndsTheStream() throws Exception {
    BlockingQueue<String> events =
        watch(core.listNamespacedPod("default").timeoutSeconds(1).resourceVersion("0"));

    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(END);
  }

  @Test
  void bookmarksCarryTheLatestResourceVersion() throws Exception {
    BlockingQueue<String> events =
        watch(
            core.listNamespacedPod("default")
                .allowWatchBookmarks(true)
                .resourceVersion(standIn.resourceVersion()));
    core.createNamespacedPod(
            "other", new V1Pod().metadata(meta("elsewhere", null)).spec(podSpec("n")))
        .execute();

    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("BOOKMARK");
  }

  @Test
  void droppedWatchEndsTheStreamCleanly() throws Exception {
    BlockingQueue<String> events = watch(core.listNamespacedPod("default").resourceVersion("0"));
    core.createNamespacedPod("default", pod("web-0", "node-1")).execute();
    assertThat(nextNonBookmark(events)).isEqualTo("ADDED web-0");
    assertThat(standIn.openWatches()).isEqualTo(1);

    standIn.dropWatches();

    assertThat(nextNonBookmark(events)).isEqualTo(END);
  }
}
