package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.Workload;

class KubernetesViewsTest {

  private static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  @Test
  void mapsThePodFieldsThePoliciesRead() {
    Workload w =
        KubernetesViews.pod(
            json(
                """
                {"metadata":{"name":"web-0","namespace":"shop","uid":"u1",
                  "labels":{"app":"web"},"annotations":{"a":"b"},
                  "deletionTimestamp":"2026-01-01T00:00:00Z"},
                 "spec":{"serviceAccountName":"web","nodeName":"n1","hostname":"h",
                  "containers":[{"name":"c"}]},
                 "status":{"podIP":"10.0.0.5","phase":"Running"}}
                """));
    assertThat(w)
        .isEqualTo(
            new Workload(
                "shop",
                "web-0",
                "u1",
                "web",
                "n1",
                "h",
                "10.0.0.5",
                Map.of("app", "web"),
                Map.of("a", "b"),
                true));
  }

  @Test
  void toleratesMissingRequiredFieldsUnknownFieldsAndWrongTypes() {
    Workload w =
        KubernetesViews.pod(
            json(
                """
                {"metadata":{"name":"p","namespace":"ns","labels":{"n":1},"futureField":{}},
                 "spec":{"nodeName":["x"],"brandNewField":true},
                 "status":"weird"}
                """));
    assertThat(w.name()).isEqualTo("p");
    assertThat(w.nodeName()).isEmpty();
    assertThat(w.podIp()).isEmpty();
    assertThat(w.labels()).containsEntry("n", "1");
    assertThat(w.terminating()).isFalse();
  }

  @Test
  void statusOnlyChangesGiveEqualViews() {
    String base =
        """
        {"metadata":{"name":"p","namespace":"ns","resourceVersion":"%s"},
         "spec":{"nodeName":"n1"},"status":{"podIP":"10.0.0.1","phase":"%s"}}
        """;
    assertThat(KubernetesViews.pod(json(base.formatted("1", "Pending"))))
        .isEqualTo(KubernetesViews.pod(json(base.formatted("2", "Running"))));
  }

  @Test
  void flattensEndpointSubsets() {
    EndpointsInfo e =
        KubernetesViews.endpoints(
            json(
                """
                {"metadata":{"name":"svc","namespace":"ns"},
                 "subsets":[{"addresses":[{"ip":"10.0.0.1","hostname":"h0",
                    "targetRef":{"kind":"Pod","name":"p0","namespace":"ns","uid":"u0"}}],
                   "notReadyAddresses":[{"ip":"10.0.0.2"}]},
                  {"addresses":[{"ip":"10.0.0.3","targetRef":{"kind":"Pod","name":"p3"}}]}]}
                """));
    assertThat(e.ready())
        .containsExactly(
            new EndpointsInfo.Address("10.0.0.1", "h0", "Pod", "ns", "p0", "u0"),
            new EndpointsInfo.Address("10.0.0.3", "", "Pod", "", "p3", ""));
    assertThat(e.notReady())
        .containsExactly(new EndpointsInfo.Address("10.0.0.2", "", "", "", "", ""));
  }
}
