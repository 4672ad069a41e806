package org.spireregistrar.cli;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.config.CommonConfig;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.crd.CrdMode;
import org.spireregistrar.crd.CrdRegistrar;
import org.spireregistrar.crd.SpiffeIdCrd;
import org.spireregistrar.crd.webhook.Pem;
import org.spireregistrar.crd.webhook.SpiffeIdWebhook;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * {@code demo --mode crd}: crd mode for real — the SpiffeID CRD applied to the Kubernetes API
 * stand-in, the controllers writing SpiffeIDs and entries, and the SpiffeID validating webhook on a
 * certificate minted by the in-memory SPIRE server, called by the stand-in as an API server would.
 */
final class CrdDemo {
  static final String NAMESPACE = "spire";
  private static final String SPIFFEIDS =
      "/apis/spiffeid.spiffe.io/v1beta1/namespaces/%s/spiffeids";

  private final PrintWriter out;
  private final Path objects;
  private final int scalePods;

  CrdDemo(PrintWriter out, Path objects, int scalePods) {
    this.out = out;
    this.objects = objects;
    this.scalePods = scalePods;
  }

  /** Runs the script, or serves until {@code stop} when {@code serve} is given. */
  int run(RegistrarConfig loaded, Path work, Server serve) throws Exception {
    long start = System.nanoTime();
    try (InMemorySpireServer spire = DemoCommand.startSpire(loaded, work.resolve("api.sock"));
        KubernetesApiStandIn k8s = KubernetesApiStandIn.start()) {
      k8s.create(new YAMLMapper().readTree(SpiffeIdCrd.manifest()));
      int seeded = k8s.load(objects).size();
      RegistrarConfig config = embedded(loaded, spire.address(), work.resolve("webhook-certs"));
      DemoCommand.banner(out, spire, k8s);
      out.printf("demo: SpiffeID CRD applied, seeded %d objects from %s%n", seeded, objects);
      out.flush();
      try (GrpcEntryStore store =
              GrpcEntryStore.connect(spire.address(), "", GrpcEntryStore.Options.DEFAULTS);
          CrdRegistrar registrar =
              new CrdRegistrar(
                  config,
                  k8s.client(),
                  store,
                  store.svidMinter(),
                  CrdMode.Runtime.of(NAMESPACE),
                  java.time.Clock.systemUTC(),
                  "127.0.0.1:0")) {
        registrar.start();
        SpiffeIdWebhook webhook = registrar.webhook().orElseThrow();
        k8s.serviceAddress(NAMESPACE, config.crd().webhookServiceName(), webhook.address());
        k8s.create(
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
            webhookConfiguration(config, spire.bundle()));
        out.printf(
            "demo: SpiffeID webhook on %s with a certificate minted by SPIRE%n", webhook.address());
        Map<EntryId, Entry> seen = new HashMap<>();
        await(() -> spire.entryCount() >= 1, "the first entries");
        step("initial sync", spire, seen, registrar);
        printEntries(spire);
        if (serve != null) {
          return serve.serve(k8s, work);
        }
        script(k8s, spire, store, registrar, seen);
        printEntries(spire);
        DemoCommand.done(out, start, spire);
      }
    }
    out.flush();
    return 0;
  }

  /** What {@code --keep-running} does once the registrar has converged. */
  interface Server {
    int serve(KubernetesApiStandIn k8s, Path work) throws InterruptedException;
  }

