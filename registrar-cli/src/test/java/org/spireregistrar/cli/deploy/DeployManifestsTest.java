package org.spireregistrar.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spireregistrar.cli.deploy.DeployBase.Doc;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.ListenAddress;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.crd.SpiffeIdCrd;
import org.spireregistrar.crd.webhook.SpiffeIdWebhook;

/**
 * The {@code deploy/} bases as Kubernetes objects, read without kubectl: every document is a
 * well-formed object of its kind, the registrar's configuration passes the same loader as {@code
 * validate}, and the Deployment, probes, volumes, Services and webhook configurations agree with
 * that configuration.
 */
class DeployManifestsTest {
  private static final Set<String> CLUSTER_SCOPED =
      Set.of(
          "Namespace",
          "ClusterRole",
          "ClusterRoleBinding",
          "CustomResourceDefinition",
          "ValidatingWebhookConfiguration");

  /** A problem per line, naming the document; empty when it is a valid object of its kind. */
  static List<String> objectProblems(Doc d) {
    List<String> out = new ArrayList<>();
    JsonNode n = d.node();
    Predicate<String> missing = path -> n.at(path).isMissingNode() || n.at(path).isNull();
    for (String required : List.of("/apiVersion", "/kind", "/metadata/name")) {
      if (missing.test(required) || n.at(required).asText().isBlank()) {
        out.add(d + ": " + required.substring(1).replace('/', '.') + " is required");
      }
    }
    if (!d.name().matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
      out.add(d + ": metadata.name is not a DNS-1123 subdomain");
    }
    boolean namespaced = !CLUSTER_SCOPED.contains(d.kind());
    if (namespaced == d.namespace().isEmpty()) {
      out.add(d + (namespaced ? ": metadata.namespace is required" : ": is cluster-scoped"));
    }
    List<String> required =
        switch (d.kind()) {
          case "Deployment" ->
              List.of(
                  "/spec/selector/matchLabels",
                  "/spec/template/metadata/labels",
                  "/spec/template/spec/containers/0/name",
                  "/spec/template/spec/containers/0/image");
          case "Service" -> List.of("/spec/selector", "/spec/ports/0/port");
          case "ConfigMap" -> List.of();
          case "ClusterRole", "Role" ->
              List.of("/rules/0/apiGroups", "/rules/0/resources", "/rules/0/verbs");
          case "ClusterRoleBinding", "RoleBinding" ->
              List.of(
                  "/roleRef/apiGroup",
                  "/roleRef/kind",
                  "/roleRef/name",
                  "/subjects/0/kind",
                  "/subjects/0/name");
          case "PodDisruptionBudget" -> List.of("/spec/selector/matchLabels");
          case "ValidatingWebhookConfiguration" ->
              List.of(
                  "/webhooks/0/name",
                  "/webhooks/0/clientConfig/service/name",
                  "/webhooks/0/admissionReviewVersions",
                  "/webhooks/0/sideEffects",
                  "/webhooks/0/rules/0/operations");
          case "CustomResourceDefinition" ->
              List.of("/spec/group", "/spec/names/plural", "/spec/names/kind", "/spec/versions/0");
          case "Namespace", "ServiceAccount" -> List.of();
          default -> {
            out.add(d + ": a kind these tests do not know; add its required fields");
            yield List.of();
          }
        };
    for (String path : required) {
      if (missing.test(path)) {
        out.add(d + ": " + path.substring(1).replace('/', '.') + " is required");
      }
    }
    if (d.kind().equals("Deployment")) {
      JsonNode selector = n.at("/spec/selector/matchLabels");
      JsonNode labels = n.at("/spec/template/metadata/labels");
      selector
          .properties()
          .forEach(
              e -> {
                if (!e.getValue().equals(labels.path(e.getKey()))) {
                  out.add(d + ": the selector does not match the pod template's labels");
                }
              });
    }
    if (d.kind().equals("ConfigMap")) {
      n.path("data")
          .properties()
          .forEach(
              e -> {
                if (!e.getValue().isTextual()) {
                  out.add(d + ": data." + e.getKey() + " is not a string");
                }
              });
    }
    if (d.kind().equals("PodDisruptionBudget")
        && missing.test("/spec/minAvailable")
        && missing.test("/spec/maxUnavailable")) {
      out.add(d + ": spec.minAvailable or spec.maxUnavailable is required");
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "webhook", "crd"})
  void everyDocumentIsAKubernetesObjectOfItsKind(String mode) {
    DeployBase base = DeployBase.read(mode);
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Doc d : base.docs()) {
      problems.addAll(objectProblems(d));
      if (!seen.add(d.kind() + " " + d.namespace() + "/" + d.name())) {
        problems.add(d + ": defined twice");
      }
    }
    assertThat(problems).isEmpty();
    assertThat(base.docs()).extracting(Doc::kind).contains("Namespace", "ServiceAccount");
  }

  @Test
  void theCheckerRefusesBrokenObjects() {
    Doc noName = doc("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: spire\n");
    Doc badService =
        doc("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: spire\nspec: {}\n");
    Doc roleWithoutVerbs =
        doc(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
                + "  name: r\n  namespace: spire\nrules:\n  - apiGroups: ['']\n"
                + "    resources: [pods]\n");

    assertThat(objectProblems(noName))
        .containsExactly(
            "x.yaml document 1 (ConfigMap ): metadata.name is required",
            "x.yaml document 1 (ConfigMap ): metadata.name is not a DNS-1123 subdomain");
    assertThat(objectProblems(badService))
        .containsExactly(
            "x.yaml document 1 (Service s): spec.selector is required",
            "x.yaml document 1 (Service s): spec.ports.0.port is required");
    assertThat(objectProblems(roleWithoutVerbs))
        .containsExactly(
            "x.yaml document 1 (ClusterRole r): is cluster-scoped",
            "x.yaml document 1 (ClusterRole r): rules.0.verbs is required");
  }

  private static Doc doc(String yaml) {
    try {
      return new Doc(
          "x.yaml", 1, new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(yaml));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "webhook", "crd"})
  void theConfigMapHoldsAValidConfigurationOfItsMode(String mode) {
    DeployBase base = DeployBase.read(mode);

    RegistrarConfig config = base.config();

    assertThat(config.mode()).isEqualTo(Mode.fromKey(mode).orElseThrow());
    assertThat(config.warnings()).as("validate --strict passes").isEmpty();
    assertThat(base.registrarContainer().path("args"))
        .extracting(JsonNode::asText)
        .containsExactly("-config", "/run/k8s-workload-registrar/config/registrar.conf");
    assertThat(base.volumeAt(base.registrarContainer(), "/run/k8s-workload-registrar/config"))
        .hasValueSatisfying(
            v ->
                assertThat(v.path("configMap").path("name").asText())
                    .isEqualTo(DeployBase.REGISTRAR));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "webhook", "crd"})
  void everyContainerIsHardenedAndSized(String mode) {
    DeployBase base = DeployBase.read(mode);
    JsonNode pod = base.podSpec();

    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).isPositive();
    for (JsonNode c : pod.path("containers")) {
      String name = c.path("name").asText();
      assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
      assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
          .as(name)
          .isFalse();
      assertThat(c.at("/securityContext/capabilities/drop"))
          .as(name)
          .extracting(JsonNode::asText)
          .containsExactly("ALL");
      assertThat(c.at("/resources/requests/cpu").isMissingNode()).as(name).isFalse();
      assertThat(c.at("/resources/requests/memory").isMissingNode()).as(name).isFalse();
      assertThat(c.at("/resources/limits/memory").isMissingNode()).as(name).isFalse();
      assertThat(c.path("livenessProbe").isObject()).as(name).isTrue();
      assertThat(c.path("readinessProbe").isObject()).as(name).isTrue();
    }
    assertThat(base.volumeAt(base.registrarContainer(), "/tmp"))
        .as("a writable /tmp for the JVM and gRPC's native library")
        .hasValueSatisfying(v -> assertThat(v.has("emptyDir")).isTrue());
    JsonNode env = base.registrarContainer().path("env");
    assertThat(env)
        .anySatisfy(
            e -> {
              assertThat(e.path("name").asText()).isEqualTo("MY_POD_NAMESPACE");
              assertThat(e.at("/valueFrom/fieldRef/fieldPath").asText())
                  .isEqualTo("metadata.namespace");
            });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "crd"})
  void probesAskTheHealthPortTheConfigurationUses(String mode) {
    DeployBase base = DeployBase.read(mode);
    RegistrarConfig config = base.config();
    String address =
        config.mode() == Mode.CRD
            ? config.crd().metricsBindAddr()
            : config.reconcile().metricsAddr();
    int port = ListenAddress.parse(address).port();
    JsonNode c = base.registrarContainer();

    assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(c.at("/livenessProbe/httpGet/port").asInt()).isEqualTo(port);
    assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(c.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(port);
    assertThat(base.container("spire-server").path("ports"))
        .as("the SPIRE server's own health port must not collide in the shared pod")
        .noneMatch(p -> p.path("containerPort").asInt() == port);
  }

  @Test
  void webhookModeProbesItsAdmissionPort() {
    DeployBase base = DeployBase.read("webhook");
    int port = ListenAddress.parse(base.config().webhook().addr()).port();
    JsonNode c = base.registrarContainer();

    assertThat(c.at("/livenessProbe/tcpSocket/port").asInt()).isEqualTo(port);
    assertThat(c.at("/readinessProbe/tcpSocket/port").asInt()).isEqualTo(port);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "webhook", "crd"})
  void theRegistrarAndTheServerShareTheAdminSocketAndAgreeOnNames(String mode) {
    DeployBase base = DeployBase.read(mode);
    RegistrarConfig config = base.config();
    String socket = config.common().serverAddress().replaceFirst("^unix://", "");
    String socketDir = socket.substring(0, socket.lastIndexOf('/'));
    String serverConf =
        base.one("ConfigMap", "spire-server").node().path("data").path("server.conf").asText();

    JsonNode registrarVolume = base.volumeAt(base.registrarContainer(), socketDir).orElseThrow();
    JsonNode serverVolume = base.volumeAt(base.container("spire-server"), socketDir).orElseThrow();
    assertThat(registrarVolume).isEqualTo(serverVolume);
    assertThat(registrarVolume.has("emptyDir")).isTrue();
    assertThat(hclString(serverConf, "socket_path")).isEqualTo(socket);
    assertThat(hclString(serverConf, "trust_domain"))
        .isEqualTo(config.common().trustDomain().toString());
    assertThat(serverConf)
        .as("the k8s_psat cluster is the registrar's cluster")
        .contains("\"" + config.common().cluster() + "\" = {");
  }

  private static String hclString(String hcl, String key) {
    Matcher m = Pattern.compile("(?m)^\\s*" + key + "\\s*=\\s*\"([^\"]*)\"").matcher(hcl);
    assertThat(m.find()).as(key + " in server.conf").isTrue();
    return m.group(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "webhook", "crd"})
  void twoReplicasWithABudgetWhereSeveralMayRun(String mode) {
    DeployBase base = DeployBase.read(mode);
    RegistrarConfig config = base.config();
    boolean leaderElection =
        switch (config.mode()) {
          case RECONCILE -> config.reconcile().leaderElection();
          case CRD -> config.crd().leaderElection();
          case WEBHOOK -> false;
        };
    // Webhook mode elects no leader: both replicas answer admissions (failurePolicy: Fail).
    assertThat(leaderElection).isEqualTo(config.mode() != Mode.WEBHOOK);
    assertThat(base.deployment().node().at("/spec/replicas").asInt()).isEqualTo(2);
    Doc pdb = base.all("PodDisruptionBudget").get(0);
    assertThat(pdb.node().at("/spec/minAvailable").asInt()).isEqualTo(1);
    assertThat(pdb.node().at("/spec/selector/matchLabels"))
        .isEqualTo(base.deployment().node().at("/spec/template/metadata/labels"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "webhook", "crd"})
  void servicesSelectThePodAndTargetPortsItDeclares(String mode) {
    DeployBase base = DeployBase.read(mode);
    JsonNode labels = base.deployment().node().at("/spec/template/metadata/labels");
    Set<String> portNames = new HashSet<>();
    Set<Integer> portNumbers = new HashSet<>();
    for (JsonNode c : base.podSpec().path("containers")) {
      for (JsonNode p : c.path("ports")) {
        portNames.add(p.path("name").asText());
        portNumbers.add(p.path("containerPort").asInt());
      }
    }
    for (Doc s : base.all("Service")) {
      assertThat(s.node().at("/spec/selector")).as(s.toString()).isEqualTo(labels);
      for (JsonNode p : s.node().at("/spec/ports")) {
        JsonNode target = p.path("targetPort");
        assertThat(
                target.isTextual()
                    ? portNames.contains(target.asText())
                    : portNumbers.contains(target.asInt()))
            .as(s + " targetPort " + target)
            .isTrue();
      }
    }
  }

  @Test
  void crdModeShipsTheCrdAndAWebhookConfigurationTheWebhookAnswers() {
    DeployBase base = DeployBase.read("crd");
    CrdConfig crd = base.config().crd();
    String namespace = base.namespace();

    assertThat(base.one("CustomResourceDefinition", SpiffeIdCrd.NAME).file())
        .isEqualTo("spiffeid.spiffe.io_spiffeids.yaml");
    assertThat(crd.webhookEnabled()).isTrue();
    JsonNode webhook = base.one("ValidatingWebhookConfiguration", DeployBase.REGISTRAR).node();
    assertThat(webhook.at("/metadata/labels").get("spiffe.io/webhook").asText())
        .as("the label the SPIRE server's k8sbundle notifier fills caBundle by")
        .isEqualTo("true");
    assertThat(base.one("ConfigMap", "spire-server").node().at("/data/server.conf").asText())
        .contains("webhook_label = \"spiffe.io/webhook\"");
    JsonNode hook = webhook.at("/webhooks/0");
    assertThat(hook.at("/name").asText())
        .isEqualTo(crd.webhookServiceName() + "." + namespace + ".svc");
    assertThat(hook.at("/clientConfig/service/name").asText()).isEqualTo(crd.webhookServiceName());
    assertThat(hook.at("/clientConfig/service/namespace").asText()).isEqualTo(namespace);
    assertThat(hook.at("/clientConfig/service/path").asText()).isEqualTo(SpiffeIdWebhook.PATH);
    assertThat(hook.at("/rules/0/apiGroups/0").asText()).isEqualTo(SpiffeIdCrd.GROUP);
    assertThat(hook.at("/rules/0/apiVersions/0").asText()).isEqualTo(SpiffeIdCrd.VERSION);
    assertThat(hook.at("/rules/0/resources/0").asText()).isEqualTo(SpiffeIdCrd.PLURAL);
    assertServiceReaches(base, crd.webhookServiceName(), hook, crd.webhookPort());
    assertThat(base.volumeAt(base.registrarContainer(), crd.webhookCertDir()))
        .as("webhook_cert_dir is writable: the certificate is minted there")
        .hasValueSatisfying(v -> assertThat(v.has("emptyDir")).isTrue());
  }

  /** The webhook's Service port (443 unless given) leads to {@code containerPort}. */
  static void assertServiceReaches(
      DeployBase base, String service, JsonNode hook, int containerPort) {
    int port = hook.at("/clientConfig/service/port").asInt(443);
    JsonNode servicePort = null;
    for (JsonNode p : base.one("Service", service).node().at("/spec/ports")) {
      if (p.path("port").asInt() == port) {
        servicePort = p;
      }
    }
    assertThat(servicePort).as("Service " + service + " port " + port).isNotNull();
    JsonNode target = servicePort.path("targetPort");
    int resolved = target.asInt();
    if (target.isTextual()) {
      for (JsonNode p : base.registrarContainer().path("ports")) {
        if (p.path("name").asText().equals(target.asText())) {
          resolved = p.path("containerPort").asInt();
        }
      }
    }
    assertThat(resolved)
        .as("Service " + service + " targets the webhook port")
        .isEqualTo(containerPort);
  }
}
