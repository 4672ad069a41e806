package org.spireregistrar.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.entry.PlanResult;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/** The README's "Embedding the core" example, run as written. */
class ReadmeExampleTest {

  @Test
  void readmeExampleComputesThePodAndNodeEntries() {
    RegistrarConfig config = HclConfigLoader.load(Path.of("../reconcile/registrar.conf"));
    Workload pod =
        new Workload(
            "shop",
            "web-0",
            "uid-1",
            "web",
            "node-a",
            "",
            "10.0.1.5",
            Map.of("app", "web"),
            Map.of("spiffe.io/federatesWith", "partner.example"),
            false);
    PlanResult plan =
        Planner.plan(
            config,
            new ClusterObjects(
                List.of(pod),
                List.of(new NodeInfo("node-a", "n-uid", Map.of())),
                List.of(),
                List.of()));
    assertThat(plan.rejected()).isEmpty();
    assertThat(plan.entries())
        .extracting(e -> e.spiffeId().toString())
        .containsExactly(
            "spiffe://example.org/ns/shop/sa/web",
            "spiffe://example.org/spire-k8s-registrar/demo-cluster/node/node-a");
    assertThat(plan.entries().get(0).federatesWith())
        .extracting(td -> td.name())
        .containsExactly("partner.example");
    assertThat(plan.entries().get(0).dnsNames())
        .containsExactly("10-0-1-5.shop.pod.cluster.local", "10-0-1-5.shop.pod");
  }
}
