package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.core.entry.WebhookEntries;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.ManifestReader;
import org.spireregistrar.reconcile.SyncEngine;
import org.spireregistrar.reconcile.SyncListener;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;
import org.spireregistrar.webhook.PodAdmission;
import org.spireregistrar.webhook.review.AdmissionRequest;
import org.spireregistrar.webhook.review.AdmissionReviewCodec;
import org.spireregistrar.webhook.review.GroupVersionKind;

/**
 * {@code plan --server} against {@link InMemorySpireServer} over a real Unix socket: what each mode
 * would write, under its own ownership rule, read-only.
 */
class PlanServerTest {

  private static final String CLUSTER = "../examples/cluster";
  private static final String RECONCILE_CONF = "../examples/reconcile/registrar.conf";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TrustDomain TD = new TrustDomain("example.org");

  @TempDir Path dir;

  private InMemorySpireServer spire;

  @AfterEach
  void stop() {
    if (spire != null) {
      spire.close();
    }
  }

  private Path socket() {
    return dir.resolve("api.sock");
  }

  private InMemorySpireServer start(RegistrarConfig config) {
    spire = DemoCommand.startSpire(config, socket());
    return spire;
  }

  private static RegistrarConfig reconcileConfig() {
    return HclConfigLoader.load(Path.of(RECONCILE_CONF));
  }

  private static List<EntrySpec> desired(RegistrarConfig config) {
    return Planner.plan(config, objects()).entries();
  }

  private static ClusterObjects objects() {
    return ManifestReader.read(List.of(Path.of(CLUSTER))).objects();
  }

  private CliRun plan(String config, String... more) {
    return planOf(config, CLUSTER, more);
  }

  /** {@code plan -config config -f objects --server <socket> more…}. */
  private CliRun planOf(String config, String objects, String... more) {
    String[] base = {"plan", "-config", config, "-f", objects, "--server", socket().toString()};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliRun.of(args);
  }

  private static Entry entry(String id, EntrySpec spec) {
    return Entry.of(new EntryId(id), spec);
  }

  // ---------------------------------------------------------------- reconcile

  @Test
  void emptyServerPlansEveryEntryAsACreateAndExitsThree() throws IOException {
    RegistrarConfig config = reconcileConfig();
    start(config);

    CliRun run = plan(RECONCILE_CONF, "--exit-code");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    JsonNode out = JSON.readTree(run.out());
    assertThat(out.at("/summary/create").asInt()).isEqualTo(desired(config).size()).isPositive();
    assertThat(out.at("/summary/update").asInt()).isZero();
    assertThat(out.at("/summary/delete").asInt()).isZero();
    assertThat(out.at("/mode").asText()).isEqualTo("reconcile");
    assertThat(out.at("/server").asText()).isEqualTo("unix://" + socket().toAbsolutePath());
  }

  @Test
  void readsTheServerWithListEntriesOnly() {
    RegistrarConfig config = reconcileConfig();
    start(config);
    spire.putEntry(entry("stale", podEntry("shop", "gone-0", "spiffe://example.org/ns/shop/sa/x")));

    CliRun run = plan(RECONCILE_CONF, "--exit-code");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(spire.counters().rpcsByMethod().keySet()).containsOnly("ListEntries");
    assertThat(spire.entries()).extracting(Entry::id).containsExactly(new EntryId("stale"));
  }

  @Test
  void noChangesExitsZero() {
    RegistrarConfig config = reconcileConfig();
    start(config);
    int i = 0;
    for (EntrySpec spec : desired(config)) {
      spire.putEntry(entry("e" + i++, spec));
    }

    CliRun run = plan(RECONCILE_CONF, "--exit-code", "-o", "table");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith(
            "SPIRE server unix://"
                + socket().toAbsolutePath()
                + ", reconcile mode: 0 to create, 0 to update, 0 to delete, "
                + i
                + " unchanged, 0 untouched\n")
        .contains("No changes.");
  }

