package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.pod;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.statusOf;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Injected 5xx answers, expired continue tokens and request records. */
class FaultInjectionTest {
  private KubernetesApiStandIn standIn;
  private ApiClient client;
  private CoreV1Api core;

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
    client = standIn.client();
    core = new CoreV1Api(client);
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "500, InternalError",
    "503, ServiceUnavailable",
    "504, Timeout",
    "429, TooManyRequests"
  })
  void failNextAnswersTheNextRequestsWithTheStatus(int code, String reason) throws ApiException {
    standIn.failNext(2, code);

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> core.listNamespacedPod("default").execute())
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(code);
                assertThat(statusOf(e).getReason()).isEqualTo(reason);
              });
    }
    assertThat(core.listNamespacedPod("default").execute().getItems()).isEmpty();
  }

  @Test
  void failRequestsAppliesToMatchingRequestsUntilClosed() throws Exception {
    AutoCloseable fault = standIn.failRequests(r -> r.is("create", "pods"), 503);

    assertThatThrownBy(() -> core.createNamespacedPod("default", pod("web-0", "n")).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(503));
    assertThat(core.listNamespacedPod("default").execute().getItems()).isEmpty();
    fault.close();

    assertThat(core.createNamespacedPod("default", pod("web-0", "n")).execute()).isNotNull();
  }

  @Test
  void watchRequestsCanFailToo() {
    standIn.failRequests(r -> r.verb().equals("watch"), 500);

    assertThatThrownBy(
            () ->
                Watch.createWatch(
                    client,
                    core.listNamespacedPod("default").watch(true).buildCall(null),
                    new TypeToken<Watch.Response<V1Pod>>() {}.getType()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(500));
  }

  @Test
  void informerRetriesThroughTransientServerErrors() throws ApiException {
    standIn.failNext(1, 503);
    SharedInformerFactory factory = new SharedInformerFactory(client);
    SharedIndexInformer<V1Pod> informer =
        factory.sharedIndexInformerFor(
            new GenericKubernetesApi<>(V1Pod.class, V1PodList.class, "", "v1", "pods", client),
            V1Pod.class,
            0);
    try {
      factory.startAllRegisteredInformers();
      await().atMost(Duration.ofSeconds(10)).until(informer::hasSynced);
      core.createNamespacedPod("default", pod("web-0", "n")).execute();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> informer.getIndexer().getByKey("default/web-0") != null);
    } finally {
      factory.stopAllRegisteredInformers();
    }
  }

  @Test
  void continueTokenOlderThanTheHistoryIsGone() throws ApiException {
    core.createNamespacedPod("default", pod("web-0", "n")).execute();
    core.createNamespacedPod("default", pod("web-1", "n")).execute();
    String token = core.listNamespacedPod("default").limit(1).execute().getMetadata().getContinue();

    standIn.expireHistory();

    assertThatThrownBy(() -> core.listNamespacedPod("default").limit(1)._continue(token).execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(410);
              assertThat(statusOf(e).getReason()).isEqualTo("Expired");
            });
  }

  @Test
  void recordsEveryRequestWithItsVerbAndResource() throws ApiException {
    core.createNamespacedPod("default", pod("web-0", "n")).execute();
    core.readNamespacedPodStatus("web-0", "default").execute();
    core.listPodForAllNamespaces().execute();

    assertThat(standIn.requests())
        .containsExactly(
            new StandInRequest(
                "POST", "/api/v1/namespaces/default/pods", "", "create", "pods", "", "default", ""),
            new StandInRequest(
                "GET",
                "/api/v1/namespaces/default/pods/web-0/status",
                "",
                "get",
                "pods",
                "status",
                "default",
                "web-0"),
            new StandInRequest("GET", "/api/v1/pods", "", "list", "pods", "", "", ""));
    assertThat(standIn.requestCount()).isEqualTo(3);
    assertThat(standIn.requestCount(r -> r.verb().equals("get"))).isEqualTo(1);
    assertThat(standIn.requestCount("create", "pods")).isEqualTo(1);
    assertThat(standIn.requestCount("watch", "pods")).isZero();
  }

  @Test
  void faultStatusMustBeAnErrorStatus() {
    assertThatThrownBy(() -> standIn.failNext(1, 200))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fault status 200 is not in 400..599");
  }
}
