package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.spire.GrpcEntryStore;

/** crd mode end to end: convergence, steady state, takeover, old servers, out-of-band changes. */
class CrdModeEndToEndTest extends CrdModeFixture {
  // ------------------------------------------------------------------ tests

  @Test
  void convergesToExactlyWhatPlanPrintsWithPrefixedEntriesAndNoFinalizers() {
    startSpire(false);
    node("n1");
    ObjectNode web0 = pod("default", "web-0", "n1", Map.of("app", "web"));
    pod("default", "web-1", "n1", Map.of());
    endpoints("default", "web", web0);
    manualSpiffeId(
        "default",
        "manual",
        manualSpec(
            "spiffe://example.org/manual",
            Map.of("podLabel", Map.of("app", "web"), "namespace", "default")));
    RegistrarConfig config = config();

    startMode(config, "a");

    awaitConverged(config);
    assertThat(spire.entries()).allMatch(e -> e.id().value().startsWith(PREFIX));
    assertThat(spiffeIds()).allMatch(s -> s.at("/metadata/finalizers").isMissingNode());
    ObjectNode generated = spiffeId("default", "web-0");
    assertThat(generated.at("/metadata/labels/podUid").asText())
        .isEqualTo(web0.at("/metadata/uid").asText());
    assertThat(generated.at("/metadata/ownerReferences/0/blockOwnerDeletion").asBoolean())
        .isFalse();
    // The service name comes after the template name, so the CN stays the pod name.
    assertThat(generated.at("/spec/dnsNames").toString())
        .isEqualTo("[\"web-0\",\"web.default.svc\"]");
    assertThat(spiffeId(NS, "n1").at("/spec/spiffeId").asText()).isEqualTo(NODE_ROOT + "n1");
  }

  @Test
  void aSteadyStateMakesNoWriteRpcs() throws Exception {
    startSpire(false);
    node("n1");
    for (int i = 0; i < 5; i++) {
      pod("default", "p" + i, "n1", Map.of());
    }
    RegistrarConfig config = config();
    CrdMode mode = startMode(config, "a");
    awaitConverged(config);
    awaitIdle(mode);
    spire.resetCounters();

    mode.requestFullResync();
    awaitIdle(mode);

    assertThat(spire.counters().writeRpcs()).isZero();
    assertThat(spire.counters().rpcs("ListEntries")).isEqualTo(1);
  }

  @Test
  void takesOverObjectsOfTheOriginalWithoutDuplicatesAndFinalizesThem() throws Exception {
    startSpire(false);
    EntrySpec original =
        spec(
            "spiffe://example.org/legacy",
            "spiffe://example.org/spire/server",
            "k8s:ns:default",
            "k8s:sa:legacy");
    spire.putEntry(Entry.of(new EntryId("0b1c2d3e-upstream-uuid"), original));
    manualSpiffeId(
        "default",
        "legacy",
        manualSpec(
            "spiffe://example.org/legacy",
            Map.of("namespace", "default", "serviceAccount", "legacy")),
        Map.of("finalizers", List.of(SpiffeIdObject.FINALIZER)));
    k8s.patch(
        ResourceType.SPIFFEIDS.objectPath("default", "legacy"),
        Map.of("status", Map.of("entryId", "0b1c2d3e-upstream-uuid")));
    RegistrarConfig config = config();
    CrdMode mode = startMode(config, "a");

    awaitIdle(mode);
    assertThat(spire.entries())
        .extracting(Entry::id)
        .containsExactly(new EntryId("0b1c2d3e-upstream-uuid"));
    assertThat(spiffeId("default", "legacy").at("/metadata/finalizers/0").asText())
        .isEqualTo(SpiffeIdObject.FINALIZER);

    k8s.delete(ResourceType.SPIFFEIDS.objectPath("default", "legacy"));

    await().atMost(CONVERGE).until(() -> spiffeId("default", "legacy") == null);
    assertThat(spire.entries()).isEmpty();
  }

  @Test
  void aServerThatIgnoresClientIdsGetsAFinalizerOnEverySpiffeId() throws Exception {
    startSpire(true);
    node("n1");
    pod("default", "web-0", "n1", Map.of());
    RegistrarConfig config = config();
    CrdMode mode = startMode(config, "a");

    awaitConverged(config);
    awaitIdle(mode);
    assertThat(spiffeIds())
        .allMatch(s -> s.at("/metadata/finalizers/0").asText().equals(SpiffeIdObject.FINALIZER));

    k8s.delete(ResourceType.PODS.objectPath("default", "web-0"));

    await().atMost(CONVERGE).until(() -> spiffeId("default", "web-0") == null);
    awaitConverged(config);
    assertThat(spire.entries()).hasSize(1);
  }

  @Test
  void anEntryDeletedOutOfBandIsRecreatedAtTheNextResync() throws Exception {
    startSpire(false);
    node("n1");
    RegistrarConfig config = config();
    CrdMode mode = startMode(config, "a");
    awaitConverged(config);
    awaitIdle(mode);
    Entry gone = spire.entries().get(0);
    try (GrpcEntryStore other =
        GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS)) {
      other.delete(List.of(gone.id()));
    }

    mode.requestFullResync();

    awaitConverged(config);
    assertThat(spire.entries()).extracting(Entry::id).doesNotContain(gone.id());
    assertThat(spiffeId(NS, "n1").at("/status/entryId").asText())
        .isEqualTo(spire.entries().get(0).id().value());
  }

  @Test
  void aPodThatLosesItsLabelLosesItsSpiffeIdAndEntry() throws Exception {
    startSpire(false);
    node("n1");
    pod("default", "web-0", "n1", Map.of("spire", "true"));
    RegistrarConfig config = config("spire", false);
    CrdMode mode = startMode(config, "a");
    awaitConverged(config);
    assertThat(spiffeId("default", "web-0")).isNotNull();

    k8s.patch(
        ResourceType.PODS.objectPath("default", "web-0"),
        Map.of("metadata", Map.of("labels", Map.of("spire", "false"))));

    await().atMost(CONVERGE).until(() -> spiffeId("default", "web-0") == null);
    awaitConverged(config);
    assertThat(spire.entries()).hasSize(1); // the node's
    awaitIdle(mode);
  }
}