  @Test
  void withoutExitCodeChangesStillExitZero() {
    start(reconcileConfig());

    assertThat(plan(RECONCILE_CONF).exitCode()).isZero();
  }

  /**
   * One of each: unchanged, update, create, delete, a foreign entry and an owned entry whose
   * selectors name no object; then the production engine runs against the same server and makes
   * exactly the writes the plan announced, after which the plan is empty.
   */
  @Test
  void plansExactlyTheWritesTheReconcileEngineMakes() throws Exception {
    RegistrarConfig config = reconcileConfig();
    start(config);
    List<EntrySpec> want = desired(config);
    EntrySpec kept = want.get(0);
    EntrySpec changed = want.get(1);
    spire.putEntry(entry("a-kept", kept));
    spire.putEntry(
        entry(
            "b-changed",
            changed
                .withDnsNames(List.of("old.example"))
                .withFederatesWith(List.of(new TrustDomain("partner.example")))));
    spire.putEntry(
        entry("c-gone", podEntry("shop", "gone-0", "spiffe://example.org/ns/shop/sa/gone")));
    Entry foreign =
        entry(
            "d-foreign",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/ns/shop/sa/web"),
                SpiffeId.parse("spiffe://example.org/spire/agent/k8s_psat/demo-cluster/x"),
                List.of(Selector.k8s("ns:shop"), Selector.k8s("pod-name:web-0"))));
    spire.putEntry(foreign);
    Entry unmanaged =
        entry(
            "e-unmanaged",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/batch"),
                SpiffeId.of(TD, "spire-k8s-registrar", "demo-cluster", "node", "node-a"),
                List.of(Selector.k8s("sa:batch"))));
    spire.putEntry(unmanaged);

    CliRun run = plan(RECONCILE_CONF, "--exit-code", "--show-untouched");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    JsonNode out = JSON.readTree(run.out());
    int creates = want.size() - 2;
    assertThat(out.at("/summary").toString())
        .isEqualTo(
            "{\"create\":"
                + creates
                + ",\"update\":1,\"delete\":1,\"unchanged\":1,\"untouched\":2}");
    JsonNode update = out.at("/updates/0");
    assertThat(update.at("/id").asText()).isEqualTo("b-changed");
    assertThat(update.at("/changes/dns_names/old").toString()).isEqualTo("[\"old.example\"]");
    assertThat(update.at("/changes/dns_names/new").toString())
        .isEqualTo(JSON.writeValueAsString(changed.dnsNames()));
    assertThat(update.at("/changes/federates_with/old").toString())
        .isEqualTo("[\"partner.example\"]");
    assertThat(update.at("/changes/federates_with/new").toString())
        .isEqualTo(
            JSON.writeValueAsString(
                changed.federatesWith().stream().map(TrustDomain::name).toList()));
    assertThat(update.at("/changes").has("spiffe_id")).isFalse();
    assertThat(out.at("/deletes/0/id").asText()).isEqualTo("c-gone");
    assertThat(out.at("/untouched/by_reason").toString())
        .isEqualTo("{\"not-owned\":1,\"unmanaged-selectors\":1}");
    assertThat(out.at("/untouched/entries/0/id").asText()).isEqualTo("d-foreign");
    assertThat(out.at("/untouched/entries/1/id").asText()).isEqualTo("e-unmanaged");

    // The production engine, fed the same objects, writes exactly that.
    spire.resetCounters();
    runReconcileEngine(config);
    assertThat(spire.counters().entries("BatchCreateEntry")).isEqualTo(creates);
    assertThat(spire.counters().entries("BatchUpdateEntry")).isEqualTo(1);
    assertThat(spire.counters().entries("BatchDeleteEntry")).isEqualTo(1);
    assertThat(spire.entries()).contains(foreign, unmanaged);

    CliRun after = plan(RECONCILE_CONF, "--exit-code", "-o", "table");
    assertThat(after.exitCode()).as(after.out()).isZero();
    assertThat(after.out()).contains("0 to create, 0 to update, 0 to delete");
  }

  private void runReconcileEngine(RegistrarConfig config) throws InterruptedException {
    try (GrpcEntryStore store =
            GrpcEntryStore.connect("unix://" + socket(), "", GrpcEntryStore.Options.DEFAULTS);
        SyncEngine engine = SyncEngine.forConfig(config, store, SyncListener.NONE)) {
      ClusterObjects objects = objects();
      for (NodeInfo n : objects.nodes()) {
        engine.nodeUpserted(n);
      }
      for (EndpointsInfo e : objects.endpoints()) {
        engine.endpointsUpserted(e);
      }
      for (Workload p : objects.pods()) {
        engine.podUpserted(p);
      }
      engine.cachesSynced();
      engine.setLeader(true);
      engine.start();
      assertThat(engine.awaitIdle(Duration.ofMinutes(1))).isTrue();
    }
  }

  @Test
  void updateOfARelabelledPodShowsTheOldAndNewSpiffeId() throws IOException {
    RegistrarConfig config = reconcileConfig();
    start(config);
    EntrySpec web =
        desired(config).stream()
            .filter(s -> s.selectorStrings().contains("k8s:pod-name:web-0"))
            .findFirst()
            .orElseThrow();
    spire.putEntry(
        entry(
            "web",
            new EntrySpec(
                SpiffeId.parse("spiffe://example.org/ns/shop/sa/old"),
                web.parentId(),
                web.selectors(),
                web.dnsNames(),
                web.federatesWith(),
                false)));

    CliRun run = plan(RECONCILE_CONF, "-o", "table");

    assertThat(run.out())
        .contains("~ update web spiffe://example.org/ns/shop/sa/old\n")
        .contains(
            "    spiffe_id       spiffe://example.org/ns/shop/sa/old -> " + web.spiffeId() + "\n");
  }

  @Test
  void aRejectedPodKeepsItsEntries() throws IOException {
    Path conf =
        write(
            "r.conf",
            """
            trust_domain = "example.org"
            server_socket_path = "/unused.sock"
            cluster = "demo-cluster"
            mode = "reconcile"
            """);
    Path pods =
        write(
            "pods.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: bad-0
              namespace: shop
              uid: u-1
              annotations:
                spiffe.io/federatesWith: "not a domain!"
            spec:
              serviceAccountName: web
              nodeName: node-a
            """);
    start(reconcileConfig());
    spire.putEntry(entry("bad", podEntry("shop", "bad-0", "spiffe://example.org/ns/shop/sa/web")));

    CliRun run =
        CliRun.of(
            "plan",
            "-config",
            conf.toString(),
            "-f",
            pods.toString(),
            "--server",
            "unix://" + socket(),
            "--exit-code",
            "-o",
            "table",
            "--show-untouched");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("Pod shop/bad-0: ");
    assertThat(run.out())
        .contains("0 to delete")
        .contains("  bad spiffe://example.org/ns/shop/sa/web: rejected-object: Pod shop/bad-0: ");
  }

  // ---------------------------------------------------------------- errors

  @Test
  void missingSocketIsOneClearErrorWithoutAStackTrace() {
    CliRun run = plan(RECONCILE_CONF, "--exit-code");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .endsWith(
            "\nerror: unable to list the entries of the SPIRE server: SPIRE server socket "
                + socket().toAbsolutePath()
                + " does not exist\n")
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
  }

  @Test
  void socketNobodyListensOnIsOneClearError() throws IOException {
    Files.writeString(socket(), "not a socket");

    CliRun run = plan(RECONCILE_CONF, "--exit-code");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("\nerror: unable to list the entries of the SPIRE server: SPIRE server unix://")
        .contains("ListEntries failed: UNAVAILABLE")
        .doesNotContain("\tat ");
  }

  @Test
  void exitCodeNeedsServer() {
    CliRun run = CliRun.of("plan", "-config", RECONCILE_CONF, "-f", CLUSTER, "--exit-code");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--exit-code needs --server");
  }

  @Test
  void serverWithoutAddressUsesTheConfiguration() throws IOException {
    Path conf =
        write(
            "r.conf",
            Files.readString(Path.of(RECONCILE_CONF))
                .replace("/tmp/spire-server/private/api.sock", socket().toString()));
    start(reconcileConfig());

    CliRun run =
        CliRun.of("plan", "-config", conf.toString(), "--server", "-f", CLUSTER, "--exit-code");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    assertThat(run.out()).contains("\"server\" : \"unix://" + socket() + "\"");
  }

  // ---------------------------------------------------------------- webhook

  @Test
  void webhookModeOnlyCreatesAndNeverUpdatesOrDeletes() throws IOException {
    Path conf =
        write(
            "w.conf",
            """
            trust_domain = "example.org"
            server_socket_path = "/unused.sock"
            cluster = "c1"
            mode = "webhook"
            """);
    Path pods =
        write(
            "pods.yaml",
            pod("shop", "web-0", "web", "") + "---\n" + pod("shop", "api-0", "api", ""));
    start(reconcileConfig());
    SpiffeId clusterNode = SpiffeId.parse("spiffe://example.org/k8s-workload-registrar/c1/node");
    spire.putEntry(
        entry(
            "node",
            EntrySpec.of(
                clusterNode,
                SpiffeId.parse("spiffe://example.org/spire/server"),
                List.of(Selector.psat("cluster:c1")))));
    spire.putEntry(
        entry(
            "api",
            EntrySpec.of(
                    SpiffeId.parse("spiffe://example.org/ns/shop/sa/api"),
                    clusterNode,
                    List.of(Selector.k8s("ns:shop"), Selector.k8s("pod-name:api-0")))
                .withFederatesWith(List.of(new TrustDomain("partner.example")))));
    spire.putEntry(
        entry(
            "gone",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/ns/shop/sa/gone"),
                clusterNode,
                List.of(Selector.k8s("ns:shop"), Selector.k8s("pod-name:gone-0")))));

    CliRun run = planOf(conf.toString(), pods.toString(), "--exit-code", "-o", "table");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    assertThat(run.out())
        .startsWith(
            "SPIRE server unix://"
                + socket()
                + ", webhook mode: 1 to create, 0 to update, 0 to delete, 1 unchanged, 2"
                + " untouched\n")
        .contains("+ create spiffe://example.org/ns/shop/sa/web\n")
        .contains("webhook-no-delete")
        .contains("webhook-no-update");
  }

  /** Webhook mode's admission, run for real on every pod, creates exactly what the plan said. */
  @Test
  void plansExactlyTheEntriesWebhookAdmissionCreates() throws IOException {
    String conf =
        write(
                "w.conf",
                """
                trust_domain = "example.org"
                server_socket_path = "/unused.sock"
                cluster = "c1"
                mode = "webhook"
                """)
            .toString();
    List<String> pods =
        List.of(
            pod("shop", "web-0", "web", ""),
            pod("shop", "api-0", "api", ""),
            pod("edge", "gw-0", "gw", ""));
    Path objects = write("pods.yaml", String.join("---\n", pods));
    start(reconcileConfig());
    SpiffeId clusterNode = SpiffeId.parse("spiffe://example.org/k8s-workload-registrar/c1/node");
    spire.putEntry(
        entry(
            "api",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/ns/shop/sa/api"),
                clusterNode,
                List.of(Selector.k8s("ns:shop"), Selector.k8s("pod-name:api-0")))));

    CliRun run = planOf(conf, objects.toString(), "--exit-code");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    int planned = JSON.readTree(run.out()).at("/summary/create").asInt();
    assertThat(planned).isEqualTo(3); // the cluster node entry, web-0, gw-0

    int before = spire.entryCount();
    RegistrarConfig config = HclConfigLoader.load(Path.of(conf));
    try (GrpcEntryStore store =
        GrpcEntryStore.connect("unix://" + socket(), "", GrpcEntryStore.Options.DEFAULTS)) {
      PodAdmission admission =
          new PodAdmission(
              WebhookEntries.forConfig(config),
              store,
              new AdmissionReviewCodec(),
              config.common().disabledNamespaces());
      admission.createClusterNodeEntry();
      for (String yaml : pods) {
        JsonNode pod = new YAMLMapper().readTree(yaml);
        admission.admit(
            new AdmissionRequest(
                "uid-" + pod.at("/metadata/name").asText(),
                GroupVersionKind.POD,
                pod.at("/metadata/namespace").asText(),
                pod.at("/metadata/name").asText(),
                "CREATE",
                Optional.of(pod),
                Optional.empty(),
                false));
      }
    }
    assertThat(spire.entryCount() - before).isEqualTo(planned);

    CliRun after = planOf(conf, objects.toString(), "--exit-code");
    assertThat(after.exitCode()).as(after.out()).isZero();
  }

  // ---------------------------------------------------------------- crd

  @Test
  void crdModeDeletesOnlyPrefixedEntriesNoSpiffeIdLinks() throws IOException {
    Path conf =
        write(
            "c.conf",
            """
            trust_domain = "example.org"
            server_socket_path = "/unused.sock"
            cluster = "c1"
            mode = "crd"
            pod_controller = false
            add_svc_dns_name = false
            """);
    Path objects =
        write(
            "spiffeids.yaml",
            """
            apiVersion: spiffeid.spiffe.io/v1beta1
            kind: SpiffeID
            metadata:
              name: batch
              namespace: reports
            spec:
              spiffeId: spiffe://example.org/reports/batch
              parentId: spiffe://example.org/k8s-workload-registrar/c1/node/node-a
              selector:
                namespace: reports
              dnsNames: [batch.reports.svc]
            status:
              entryId: k8s-workload-registrar.c1.linked
            ---
            apiVersion: spiffeid.spiffe.io/v1beta1
            kind: SpiffeID
            metadata:
              name: new
              namespace: reports
            spec:
              spiffeId: spiffe://example.org/reports/new
              parentId: spiffe://example.org/k8s-workload-registrar/c1/node/node-a
              selector:
                namespace: reports
            """);
    start(reconcileConfig());
    SpiffeId nodeA = SpiffeId.parse("spiffe://example.org/k8s-workload-registrar/c1/node/node-a");
    spire.putEntry(
        entry(
            "k8s-workload-registrar.c1.linked",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/reports/batch"),
                nodeA,
                List.of(Selector.k8s("ns:reports")))));
    spire.putEntry(
        entry(
            "k8s-workload-registrar.c1.orphan",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/reports/orphan"),
                nodeA,
                List.of(Selector.k8s("ns:reports")))));
    spire.putEntry(
        entry(
            "k8s-workload-registrar.c2.other-cluster",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/reports/other"),
                nodeA,
                List.of(Selector.k8s("ns:reports")))));
    spire.putEntry(
        entry(
            "by-hand",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/reports/hand"),
                nodeA,
                List.of(Selector.k8s("ns:reports")))));

    CliRun run = planOf(conf.toString(), objects.toString(), "--exit-code", "--show-untouched");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    JsonNode out = JSON.readTree(run.out());
    assertThat(out.at("/summary").toString())
        .isEqualTo("{\"create\":1,\"update\":1,\"delete\":1,\"unchanged\":0,\"untouched\":2}");
    assertThat(out.at("/creates/0/spiffe_id").asText())
        .isEqualTo("spiffe://example.org/reports/new");
    assertThat(out.at("/updates/0/id").asText()).isEqualTo("k8s-workload-registrar.c1.linked");
    assertThat(out.at("/updates/0/changes").toString())
        .isEqualTo("{\"dns_names\":{\"old\":[],\"new\":[\"batch.reports.svc\"]}}");
    assertThat(out.at("/deletes/0/id").asText()).isEqualTo("k8s-workload-registrar.c1.orphan");
    assertThat(out.at("/untouched/entries").findValuesAsText("id"))
        .containsExactly("by-hand", "k8s-workload-registrar.c2.other-cluster");
  }

  @Test
  void crdModeFollowsAGeneratedSpiffeIdToItsPodsNewSpec() throws IOException {
    Path conf =
        write(
            "c.conf",
            """
            trust_domain = "example.org"
            server_socket_path = "/unused.sock"
            cluster = "c1"
            mode = "crd"
            add_svc_dns_name = false
            dns_name_templates = []
            """);
    Path objects =
        write(
            "objects.yaml",
            pod("shop", "web-0", "web", "u-web")
                + """
                ---
                apiVersion: v1
                kind: Node
                metadata:
                  name: node-a
                  uid: n-1
                ---
                apiVersion: spiffeid.spiffe.io/v1beta1
                kind: SpiffeID
                metadata:
                  name: web-0
                  namespace: shop
                  labels:
                    podUid: u-web
                spec:
                  spiffeId: spiffe://example.org/ns/shop/sa/old
                  parentId: spiffe://example.org/k8s-workload-registrar/c1/node/node-a
                  selector:
                    podUid: u-web
                    namespace: shop
                    nodeName: node-a
                status:
                  entryId: k8s-workload-registrar.c1.web
                ---
                apiVersion: spiffeid.spiffe.io/v1beta1
                kind: SpiffeID
                metadata:
                  name: gone-0
                  namespace: shop
                  labels:
                    podUid: u-gone
                spec:
                  spiffeId: spiffe://example.org/ns/shop/sa/gone
                  parentId: spiffe://example.org/k8s-workload-registrar/c1/node/node-a
                  selector:
                    podUid: u-gone
                status:
                  entryId: unprefixed-gone
                """);
    start(reconcileConfig());
    SpiffeId nodeA = SpiffeId.parse("spiffe://example.org/k8s-workload-registrar/c1/node/node-a");
    spire.putEntry(
        entry(
            "k8s-workload-registrar.c1.web",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/ns/shop/sa/old"),
                nodeA,
                List.of(
                    Selector.k8s("pod-uid:u-web"),
                    Selector.k8s("ns:shop"),
                    Selector.k8s("node-name:node-a")))));
    spire.putEntry(
        entry(
            "unprefixed-gone",
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/ns/shop/sa/gone"),
                nodeA,
                List.of(Selector.k8s("pod-uid:u-gone")))));

    CliRun run = planOf(conf.toString(), objects.toString(), "-o", "table");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("1 to create, 1 to update, 1 to delete")
        .contains("~ update k8s-workload-registrar.c1.web spiffe://example.org/ns/shop/sa/old\n")
        .contains(
            "    spiffe_id       spiffe://example.org/ns/shop/sa/old ->"
                + " spiffe://example.org/ns/shop/sa/web\n")
        .contains("- delete unprefixed-gone spiffe://example.org/ns/shop/sa/gone\n")
        .contains("+ create spiffe://example.org/k8s-workload-registrar/c1/node/node-a\n");
  }

  // ---------------------------------------------------------------- helpers

  private static EntrySpec podEntry(String ns, String name, String id) {
    return EntrySpec.of(
        SpiffeId.parse(id),
        SpiffeId.of(TD, "spire-k8s-registrar", "demo-cluster", "node", "node-a"),
        List.of(Selector.k8s("ns:" + ns), Selector.k8s("pod-name:" + name)));
  }

  private static String pod(String ns, String name, String sa, String uid) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: %s
          uid: %s
        spec:
          serviceAccountName: %s
          nodeName: node-a
        """
        .formatted(name, ns, uid.isEmpty() ? "uid-" + name : uid, sa);
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }
}
