package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.kubernetes.testing.StandInRequest;

/**
 * crd mode under crashes, downtime, recreated objects, Endpoints churn, leader failover and bad
 * input: after each, SPIRE holds exactly what {@code plan} prints and nothing hangs.
 */
class CrdModeScenariosTest extends CrdModeFixture {

  static boolean statusWrite(StandInRequest r) {
    return r.resource().equals("spiffeids") && r.subresource().equals("status");
  }

  // ------------------------------------------------------------------ 1. crash after create

  @Test
  void aFailedStatusWriteAfterCreateLinksTheSameEntryWithoutADuplicate() throws Exception {
    startSpire(false);
    node("n1");
    AtomicInteger statusWrites = new AtomicInteger();
    k8s.failRequests(r -> statusWrite(r) && statusWrites.getAndIncrement() == 0, 500);
    RegistrarConfig config = config();

    CrdMode mode = startMode(config, "a");

    awaitConverged(config);
    awaitIdle(mode);
    assertThat(statusWrites.get()).isGreaterThanOrEqualTo(2);
    assertThat(spire.counters().entries("BatchCreateEntry")).isEqualTo(1);
    assertThat(spiffeId(NS, "n1").at("/status/entryId").asText())
        .isEqualTo(spire.entries().get(0).id().value());
  }

  @Test
  void aCrashBetweenCreateAndStatusWriteIsLinkedOnRestartWithoutADuplicate() throws Exception {
    startSpire(false);
    node("n1");
    AutoCloseable fault = k8s.failRequests(CrdModeScenariosTest::statusWrite, 500);
    RegistrarConfig config = config();
    CrdMode first = startMode(config, "a");
    await().atMost(CONVERGE).until(() -> spire.entries().size() == 1);
    stopMode(first);
    EntryId created = spire.entries().get(0).id();
    assertThat(spiffeId(NS, "n1").at("/status/entryId").asText()).isEmpty();
    fault.close();

    CrdMode second = startMode(config, "a");

    awaitConverged(config);
    awaitIdle(second);
    assertThat(spire.entries()).extracting(Entry::id).containsExactly(created);
    assertThat(spiffeId(NS, "n1").at("/status/entryId").asText()).isEqualTo(created.value());
    assertThat(spire.counters().entries("BatchCreateEntry")).isEqualTo(1);
  }

  @Test
  void anEntryCreatedBeforeACrashIsDeletedAtRestartWhenItsSpiffeIdIsGone() throws Exception {
    startSpire(false);
    node("n1");
    RegistrarConfig config = config();
    CrdMode first = startMode(config, "a");
    awaitConverged(config);
    awaitIdle(first); // the server is known to honour client IDs: no finalizer from now on
    AutoCloseable fault = k8s.failRequests(CrdModeScenariosTest::statusWrite, 500);
    pod("default", "web-0", "n1", Map.of());
    await().atMost(CONVERGE).until(() -> spire.entries().size() == 2);
    stopMode(first);
    fault.close();
    assertThat(spiffeId("default", "web-0").at("/metadata/finalizers").isMissingNode()).isTrue();
    k8s.delete(ResourceType.PODS.objectPath("default", "web-0"));
    k8s.awaitControllers(CONVERGE);
    assertThat(spiffeId("default", "web-0")).isNull();

    CrdMode second = startMode(config, "a");

    awaitConverged(config);
    awaitIdle(second);
    assertThat(spire.entries()).hasSize(1);
  }

  @Test
  void anEntryWhoseSpiffeIdGoesBeforeItsStatusWriteIsDeletedWithoutWaitingForAResync()
      throws Exception {
    startSpire(false);
    node("n1");
    RegistrarConfig config = config();
    CrdMode mode = startMode(config, "a");
    awaitConverged(config);
    awaitIdle(mode);
    AutoCloseable fault = k8s.failRequests(CrdModeScenariosTest::statusWrite, 500);
    pod("default", "web-0", "n1", Map.of());
    await().atMost(CONVERGE).until(() -> spire.entries().size() == 2);

    k8s.delete(ResourceType.PODS.objectPath("default", "web-0"));
    k8s.awaitControllers(CONVERGE);
    fault.close();

    awaitConverged(config);
    awaitIdle(mode);
    assertThat(spire.entries()).hasSize(1);
    assertThat(spire.counters().rpcs("ListEntries")).isEqualTo(1); // no resync needed
  }

