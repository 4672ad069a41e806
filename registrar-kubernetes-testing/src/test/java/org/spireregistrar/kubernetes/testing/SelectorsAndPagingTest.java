package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.meta;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.podSpec;
import static org.spireregistrar.kubernetes.testing.CrudThroughClientJavaTest.statusOf;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Label and field selectors and limit/continue paging, asked for through client-java. */
class SelectorsAndPagingTest {
  private static KubernetesApiStandIn standIn;
  private static CoreV1Api core;

  @BeforeAll
  static void seed() throws ApiException {
    standIn = KubernetesApiStandIn.start();
    core = new CoreV1Api(standIn.client());
    // name, labels, node ("" = unscheduled)
    pod("web-0", "app=web,tier=front", "node-1");
    pod("web-1", "app=web,tier=back", "node-2");
    pod("db-0", "app=db", "node-1");
    pod("job-0", "", "");
  }

  @AfterAll
  static void stop() {
    standIn.close();
  }

  private static void pod(String name, String labels, String node) throws ApiException {
    Map<String, String> map = new HashMap<>();
    if (!labels.isEmpty()) {
      for (String kv : labels.split(",")) {
        String[] p = kv.split("=");
        map.put(p[0], p[1]);
      }
    }
    core.createNamespacedPod(
            "default",
            new V1Pod()
                .metadata(meta(name, "default").labels(map))
                .spec(podSpec(node.isEmpty() ? null : node)))
        .execute();
  }

  private static List<String> names(V1PodList list) {
    return list.getItems().stream().map(p -> p.getMetadata().getName()).sorted().toList();
  }

  private static List<String> expected(String names) {
    return names.isEmpty() ? List.of() : Arrays.stream(names.split(" ")).sorted().toList();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          app=web                    | web-0 web-1
          app==web                   | web-0 web-1
          app!=web                   | db-0 job-0
          tier                       | web-0 web-1
          !tier                      | db-0 job-0
          app in (web,db)            | db-0 web-0 web-1
          app notin (web)            | db-0 job-0
          app=web,tier=back          | web-1
          app=web, tier in (front)   | web-0
          app=nope                   |
          """)
  void labelSelectorsSelectAsTheApiServerDoes(String selector, String names) throws ApiException {
    V1PodList list = core.listNamespacedPod("default").labelSelector(selector).execute();

    assertThat(names(list)).isEqualTo(expected(names == null ? "" : names));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          spec.nodeName=node-1                       | db-0 web-0
          spec.nodeName==node-2                      | web-1
          spec.nodeName!=node-1                      | job-0 web-1
          spec.nodeName=                             | job-0
          metadata.name=web-1                        | web-1
          metadata.namespace=default,metadata.name!=web-0 | db-0 job-0 web-1
          status.phase=Pending                       | db-0 job-0 web-0 web-1
          """)
  void fieldSelectorsSelectAsTheApiServerDoes(String selector, String names) throws ApiException {
    V1PodList list = core.listPodForAllNamespaces().fieldSelector(selector).execute();

    assertThat(names(list)).isEqualTo(expected(names == null ? "" : names));
  }

  @Test
  void unsupportedFieldIsBadRequest() {
    assertThatThrownBy(
            () -> core.listNamespacedPod("default").fieldSelector("spec.foo=x").execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              assertThat(statusOf(e).getMessage()).isEqualTo("field label not supported: spec.foo");
            });
  }

  @Test
  void malformedLabelSelectorIsBadRequest() {
    assertThatThrownBy(
            () -> core.listNamespacedPod("default").labelSelector("app in (web").execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              assertThat(statusOf(e).getReason()).isEqualTo("BadRequest");
            });
  }

  @Test
  void pagesWithLimitAndContinueUntilNoContinueToken() throws ApiException {
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      V1PodList page = core.listNamespacedPod("default").limit(3)._continue(token).execute();
      assertThat(page.getItems()).hasSizeLessThanOrEqualTo(3);
      page.getItems().forEach(p -> seen.add(p.getMetadata().getName()));
      token = page.getMetadata().getContinue();
      pages++;
    } while (token != null && !token.isEmpty());

    assertThat(pages).isEqualTo(2);
    assertThat(seen).containsExactly("db-0", "job-0", "web-0", "web-1");
  }

  @Test
  void pagingHonoursSelectors() throws ApiException {
    V1PodList first = core.listNamespacedPod("default").labelSelector("app=web").limit(1).execute();
    V1PodList second =
        core.listNamespacedPod("default")
            .labelSelector("app=web")
            .limit(1)
            ._continue(first.getMetadata().getContinue())
            .execute();

    assertThat(names(first)).containsExactly("web-0");
    assertThat(names(second)).containsExactly("web-1");
    assertThat(second.getMetadata().getContinue()).isNullOrEmpty();
    assertThat(second.getMetadata().getResourceVersion())
        .isEqualTo(first.getMetadata().getResourceVersion());
  }
}
