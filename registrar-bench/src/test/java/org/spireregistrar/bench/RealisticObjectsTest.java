package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.ObjectViews;

class RealisticObjectsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectViews VIEWS = new ObjectViews(ObjectViews.Strictness.STRICT, "");

  private static JsonObject gson(ObjectNode node) throws Exception {
    return JsonParser.parseString(JSON.writeValueAsString(node)).getAsJsonObject();
  }

  private static List<SyntheticCluster.Pod> pods(SyntheticCluster c) {
    List<SyntheticCluster.Pod> out = new ArrayList<>();
    for (SyntheticCluster.Event e : c.churn(200, 1)) {
      if (e.op() == SyntheticCluster.Op.CREATE) {
        out.add(e.pod());
      }
    }
    return out;
  }

  @Test
  void podsAreSixToTenKibibytesOfJsonShapedLikeTheApiServers() throws Exception {
    RealisticObjects objects = new RealisticObjects(1);
    for (SyntheticCluster.Pod p : pods(new SyntheticCluster(1, 10, 10))) {
      ObjectNode pod = objects.pod(p);
      int size = JSON.writeValueAsBytes(pod).length;
      assertThat(size).as(pod.at("/metadata/name").asText()).isBetween(6 * 1024, 10 * 1024);
      assertThat(pod.at("/metadata/managedFields").size()).isEqualTo(2);
      assertThat(pod.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("ReplicaSet");
      assertThat(pod.at("/spec/containers").size()).isEqualTo(2);
      assertThat(pod.at("/spec/containers/0/env").size()).isGreaterThanOrEqualTo(8);
      assertThat(pod.at("/spec/containers/0/livenessProbe/httpGet/path").asText())
          .isEqualTo("/healthz");
      assertThat(pod.at("/spec/volumes/2/projected/sources/0/serviceAccountToken").isObject())
          .isTrue();
      assertThat(pod.at("/status/conditions").size()).isEqualTo(5);
      assertThat(pod.at("/status/containerStatuses").size()).isEqualTo(2);
      assertThat(pod.at("/status/podIPs/0/ip").asText())
          .isEqualTo(pod.at("/status/podIP").asText());
    }
  }

  @Test
  void podsReadAsTheWorkloadsTheMemorySourceDelivers() throws Exception {
    RealisticObjects objects = new RealisticObjects(7);
    for (SyntheticCluster.Pod p : pods(new SyntheticCluster(7, 10, 20))) {
      Workload expected = SyntheticCluster.workload(p);
      Workload read = VIEWS.pod(gson(objects.pod(p)));
      assertThat(read.namespace()).isEqualTo(expected.namespace());
      assertThat(read.name()).isEqualTo(expected.name());
      assertThat(read.serviceAccount()).isEqualTo(expected.serviceAccount());
      assertThat(read.nodeName()).isEqualTo(expected.nodeName());
      assertThat(read.podIp()).isEqualTo(expected.podIp());
      assertThat(read.labels()).containsAllEntriesOf(expected.labels());
      assertThat(read.terminating()).isFalse();
    }
  }

  @Test
  void sameSeedGivesTheSameObjectsAnotherSeedOthers() {
    SyntheticCluster.Pod p = new SyntheticCluster.Pod(5, 3, 17, 17, 2, 12345);
    assertThat(new RealisticObjects(1).pod(p)).isEqualTo(new RealisticObjects(1).pod(p));
    assertThat(new RealisticObjects(1).pod(p)).isNotEqualTo(new RealisticObjects(2).pod(p));
    assertThat(new RealisticObjects(1).node(4)).isEqualTo(new RealisticObjects(1).node(4));
  }

  @Test
  void nodesAndEndpointsAreRealisticAndReadable() throws Exception {
    RealisticObjects objects = new RealisticObjects(1);
    ObjectNode node = objects.node(12);
    assertThat(JSON.writeValueAsBytes(node).length).isBetween(2 * 1024, 10 * 1024);
    NodeInfo info = VIEWS.node(gson(node));
    assertThat(info.name()).isEqualTo(SyntheticCluster.nodeName(12));
    ObjectNode ep = objects.endpoints(3);
    assertThat(VIEWS.endpoints(gson(ep)).ready()).hasSize(3);
    assertThat(ep.at("/metadata/namespace").asText()).isEqualTo("team-3");
  }

  @Test
  void relabelPatchChangesOnlyTheWorkloadLabel() {
    SyntheticCluster.Pod p = new SyntheticCluster.Pod(5, 3, 17, 42, 2, 12345);
    assertThat(RealisticObjects.relabelPatch(p).toString())
        .isEqualTo("{\"metadata\":{\"labels\":{\"spire-workload\":\"app-42\"}}}");
  }
}