  // ------------------------------------------------------------------ 2. deletions while down

  @ParameterizedTest(name = "server ignores client IDs: {0}")
  @ValueSource(booleans = {false, true})
  void spiffeIdsAndPodsDeletedWhileDownLeaveNoEntryAfterRestart(boolean ignoreClientIds)
      throws Exception {
    startSpire(ignoreClientIds);
    node("n1");
    pod("default", "p0", "n1", Map.of());
    pod("default", "p1", "n1", Map.of());
    manualSpiffeId(
        "default",
        "manual",
        manualSpec("spiffe://example.org/manual", Map.of("namespace", "default")));
    RegistrarConfig config = config();
    CrdMode first = startMode(config, "a");
    awaitConverged(config);
    awaitIdle(first);
    assertThat(spire.entries()).hasSize(4);
    stopMode(first);

    k8s.delete(ResourceType.PODS.objectPath("default", "p0"));
    k8s.delete(ResourceType.SPIFFEIDS.objectPath("default", "manual"));
    k8s.awaitControllers(CONVERGE);
    // Prefixed entries: the SpiffeIDs are gone at once; unprefixed: they wait for our finalizer.
    assertThat(spiffeId("default", "p0") == null).isEqualTo(!ignoreClientIds);
    assertThat(spiffeId("default", "manual") == null).isEqualTo(!ignoreClientIds);

    CrdMode second = startMode(config, "a");

    await()
        .atMost(CONVERGE)
        .until(() -> spiffeId("default", "p0") == null && spiffeId("default", "manual") == null);
    awaitConverged(config);
    awaitIdle(second);
    assertThat(spire.entries()).hasSize(2);
  }

  @Test
  void anAdoptedSpiffeIdOfTheOriginalDeletedWhileDownIsFinalizedAfterRestart() throws Exception {
    startSpire(false);
    spire.putEntry(
        Entry.of(
            new EntryId("0b1c2d3e-upstream-uuid"),
            spec(
                "spiffe://example.org/legacy",
                "spiffe://example.org/spire/server",
                "k8s:ns:default",
                "k8s:sa:legacy")));
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
    node("n1");
    RegistrarConfig config = config();
    CrdMode first = startMode(config, "a");
    awaitConverged(config);
    awaitIdle(first);
    stopMode(first);

    k8s.delete(ResourceType.SPIFFEIDS.objectPath("default", "legacy"));
    k8s.awaitControllers(CONVERGE);
    assertThat(spiffeId("default", "legacy").at("/metadata/deletionTimestamp").asText())
        .isNotEmpty();

    CrdMode second = startMode(config, "a");

    await().atMost(CONVERGE).until(() -> spiffeId("default", "legacy") == null);
    awaitConverged(config);
    awaitIdle(second);
    assertThat(spire.entries()).extracting(e -> e.id().value()).allMatch(i -> i.startsWith(PREFIX));
  }

  // ------------------------------------------------------------------ 3. namespace deletion

  @ParameterizedTest(name = "server ignores client IDs: {0}")
  @ValueSource(booleans = {false, true})
  void namespaceDeletionCompletesWithTheRegistrarRunning(boolean ignoreClientIds) throws Exception {
    startSpire(ignoreClientIds);
    namespace("team");
    node("n1");
    pod("team", "a", "n1", Map.of());
    manualSpiffeId(
        "team", "manual", manualSpec("spiffe://example.org/team", Map.of("namespace", "team")));
    RegistrarConfig config = config();
    CrdMode mode = startMode(config, "a");
    awaitConverged(config);

    k8s.delete(ResourceType.NAMESPACES.objectPath(null, "team"));

    await().atMost(CONVERGE).until(() -> !namespaceExists("team"));
    awaitConverged(config);
    awaitIdle(mode);
    assertThat(spire.entries()).hasSize(1);
  }

  @Test
  void namespaceDeletionCompletesWhileTheRegistrarIsDownAndItsEntriesGoAtRestart()
      throws Exception {
    startSpire(false);
    namespace("team");
    node("n1");
    pod("team", "a", "n1", Map.of());
    RegistrarConfig config = config();
    CrdMode first = startMode(config, "a");
    awaitConverged(config);
    awaitIdle(first);
    stopMode(first);

    k8s.delete(ResourceType.NAMESPACES.objectPath(null, "team"));
    k8s.awaitControllers(CONVERGE);
    assertThat(namespaceExists("team")).isFalse();

    CrdMode second = startMode(config, "a");

    awaitConverged(config);
    awaitIdle(second);
    assertThat(spire.entries()).hasSize(1);
  }

