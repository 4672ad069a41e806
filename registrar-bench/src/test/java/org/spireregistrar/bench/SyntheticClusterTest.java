package org.spireregistrar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.model.Workload;

class SyntheticClusterTest {

  @Test
  void sameSeedGivesTheSameClusterAndChurn() {
    SyntheticCluster a = new SyntheticCluster(42, 500, 10);
    SyntheticCluster b = new SyntheticCluster(42, 500, 10);
    assertThat(a.workloads()).isEqualTo(b.workloads());
    assertThat(a.churn(300, 1000)).isEqualTo(b.churn(300, 1000));
    assertThat(a.workloads()).isEqualTo(b.workloads());
  }

  @Test
  void anotherSeedGivesAnotherCluster() {
    assertThat(new SyntheticCluster(1, 100, 10).workloads())
        .isNotEqualTo(new SyntheticCluster(2, 100, 10).workloads());
  }

  @Test
  void podsAreUniqueScheduledLabelledAndAddressed() {
    SyntheticCluster c = new SyntheticCluster(9, 2000, 100);
    List<Workload> pods = c.workloads();
    assertThat(pods.stream().map(Workload::ref).distinct()).hasSize(2000);
    assertThat(pods.stream().map(Workload::podIp).distinct()).hasSize(2000);
    assertThat(pods)
        .allMatch(p -> p.nodeName().matches("node-0\\d\\d"))
        .allMatch(p -> p.labels().containsKey(SyntheticCluster.LABEL));
  }

  @Test
  void churnMixesCreatesRelabelsAndDeletesAtTheGivenPace() {
    SyntheticCluster c = new SyntheticCluster(3, 1000, 10);
    List<SyntheticCluster.Event> script = c.churn(3000, 10_000_000L);
    Map<SyntheticCluster.Op, Long> mix =
        script.stream()
            .collect(Collectors.groupingBy(SyntheticCluster.Event::op, Collectors.counting()));
    assertThat(mix.keySet()).containsExactlyInAnyOrder(SyntheticCluster.Op.values());
    mix.values().forEach(n -> assertThat(n).isBetween(900L, 1100L));
    assertThat(script.get(2999).atNanos()).isEqualTo(2999 * 10_000_000L);
    assertThat(c.podCount())
        .isEqualTo(
            1000
                + mix.get(SyntheticCluster.Op.CREATE).intValue()
                - mix.get(SyntheticCluster.Op.DELETE).intValue());
  }

  @Test
  void relabelChangesOnlyTheWorkloadLabel() {
    SyntheticCluster c = new SyntheticCluster(4, 50, 5);
    Map<String, Workload> before =
        c.workloads().stream().collect(Collectors.toMap(Workload::ref, Function.identity()));
    SyntheticCluster.Event relabel =
        c.churn(30, 1).stream()
            .filter(e -> e.op() == SyntheticCluster.Op.RELABEL)
            .filter(e -> before.containsKey(e.workload().ref()))
            .findFirst()
            .orElseThrow();
    Workload old = before.get(relabel.workload().ref());
    Workload now = relabel.workload();
    assertThat(now.labels().get(SyntheticCluster.LABEL))
        .isNotEqualTo(old.labels().get(SyntheticCluster.LABEL));
    assertThat(now.serviceAccount()).isEqualTo(old.serviceAccount());
    assertThat(now.nodeName()).isEqualTo(old.nodeName());
    assertThat(now.podIp()).isEqualTo(old.podIp());
  }
}