  private void script(
      KubernetesApiStandIn k8s,
      InMemorySpireServer spire,
      GrpcEntryStore store,
      CrdRegistrar registrar,
      Map<EntryId, Entry> seen)
      throws Exception {
    String pods = ResourceType.PODS.collectionPath("shop");
    out.printf(
        "%n== add pod shop/api-0 (label spiffe.io/identity=true): a SpiffeID, then an entry%n");
    k8s.create(pods, pod("shop", "api-0", "api", "node-a", true));
    await(() -> k8s.get(spiffeIds("shop") + "/api-0").isPresent(), "SpiffeID shop/api-0");
    step("add", spire, seen, registrar);

    out.printf("%n== apply a hand-written SpiffeID reports/nightly%n");
    CustomObjectsApi api = new CustomObjectsApi(k8s.client());
    api.createNamespacedCustomObject(
            SpiffeIdCrd.GROUP,
            SpiffeIdCrd.VERSION,
            "reports",
            SpiffeIdCrd.PLURAL,
            manual("nightly", "spiffe://example.org/reports/nightly"))
        .execute();
    await(
        () -> spire.entries().stream().anyMatch(e -> e.spiffeId().toString().endsWith("/nightly")),
        "the manual SpiffeID's entry");
    step("manual SpiffeID", spire, seen, registrar);

    out.printf("%n== apply a SpiffeID of another trust domain: the webhook denies it%n");
    try {
      api.createNamespacedCustomObject(
              SpiffeIdCrd.GROUP,
              SpiffeIdCrd.VERSION,
              "reports",
              SpiffeIdCrd.PLURAL,
              manual("evil", "spiffe://example.org.evil/reports/x"))
          .execute();
      throw new IllegalStateException("the webhook accepted a SpiffeID of another trust domain");
    } catch (ApiException e) {
      out.printf("   denied (HTTP %d): %s%n", e.getCode(), message(e.getResponseBody()));
    }

    out.printf("%n== delete the entry of shop/api-0 out of band (spire-server entry delete)%n");
    Entry apiEntry =
        spire.entries().stream()
            .filter(e -> e.spiffeId().toString().endsWith("/ns/shop/sa/api"))
            .findFirst()
            .orElseThrow();
    store.delete(List.of(apiEntry.id()));
    seen.remove(apiEntry.id());
    out.printf("   - deleted  %s (by hand)%n", apiEntry.spiffeId());
    registrar.mode().requestFullResync();
    await(
        () ->
            spire.entries().stream()
                .anyMatch(e -> e.spiffeId().toString().endsWith("/ns/shop/sa/api")),
        "the entry to be recreated");
    step("healed", spire, seen, registrar);

    out.printf("%n== delete pod shop/api-0: its SpiffeID is garbage-collected, then its entry%n");
    k8s.delete(ResourceType.PODS.objectPath("shop", "api-0"));
    k8s.awaitControllers(Duration.ofSeconds(30));
    await(
        () -> spire.entries().stream().noneMatch(e -> e.spiffeId().toString().endsWith("/sa/api")),
        "the entry to go");
    step("delete", spire, seen, registrar);

    out.printf("%n== scale: create %d labelled pods at once in namespace load%n", scalePods);
    long rpcsBefore = spire.counters().totalRpcs();
    Map<String, Long> before = spire.counters().rpcsByMethod();
    Map<String, Long> createdAt = new ConcurrentHashMap<>();
    for (int i = 0; i < scalePods; i++) {
      String name = "worker-" + i;
      createdAt.put(name, System.nanoTime());
      k8s.create(
          ResourceType.PODS.collectionPath("load"),
          pod("load", name, "worker", i % 2 == 0 ? "node-a" : "node-b", true));
    }
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    Map<String, Boolean> done = new ConcurrentHashMap<>();
    await(
        () -> {
          long now = System.nanoTime();
          for (Entry e : spire.entries()) {
            e.spec().dnsNames().stream()
                .filter(n -> n.startsWith("worker-"))
                .map(n -> n.substring(0, n.indexOf('.')))
                .filter(n -> createdAt.containsKey(n) && done.putIfAbsent(n, true) == null)
                .forEach(n -> latencies.add(now - createdAt.get(n)));
          }
          return done.size() == scalePods;
        },
        scalePods + " entries");
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    out.printf(
        "   pod created -> entry in SPIRE, %d pods: p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
            + " SPIRE RPCs %d (%s)%n",
        sorted.size(),
        DemoCommand.percentile(sorted, 0.50),
        DemoCommand.percentile(sorted, 0.99),
        DemoCommand.percentile(sorted, 1.0),
        spire.counters().totalRpcs() - rpcsBefore,
        DemoCommand.delta(before, spire.counters().rpcsByMethod()));
    out.printf("%n== scale: delete them again%n");
    for (int i = 0; i < scalePods; i++) {
      k8s.delete(ResourceType.PODS.objectPath("load", "worker-" + i));
    }
    k8s.awaitControllers(Duration.ofSeconds(60));
    await(
        () ->
            spire.entries().stream().noneMatch(e -> e.spiffeId().toString().contains("/ns/load/")),
        "the load entries to go");
    out.printf("   converged (scale down): %d entries left%n", spire.entryCount());
  }