  // ------------------------------------------------------------------ 4. StatefulSet pod

  @Test
  void aPodRecreatedUnderTheSameNameGetsItsSpiffeIdAndEntryReplaced() throws Exception {
    startSpire(false);
    node("n1");
    String oldUid = uid(pod("default", "web-0", "n1", Map.of()));
    RegistrarConfig config = config();
    CrdMode mode = startMode(config, "a");
    awaitConverged(config);

    k8s.delete(ResourceType.PODS.objectPath("default", "web-0"));
    String newUid = uid(pod("default", "web-0", "n1", Map.of()));

    await()
        .atMost(CONVERGE)
        .until(
            () -> {
              ObjectNode s = spiffeId("default", "web-0");
              return s != null && s.at("/metadata/labels/podUid").asText().equals(newUid);
            });
    awaitConverged(config);
    awaitIdle(mode);
    assertThat(entriesWith("k8s:pod-uid:" + oldUid)).isEmpty();
    assertThat(entriesWith("k8s:pod-uid:" + newUid)).hasSize(1);
    assertThat(spiffeIds()).hasSize(2);
  }

  // ------------------------------------------------------------------ 5. Endpoints

  @Test
  void endpointsNamesFollowEveryReadyAddressAndPodsOutsideThePolicyAreNotRequeued()
      throws Exception {
    startSpire(false);
    node("n1");
    ObjectNode outside = pod("default", "out-0", "n1", Map.of());
    ObjectNode web0 = pod("default", "web-0", "n1", Map.of("spire", "true"));
    ObjectNode web1 = pod("default", "web-1", "n1", Map.of("spire", "true"));
    endpoints("default", "web", outside, web0, web1); // the first address has no SpiffeID
    RegistrarConfig config = config("spire", false);
    CrdMode mode = startMode(config, "a");

    awaitConverged(config);
    awaitIdle(mode); // nothing requeued for out-0
    assertThat(spiffeId("default", "out-0")).isNull();
    assertThat(dnsNames("web-0")).isEqualTo("[\"web-0\",\"web.default.svc\"]");
    assertThat(dnsNames("web-1")).isEqualTo("[\"web-1\",\"web.default.svc\"]");

    endpoints("default", "web", outside, web1); // web-0 leaves

    await().atMost(CONVERGE).until(() -> dnsNames("web-0").equals("[\"web-0\"]"));
    awaitConverged(config);
    assertThat(dnsNames("web-1")).isEqualTo("[\"web-1\",\"web.default.svc\"]");

    k8s.delete(ResourceType.ENDPOINTS.objectPath("default", "web"));

    await().atMost(CONVERGE).until(() -> dnsNames("web-1").equals("[\"web-1\"]"));
    awaitConverged(config);
    awaitIdle(mode);
  }

