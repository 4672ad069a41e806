package org.spireregistrar.core.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.model.Workload;

class TemplateDataTest {

  @Test
  void exposesThePodFieldsAndTheContext() {
    Workload pod =
        new Workload(
            "ns1",
            "web-0",
            "uid-9",
            "sa1",
            "node-1",
            "host-1",
            "10.0.0.1",
            Map.of(),
            Map.of(),
            false);

    Map<String, Object> data = TemplateData.forPod(pod, Map.of("region", "eu"));

    assertThat(data).containsOnlyKeys("Pod", "Context");
    assertThat(data.get("Context")).isEqualTo(Map.of("region", "eu"));
    assertThat(data.get("Pod"))
        .isEqualTo(
            Map.of(
                "Name", "web-0",
                "UID", "uid-9",
                "Namespace", "ns1",
                "ServiceAccount", "sa1",
                "Hostname", "host-1",
                "NodeName", "node-1"));
  }

  @Test
  void keepsGoFieldOrderSoThatStructsPrintAsUpstream() {
    Map<String, Object> data = TemplateData.dummy(Map.of());

    assertThat(List.copyOf(data.keySet())).containsExactly("Context", "Pod");
    List<Object> podFields = List.copyOf(((Map<?, ?>) data.get("Pod")).keySet());
    assertThat(podFields)
        .containsExactly("ServiceAccount", "Namespace", "Name", "UID", "Hostname", "NodeName");
  }

  @Test
  void dummyDataIsUpstreamsStartUpCheckData() {
    Map<String, Object> data = TemplateData.dummy(Map.of("k", "v"));

    assertThat(GoTemplate.parse("t", "{{.}}").execute(data))
        .isEqualTo("{map[k:v] {xx xx xx 123 xx xx}}");
  }

  @Test
  void emptyFieldsRenderEmpty() {
    Workload pod = new Workload("ns", "p", null, null, null, null, null, null, null, false);

    String out =
        GoTemplate.parse("t", "[{{.Pod.UID}}|{{.Pod.Hostname}}|{{.Pod.NodeName}}]")
            .execute(TemplateData.forPod(pod, null));

    assertThat(out).isEqualTo("[||]");
  }
}