  /** The {@code message} of a Kubernetes Status body. */
  private static String message(String body) {
    try {
      return new YAMLMapper().readTree(body).path("message").asText(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return body;
    }
  }

  private static String spiffeIds(String namespace) {
    return String.format(SPIFFEIDS, namespace);
  }

  /** Waits for the controllers to be idle, then prints what changed in SPIRE since last time. */
  private void step(
      String what, InMemorySpireServer spire, Map<EntryId, Entry> seen, CrdRegistrar registrar)
      throws InterruptedException {
    if (!registrar.mode().awaitIdle(Duration.ofSeconds(30))) {
      throw new IllegalStateException("crd mode did not settle within 30 s after " + what);
    }
    Map<EntryId, Entry> now = index(spire.entries());
    for (Entry e : now.values()) {
      Entry old = seen.get(e.id());
      if (old == null) {
        out.printf("   + created  %s%n", e.spiffeId());
      } else if (!old.spec().equals(e.spec())) {
        out.printf("   ~ updated  %s%n", e.spiffeId());
      }
    }
    for (Entry e : seen.values()) {
      if (!now.containsKey(e.id())) {
        out.printf("   - deleted  %s%n", e.spiffeId());
      }
    }
    seen.clear();
    seen.putAll(now);
    out.printf("   converged (%s)%n", what);
    out.flush();
  }

  private static Map<EntryId, Entry> index(List<Entry> entries) {
    Map<EntryId, Entry> m = new HashMap<>();
    entries.forEach(e -> m.put(e.id(), e));
    return m;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "crd mode did not converge within 60 s: waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  private void printEntries(InMemorySpireServer spire) {
    List<String> ids = new ArrayList<>();
    for (Entry e : spire.entries()) {
      ids.add(e.spiffeId() + "  (parent " + e.parentId() + ", id " + e.id() + ")");
    }
    Collections.sort(ids);
    out.printf("%nEntries in SPIRE (%d):%n", ids.size());
    ids.forEach(line -> out.printf("  %s%n", line));
    out.flush();
  }

  private static Map<String, Object> pod(
      String ns, String name, String sa, String node, boolean identity) {
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app", sa);
    if (identity) {
      labels.put("spiffe.io/identity", "true");
    }
    pod.put("metadata", Map.of("name", name, "namespace", ns, "labels", labels));
    pod.put(
        "spec",
        Map.of(
            "serviceAccountName", sa,
            "nodeName", node,
            "containers", List.of(Map.of("name", "app", "image", "example/" + sa))));
    return pod;
  }

  private static Map<String, Object> manual(String name, String spiffeId) {
    return Map.of(
        "apiVersion",
        SpiffeIdCrd.API_VERSION,
        "kind",
        SpiffeIdCrd.KIND,
        "metadata",
        Map.of("name", name, "namespace", "reports"),
        "spec",
        Map.of(
            "spiffeId",
            spiffeId,
            "parentId",
            "spiffe://example.org/k8s-workload-registrar/demo-cluster/node/node-a",
            "selector",
            Map.of("namespace", "reports", "serviceAccount", name)));
  }

  /** Upstream's ValidatingWebhookConfiguration (§6.7), caBundle = the SPIRE bundle. */
  private static Map<String, Object> webhookConfiguration(
      RegistrarConfig config, List<X509Certificate> bundle) throws CertificateEncodingException {
    byte[] pem = Pem.certificates(bundle);
    String service = config.crd().webhookServiceName();
    return Map.of(
        "apiVersion",
        "admissionregistration.k8s.io/v1",
        "kind",
        "ValidatingWebhookConfiguration",
        "metadata",
        Map.of("name", "k8s-workload-registrar", "labels", Map.of("spiffe.io/webhook", "true")),
        "webhooks",
        List.of(
            Map.of(
                "name",
                service + "." + NAMESPACE + ".svc",
                "admissionReviewVersions",
                List.of("v1", "v1beta1"),
                "sideEffects",
                "None",
                "clientConfig",
                Map.of(
                    "service",
                    Map.of("name", service, "namespace", NAMESPACE, "path", SpiffeIdWebhook.PATH),
                    "caBundle",
                    Base64.getEncoder().encodeToString(pem)),
                "rules",
                List.of(
                    Map.of(
                        "apiGroups", List.of(SpiffeIdCrd.GROUP),
                        "apiVersions", List.of(SpiffeIdCrd.VERSION),
                        "operations", List.of("CREATE", "UPDATE", "DELETE"),
                        "resources", List.of(SpiffeIdCrd.PLURAL),
                        "scope", "Namespaced")))));
  }

  /** The configuration with the embedded server, no metrics port and a temporary cert dir. */
  static RegistrarConfig embedded(RegistrarConfig c, String serverAddress, Path certDir) {
    CommonConfig common = DemoCommand.embeddedCommon(c.common(), serverAddress);
    CrdConfig k = c.crd();
    CrdConfig crd =
        new CrdConfig(
            k.podController(),
            k.addSvcDnsName(),
            false,
            k.leaderElectionResourceLock(),
            "0",
            true,
            certDir.toString(),
            k.webhookPort(),
            k.webhookServiceName(),
            k.identityTemplate(),
            k.identityTemplateLabel(),
            k.dnsNameTemplates(),
            k.context());
    return new RegistrarConfig(common, c.webhook(), c.reconcile(), crd, c.warnings());
  }
}