  @Test
  void spireBefore19GetsEntriesWithoutTheNamesItRefusesAndOneWarning() throws Exception {
    startSpire(false, true); // SPIRE < 1.9: single-character labels ("web.a.svc") are refused
    node("n1");
    namespace("a");
    ObjectNode a0 = pod("a", "web-0", "n1", Map.of("spire", "true"));
    endpoints("a", "web", a0);
    RegistrarConfig config = config("spire", false);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      CrdMode mode = startMode(config, "a");
      await().atMost(CONVERGE).until(() -> entryDnsNames("web-0").equals(List.of("web-0")));
      assertThat(spiffeId("a", "web-0").at("/spec/dnsNames").toString())
          .isEqualTo("[\"web-0\",\"web.a.svc\"]");

      // Later entries are written without such names straight away; other names stay.
      ObjectNode shop0 = pod("shop", "web-0", "n1", Map.of("spire", "true"));
      endpoints("shop", "web", shop0);
      ObjectNode a1 = pod("a", "api-0", "n1", Map.of("spire", "true"));
      endpoints("a", "api", a1);
      await()
          .atMost(CONVERGE)
          .until(
              () ->
                  entryDnsNames("shop", "web-0").equals(List.of("web-0", "web.shop.svc"))
                      && entryDnsNames("api-0").equals(List.of("api-0")));
      awaitIdle(mode);
      long updates = spire.counters().rpcs("BatchUpdateEntry");
      long creates = spire.counters().rpcs("BatchCreateEntry");
      mode.requestFullResync();
      awaitIdle(mode);
      // A stripped entry matches its SpiffeID as the fallback writes it: nothing is rewritten.
      assertThat(spire.counters().rpcs("BatchUpdateEntry")).isEqualTo(updates);
      assertThat(spire.counters().rpcs("BatchCreateEntry")).isEqualTo(creates);
    } finally {
      System.setErr(saved);
    }
    String logged = log.toString(StandardCharsets.UTF_8);
    assertThat(logged.split("SPIRE refused DNS names its older rules do not allow", -1)).hasSize(2);
    assertThat(logged).contains("WARN");
  }

  List<String> entryDnsNames(String pod) {
    return entryDnsNames("a", pod);
  }

  List<String> entryDnsNames(String ns, String pod) {
    ObjectNode s = spiffeId(ns, pod);
    if (s == null) {
      return List.of();
    }
    String wanted = s.at("/spec/spiffeId").asText();
    return spire.entries().stream()
        .filter(e -> e.spiffeId().toString().equals(wanted))
        .findFirst()
        .map(e -> e.spec().dnsNames())
        .orElse(List.of());
  }

  String dnsNames(String pod) {
    ObjectNode s = spiffeId("default", pod);
    return s == null ? "" : s.at("/spec/dnsNames").toString();
  }

  // ------------------------------------------------------------------ 6. node UID

  @Test
  void aNodeRecreatedWithANewUidHasItsSpiffeIdAndEntryFollow() throws Exception {
    startSpire(false);
    String oldUid = uid(node("n1"));
    RegistrarConfig config = config();
    CrdMode mode = startMode(config, "a");
    awaitConverged(config);

    k8s.delete(ResourceType.NODES.objectPath(null, "n1"));
    String newUid = uid(node("n1"));

    await()
        .atMost(CONVERGE)
        .until(
            () -> {
              ObjectNode s = spiffeId(NS, "n1");
              return s != null && s.at("/metadata/labels/nodeUid").asText().equals(newUid);
            });
    awaitConverged(config);
    awaitIdle(mode);
    assertThat(entriesWith("k8s_psat:agent_node_uid:" + oldUid)).isEmpty();
    assertThat(entriesWith("k8s_psat:agent_node_uid:" + newUid)).hasSize(1);
  }

  // ------------------------------------------------------------------ 7. manual name clash

  @Test
  void aManualSpiffeIdWithThePodsNameNeverBlocksThePodAndTheAlternativeNameIsStable()
      throws Exception {
    startSpire(false);
    node("n1");
    manualSpiffeId(
        "default",
        "web-0",
        manualSpec("spiffe://example.org/manual", Map.of("namespace", "default")));
    String podUid = uid(pod("default", "web-0", "n1", Map.of()));
    String alt = "web-0-pod-" + podUid.substring(0, 8);
    RegistrarConfig config = config();
    CrdMode first = startMode(config, "a");

    awaitConverged(config);
    awaitIdle(first);
    assertThat(spiffeId("default", alt).at("/metadata/labels/podUid").asText()).isEqualTo(podUid);
    assertThat(spiffeId("default", "web-0").at("/spec/spiffeId").asText())
        .isEqualTo("spiffe://example.org/manual");
    stopMode(first);

    CrdMode second = startMode(config, "a");

    awaitConverged(config);
    awaitIdle(second);
    assertThat(spiffeIds())
        .extracting(s -> s.at("/metadata/name").asText())
        .containsExactlyInAnyOrder("n1", "web-0", alt);
    assertThat(entriesWith("k8s:pod-uid:" + podUid)).hasSize(1);
  }

  // ------------------------------------------------------------------ 8. leader election

  @Test
  void twoReplicasElectOneWriterAndTheOtherTakesOverWhenItStops() throws Exception {
    startSpire(false);
    node("n1");
    RegistrarConfig config = config("", true);
    CrdMode a = startMode(config, "a");
    CrdMode b = startMode(config, "b");
    await().atMost(CONVERGE).until(() -> !leaderHolder().isEmpty());
    awaitConverged(config);
    String first = leaderHolder();
    CrdMode leader = first.equals("a") ? a : b;
    CrdMode standby = first.equals("a") ? b : a;
    String other = first.equals("a") ? "b" : "a";

    stopMode(leader);
    pod("default", "web-0", "n1", Map.of());

    await().atMost(CONVERGE).until(() -> leaderHolder().equals(other));
    awaitConverged(config);
    awaitIdle(standby);
    assertThat(spire.entries()).hasSize(2);
  }

  String leaderHolder() {
    String holder = leaseHolder();
    return holder.equals("a") || holder.equals("b") ? holder : "";
  }

  // ------------------------------------------------------------------ 9. bad SpiffeIDs

  @Test
  void badSpiffeIdsAreIgnoredWithAClearReasonAndNothingForeignIsTouched() throws Exception {
    startSpire(false);
    Entry foreign =
        Entry.of(
            new EntryId("foreign-1"),
            spec(
                "spiffe://example.org/foreign", "spiffe://example.org/spire/server", "unix:uid:0"));
    spire.putEntry(foreign);
    Map<String, Object> good = Map.of("namespace", "default");
    manualSpiffeId("default", "malformed", manualSpec("spiffe://example.org/a b/\n", good));
    manualSpiffeId("default", "other-td", manualSpec("spiffe://other.org/x", good));
    Map<String, Object> wrongType = new LinkedHashMap<>(manualSpec("spiffe://example.org/w", good));
    wrongType.put("dnsNames", 5);
    manualSpiffeId("default", "wrong-type", wrongType);
    Map<String, Object> unknown = new LinkedHashMap<>(manualSpec("spiffe://example.org/u", good));
    unknown.put("colour", "blue");
    manualSpiffeId("default", "unknown-field", unknown);
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      many.add("name-" + i + ".example.org");
    }
    Map<String, Object> manyNames = new LinkedHashMap<>(manualSpec("spiffe://example.org/m", good));
    manyNames.put("dnsNames", many);
    manualSpiffeId("default", "many-names", manyNames);
    manualSpiffeId("default", "good", manualSpec("spiffe://example.org/good", good));
    RegistrarConfig config = config();

    CrdMode mode = startMode(config, "a");

    await().atMost(CONVERGE).until(() -> spire.entries().size() == 4);
    awaitIdle(mode); // nothing retried for ever
    assertThat(spire.entries()).contains(foreign);
    assertThat(spire.entries())
        .extracting(e -> e.spiffeId().toString())
        .containsExactlyInAnyOrder(
            "spiffe://example.org/foreign",
            "spiffe://example.org/u",
            "spiffe://example.org/m",
            "spiffe://example.org/good");
    assertThat(entriesWith("k8s:ns:default").stream().map(Entry::spec).map(EntrySpec::dnsNames))
        .anyMatch(names -> names.equals(many));
    for (String bad : List.of("malformed", "other-td", "wrong-type")) {
      assertThat(spiffeId("default", bad).at("/status/entryId").asText()).isEmpty();
    }
    assertThat(mode.rejection("default", "other-td"))
        .contains(
            "SPIFFE ID "
                + GoQuote.quote("spiffe://other.org/x")
                + " is not in the trust domain of the SPIRE server \"example.org\"");
    assertThat(mode.rejection("default", "wrong-type"))
        .hasValueSatisfying(r -> assertThat(r).contains("spec.dnsNames"));
    assertThat(mode.rejection("default", "malformed"))
        .hasValueSatisfying(r -> assertThat(r).startsWith("malformed CRD SPIFFE ID: "));
    assertThat(mode.rejection("default", "good")).isEmpty();
    assertThat(mode.registry().get("registrar_spiffeids_rejected").counter().count()).isEqualTo(3);

    // Still processing: a later object is handled, and a fixed one is accepted.
    manualSpiffeId("default", "later", manualSpec("spiffe://example.org/later", good));
    k8s.patch(
        ResourceType.SPIFFEIDS.objectPath("default", "other-td"),
        Map.of("spec", Map.of("spiffeId", "spiffe://example.org/x")));

    await().atMost(CONVERGE).until(() -> spire.entries().size() == 6);
    awaitIdle(mode);
    assertThat(mode.rejection("default", "other-td")).isEmpty();
    assertThat(spire.entries()).contains(foreign);
  }
}
