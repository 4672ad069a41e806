package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.statusOf;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The list contract of the Kubernetes API for {@code limit} and {@code continue}, across namespaces
 * and at a size where paging matters, asked for through client-java as the informers ask: each page
 * holds at most {@code limit} objects, pages follow on without gaps or repeats in key order, every
 * page carries the first page's resourceVersion and the count left, the last has no continue token,
 * and a continue token older than the history is 410 Gone.
 */
class PagedListContractTest {
  private static final int PODS = 1234;

  private KubernetesApiStandIn standIn;
  private CoreV1Api core;
  private final List<String> keys = new ArrayList<>();

  @BeforeEach
  void seed() {
    standIn = KubernetesApiStandIn.start();
    core = new CoreV1Api(standIn.client());
    for (int i = 0; i < PODS; i++) {
      String ns = "ns-" + (i % 3);
      String name = String.format("pod-%04d", i);
      standIn.create(
          "/api/v1/namespaces/" + ns + "/pods",
          Map.of(
              "metadata",
              Map.of("name", name, "labels", Map.of("app", "a" + (i % 7))),
              "spec",
              Map.of("containers", List.of(Map.of("name", "c", "image", "nginx")))));
      keys.add(ns + "/" + name);
    }
    keys.sort(null);
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  private static List<String> keysOf(V1PodList list) {
    List<String> out = new ArrayList<>();
    for (V1Pod p : list.getItems()) {
      out.add(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
    }
    return out;
  }

  @Test
  void pagesCoverEveryObjectOnceInKeyOrderAtTheFirstPagesVersion() throws ApiException {
    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    List<Long> remaining = new ArrayList<>();
    String rv = null;
    String token = null;
    do {
      V1PodList page = core.listPodForAllNamespaces().limit(500)._continue(token).execute();
      sizes.add(page.getItems().size());
      remaining.add(page.getMetadata().getRemainingItemCount());
      seen.addAll(keysOf(page));
      if (rv == null) {
        rv = page.getMetadata().getResourceVersion();
      }
      assertThat(page.getMetadata().getResourceVersion()).isEqualTo(rv);
      token = page.getMetadata().getContinue();
    } while (token != null && !token.isEmpty());

    assertThat(sizes).containsExactly(500, 500, 234);
    assertThat(remaining).containsExactly(734L, 234L, null);
    assertThat(seen).isEqualTo(keys);
    assertThat(rv).isEqualTo(standIn.resourceVersion());
  }

  @Test
  void aLimitReachingTheEndGivesNoContinueToken() throws ApiException {
    V1PodList all = core.listPodForAllNamespaces().limit(PODS).execute();
    assertThat(all.getItems()).hasSize(PODS);
    assertThat(all.getMetadata().getContinue()).isNullOrEmpty();
    assertThat(all.getMetadata().getRemainingItemCount()).isNull();
  }

  @Test
  void anUnpagedListReturnsEverythingStreamed() throws ApiException {
    V1PodList all = core.listPodForAllNamespaces().execute();
    assertThat(keysOf(all)).isEqualTo(keys);
    assertThat(all.getMetadata().getContinue()).isNullOrEmpty();
    assertThat(all.getItems().get(0).getSpec().getContainers().get(0).getImage())
        .isEqualTo("nginx");
  }

  @Test
  void selectorsAreAppliedBeforeTheLimit() throws ApiException {
    V1PodList page = core.listPodForAllNamespaces().labelSelector("app=a3").limit(100).execute();
    assertThat(page.getItems()).hasSize(100);
    assertThat(page.getItems()).allMatch(p -> p.getMetadata().getLabels().get("app").equals("a3"));
    assertThat(page.getMetadata().getRemainingItemCount()).isNull(); // not with selectors
  }

  @Test
  void aContinueTokenOlderThanTheHistoryIsGone() throws ApiException {
    V1PodList first = core.listPodForAllNamespaces().limit(500).execute();
    standIn.expireHistory();
    assertThatThrownBy(
            () ->
                core.listPodForAllNamespaces()
                    .limit(500)
                    ._continue(first.getMetadata().getContinue())
                    .execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(410);
              assertThat(statusOf(e).getReason()).isEqualTo("Expired");
              assertThat(statusOf(e).getMessage())
                  .startsWith("The provided continue parameter is too old");
            });
  }

  @Test
  void aMalformedContinueTokenIsBadRequest() {
    assertThatThrownBy(() -> core.listPodForAllNamespaces().limit(5)._continue("%%%").execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(400));
  }
}
