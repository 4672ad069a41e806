package org.spireregistrar.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.TrustDomain;

class ConfigParserTest {

  /** The minimal valid config: a local server socket, a trust domain and a cluster. */
  private static final Object[] MINIMAL = {
    "trust_domain", "example.org",
    "cluster", "prod",
    "server_socket_path", "/run/spire/sockets/api.sock"
  };

  /** A document of key/value pairs; the n-th pair is on line n. */
  static ConfigDocument doc(Object... pairs) {
    ConfigDocument.Builder b = ConfigDocument.builder("test.conf");
    for (int i = 0; i < pairs.length; i += 2) {
      b.add((String) pairs[i], pairs[i + 1], i / 2 + 1);
    }
    return b.build();
  }

  /** MINIMAL followed by {@code more} (lines 4, 5, …). */
  static ConfigDocument minimalPlus(Object... more) {
    Object[] all = Arrays.copyOf(MINIMAL, MINIMAL.length + more.length);
    System.arraycopy(more, 0, all, MINIMAL.length, more.length);
    return doc(all);
  }

  static RegistrarConfig parse(ConfigDocument d) {
    return ConfigParser.parse(d);
  }

  // ---------------------------------------------------------------------------------------------
  // Defaults

  @Test
  void minimalConfigIsWebhookModeWithAllDefaults() {
    RegistrarConfig c = parse(minimalPlus());

    assertThat(c.common())
        .isEqualTo(
            new CommonConfig(
                "info",
                "",
                "",
                new TrustDomain("example.org"),
                "unix:///run/spire/sockets/api.sock",
                "/run/spire/sockets/api.sock",
                "",
                "prod",
                "",
                "",
                Mode.WEBHOOK,
                List.of("kube-system", "kube-public")));
    assertThat(c.webhook())
        .isEqualTo(new WebhookConfig(":8443", "cert.pem", "key.pem", "cacert.pem", false));
    assertThat(c.reconcile()).isEqualTo(ReconcileConfig.DEFAULTS);
    assertThat(c.crd()).isEqualTo(CrdConfig.DEFAULTS);
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void reconcileModeDefaults() {
    RegistrarConfig c = parse(minimalPlus("mode", "reconcile"));

    assertThat(c.mode()).isEqualTo(Mode.RECONCILE);
    assertThat(c.reconcile())
        .isEqualTo(
            new ReconcileConfig(
                ":8080",
                false,
                "leases",
                "spire-k8s-registrar",
                false,
                "cluster.local",
                Duration.ofMinutes(10)));
  }

  @Test
  void crdModeDefaults() {
    RegistrarConfig c = parse(minimalPlus("mode", "crd"));

    assertThat(c.mode()).isEqualTo(Mode.CRD);
    assertThat(c.crd())
        .isEqualTo(
            new CrdConfig(
                true,
                true,
                false,
                "leases",
                ":8080",
                false,
                "/run/spire/serving-certs",
                9443,
                "k8s-workload-registrar",
                "",
                "",
                List.of("{{.Pod.Name}}"),
                Map.of()));
  }

  // ---------------------------------------------------------------------------------------------
  // Every key: its value reaches the right field

  record KeyCase(
      String name, Object[] extra, Function<RegistrarConfig, Object> field, Object want) {
    @Override
    public String toString() {
      return name;
    }
  }

  static KeyCase key(
      String name, Function<RegistrarConfig, Object> field, Object want, Object... extra) {
    return new KeyCase(name, extra, field, want);
  }

  static Stream<KeyCase> everyKey() {
    return Stream.of(
        key("log_level", c -> c.common().logLevel(), "debug", "log_level", "debug"),
        key("log_level upper case", c -> c.common().logLevel(), "warning", "log_level", "WARNING"),
        key("log_format json", c -> c.common().logFormat(), "json", "log_format", "JSON"),
        key("log_format text", c -> c.common().logFormat(), "text", "log_format", "text"),
        key("log_path", c -> c.common().logPath(), "/var/log/r.log", "log_path", "/var/log/r.log"),
        key(
            "trust_domain normalised from a SPIFFE ID",
            c -> c.common().trustDomain().name(),
            "example.org",
            "trust_domain",
            "spiffe://example.org/ignored"),
        key(
            "server_address wins over server_socket_path",
            c -> c.common().serverAddress(),
            "unix:///other.sock",
            "server_address",
            "unix:///other.sock"),
        key(
            "tcp server_address with agent_socket_path",
            c -> c.common().agentSocketPath(),
            "/run/agent.sock",
            "server_address",
            "spire-server:8081",
            "agent_socket_path",
            "/run/agent.sock"),
        key("cluster", c -> c.common().cluster(), "prod", "cluster", "prod"),
        key(
            "pod_label",
            c -> c.common().podLabel(),
            "spire-workload",
            "pod_label",
            "spire-workload"),
        key(
            "pod_annotation",
            c -> c.common().podAnnotation(),
            "spiffe.io/spiffe-id",
            "pod_annotation",
            "spiffe.io/spiffe-id"),
        key(
            "disabled_namespaces",
            c -> c.common().disabledNamespaces(),
            List.of("a", "b"),
            "disabled_namespaces",
            List.of("a", "b")),
        key(
            "disabled_namespaces empty disables none",
            c -> c.common().disabledNamespaces(),
            List.of(),
            "disabled_namespaces",
            List.of()),
        key("addr", c -> c.webhook().addr(), ":1234", "addr", ":1234"),
        key("cert_path", c -> c.webhook().certPath(), "c.pem", "cert_path", "c.pem"),
        key("key_path", c -> c.webhook().keyPath(), "k.pem", "key_path", "k.pem"),
        key("cacert_path", c -> c.webhook().cacertPath(), "ca.pem", "cacert_path", "ca.pem"),
        key(
            "insecure_skip_client_verification",
            c -> c.webhook().insecureSkipClientVerification(),
            true,
            "insecure_skip_client_verification",
            true),
        key(
            "metrics_addr",
            c -> c.reconcile().metricsAddr(),
            "0",
            "mode",
            "reconcile",
            "metrics_addr",
            "0"),
        key(
            "reconcile leader_election",
            c -> c.reconcile().leaderElection(),
            true,
            "mode",
            "reconcile",
            "leader_election",
            true),
        key(
            "reconcile leader_election_resource_lock",
            c -> c.reconcile().leaderElectionResourceLock(),
            "leases",
            "mode",
            "reconcile",
            "leader_election",
            true,
            "leader_election_resource_lock",
            "leases"),
        key(
            "controller_name",
            c -> c.reconcile().controllerName(),
            "my-registrar",
            "mode",
            "reconcile",
            "controller_name",
            "my-registrar"),
        key(
            "add_pod_dns_names",
            c -> c.reconcile().addPodDnsNames(),
            true,
            "mode",
            "reconcile",
            "add_pod_dns_names",
            true),
        key(
            "cluster_dns_zone",
            c -> c.reconcile().clusterDnsZone(),
            "corp.local",
            "mode",
            "reconcile",
            "cluster_dns_zone",
            "corp.local"),
        key(
            "resync_interval",
            c -> c.reconcile().resyncInterval(),
            Duration.ofMinutes(90),
            "mode",
            "reconcile",
            "resync_interval",
            "1h30m"),
        key(
            "pod_controller",
            c -> c.crd().podController(),
            false,
            "mode",
            "crd",
            "pod_controller",
            false),
        key(
            "add_svc_dns_name",
            c -> c.crd().addSvcDnsName(),
            false,
            "mode",
            "crd",
            "add_svc_dns_name",
            false),
        key(
            "crd leader_election",
            c -> c.crd().leaderElection(),
            true,
            "mode",
            "crd",
            "leader_election",
            "true"),
        key(
            "metrics_bind_addr",
            c -> c.crd().metricsBindAddr(),
            ":9090",
            "mode",
            "crd",
            "metrics_bind_addr",
            ":9090"),
        key(
            "webhook_enabled",
            c -> c.crd().webhookEnabled(),
            true,
            "mode",
            "crd",
            "webhook_enabled",
            true),
        key(
            "webhook_cert_dir",
            c -> c.crd().webhookCertDir(),
            "/certs",
            "mode",
            "crd",
            "webhook_cert_dir",
            "/certs"),
        key("webhook_port", c -> c.crd().webhookPort(), 8443, "mode", "crd", "webhook_port", 8443L),
        key(
            "webhook_port from a string",
            c -> c.crd().webhookPort(),
            8443,
            "mode",
            "crd",
            "webhook_port",
            "8443"),
        key(
            "webhook_port 0 is the default",
            c -> c.crd().webhookPort(),
            9443,
            "mode",
            "crd",
            "webhook_port",
            0L),
        key(
            "webhook_service_name",
            c -> c.crd().webhookServiceName(),
            "registrar",
            "mode",
            "crd",
            "webhook_service_name",
            "registrar"),
        key(
            "identity_template",
            c -> c.crd().identityTemplate(),
            "ns/{{.Pod.Namespace}}",
            "mode",
            "crd",
            "identity_template",
            "ns/{{.Pod.Namespace}}"),
        key(
            "identity_template_label",
            c -> c.crd().identityTemplateLabel(),
            "spiffe.io/enabled",
            "mode",
            "crd",
            "identity_template_label",
            "spiffe.io/enabled"),
        key(
            "dns_name_templates",
            c -> c.crd().dnsNameTemplates(),
            List.of("{{.Pod.Name}}.svc"),
            "mode",
            "crd",
            "dns_name_templates",
            List.of("{{.Pod.Name}}.svc")),
        key(
            "dns_name_templates empty means none",
            c -> c.crd().dnsNameTemplates(),
            List.of(),
            "mode",
            "crd",
            "dns_name_templates",
            List.of()),
        key(
            "context keeps key case",
            c -> c.crd().context(),
            Map.of("Region", "EU-DE"),
            "mode",
            "crd",
            "context",
            Map.of("Region", "EU-DE")),
        key(
            "string key accepts a number as its text",
            c -> c.common().cluster(),
            "42",
            "cluster",
            42L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyKey")
  void everyKeyReachesItsField(KeyCase c) {
    RegistrarConfig config = parse(minimalPlus(c.extra()));

    assertThat(c.field().apply(config)).isEqualTo(c.want());
  }

  @ParameterizedTest(name = "{0} = \"\" gives {1}")
  @CsvSource({
    "addr, :8443",
    "cert_path, cert.pem",
    "key_path, key.pem",
    "cacert_path, cacert.pem",
  })
  void webhookEmptyStringsGetDefaults(String key, String want) {
    RegistrarConfig c = parse(minimalPlus(key, ""));

    assertThat(ConfigParser.effective(c)).containsEntry(key, want);
  }

  @ParameterizedTest(name = "{0} = \"\" gives {2}")
  @CsvSource({
    "reconcile, metrics_addr, :8080",
    "reconcile, controller_name, spire-k8s-registrar",
    "reconcile, cluster_dns_zone, cluster.local",
    "reconcile, leader_election_resource_lock, leases",
    "reconcile, resync_interval, 10m0s",
    "crd, metrics_bind_addr, :8080",
    "crd, webhook_cert_dir, /run/spire/serving-certs",
    "crd, webhook_service_name, k8s-workload-registrar",
    "crd, leader_election_resource_lock, leases",
  })
  void modeEmptyStringsGetDefaults(String mode, String key, String want) {
    RegistrarConfig c = parse(minimalPlus("mode", mode, key, ""));

    assertThat(ConfigParser.effective(c)).containsEntry(key, want);
  }

  @Test
  void emptyLogLevelIsInfo() {
    assertThat(parse(minimalPlus("log_level", "")).common().logLevel()).isEqualTo("info");
  }

  // ---------------------------------------------------------------------------------------------
  // Type coercion

  static Stream<Arguments> booleans() {
    return Stream.of(
        Arguments.of("true", true, true),
        Arguments.of("false", false, false),
        Arguments.of("\"true\"", "true", true),
        Arguments.of("\"TRUE\"", "TRUE", true),
        Arguments.of("\"False\"", "False", false),
        Arguments.of("\"1\"", "1", true),
        Arguments.of("\"0\"", "0", false),
        Arguments.of("1", 1L, true),
        Arguments.of("0", 0L, false),
        Arguments.of("1.0 from a double", 1.0, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("booleans")
  void booleansAcceptHclV1Spellings(String name, Object value, boolean want) {
    RegistrarConfig c = parse(minimalPlus("insecure_skip_client_verification", value));

    assertThat(c.webhook().insecureSkipClientVerification()).isEqualTo(want);
  }

  static Stream<Arguments> typeErrors() {
    return Stream.of(
        Arguments.of(
            "bool from yes",
            new Object[] {"mode", "reconcile", "leader_election", "yes"},
            "line 5: key \"leader_election\" must be a boolean, got string \"yes\""),
        Arguments.of(
            "bool from 2",
            new Object[] {"mode", "reconcile", "add_pod_dns_names", 2L},
            "line 5: key \"add_pod_dns_names\" must be a boolean, got number 2"),
        Arguments.of(
            "bool from empty string",
            new Object[] {"insecure_skip_client_verification", ""},
            "line 4: key \"insecure_skip_client_verification\" must be a boolean, got string"
                + " \"\""),
        Arguments.of(
            "bool from a list",
            new Object[] {"mode", "crd", "pod_controller", List.of(true)},
            "line 5: key \"pod_controller\" must be a boolean, got list"),
        Arguments.of(
            "common string from a boolean",
            new Object[] {"log_path", true},
            "error parsing common config: line 4: key \"log_path\" must be a string, got boolean"
                + " true"),
        Arguments.of(
            "common string from a list",
            new Object[] {"pod_label", List.of("a")},
            "error parsing common config: line 4: key \"pod_label\" must be a string, got list"),
        Arguments.of(
            "common string from a block",
            new Object[] {"mode", Map.of("x", "y")},
            "error parsing common config: line 4: key \"mode\" must be a string, got block"),
        Arguments.of(
            "list from a string",
            new Object[] {"disabled_namespaces", "kube-system"},
            "error parsing common config: line 4: key \"disabled_namespaces\" must be a list of"
                + " strings, got string \"kube-system\""),
        Arguments.of(
            "list item not a string",
            new Object[] {"disabled_namespaces", List.of("a", true)},
            "error parsing common config: line 4: key \"disabled_namespaces\" must be a list of"
                + " strings, got boolean true at index 1"),
        Arguments.of(
            "crd list from a string",
            new Object[] {"mode", "crd", "dns_name_templates", "{{.Pod.Name}}"},
            "line 5: key \"dns_name_templates\" must be a list of strings, got string"
                + " \"{{.Pod.Name}}\""),
        Arguments.of(
            "context from a string",
            new Object[] {"mode", "crd", "context", "region"},
            "line 5: key \"context\" must be a block of strings, got string \"region\""),
        Arguments.of(
            "context value not a string",
            new Object[] {"mode", "crd", "context", Map.of("region", List.of("a"))},
            "line 5: key \"context.region\" must be a string, got list"),
        Arguments.of(
            "port from text",
            new Object[] {"mode", "crd", "webhook_port", "https"},
            "line 5: key \"webhook_port\" must be an integer, got string \"https\""),
        Arguments.of(
            "port from a fraction",
            new Object[] {"mode", "crd", "webhook_port", 9443.5},
            "line 5: key \"webhook_port\" must be an integer, got number 9443.5"),
        Arguments.of(
            "port out of range",
            new Object[] {"mode", "crd", "webhook_port", 70000L},
            "line 5: key \"webhook_port\" must be a port number from 1 to 65535, got 70000"),
        Arguments.of(
            "negative port",
            new Object[] {"mode", "crd", "webhook_port", -1L},
            "line 5: key \"webhook_port\" must be a port number from 1 to 65535, got -1"),
        Arguments.of(
            "duration from a number",
            new Object[] {"mode", "reconcile", "resync_interval", 600L},
            "line 5: key \"resync_interval\" must be a duration string such as \"10m\", got"
                + " number 600"),
        Arguments.of(
            "duration without unit",
            new Object[] {"mode", "reconcile", "resync_interval", "600"},
            "line 5: key \"resync_interval\" is not a valid duration: time: missing unit in"
                + " duration \"600\""),
        Arguments.of(
            "duration with unknown unit",
            new Object[] {"mode", "reconcile", "resync_interval", "1d"},
            "line 5: key \"resync_interval\" is not a valid duration: time: unknown unit \"d\" in"
                + " duration \"1d\""),
        Arguments.of(
            "duration garbage",
            new Object[] {"mode", "reconcile", "resync_interval", "soon"},
            "line 5: key \"resync_interval\" is not a valid duration: time: invalid duration"
                + " \"soon\""),
        Arguments.of(
            "an earlier duplicate is checked too",
            new Object[] {"cluster", true, "cluster", "prod"},
            "error parsing common config: line 4: key \"cluster\" must be a string, got boolean"
                + " true"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("typeErrors")
  void wrongTypesNameKeyLineAndFoundType(String name, Object[] extra, String message) {
    assertThatThrownBy(() -> parse(minimalPlus(extra)))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void typeErrorWithoutLineInformationOmitsTheLine() {
    ConfigDocument d =
        ConfigDocument.of(
            Map.of(
                "trust_domain", "example.org",
                "cluster", "prod",
                "server_socket_path", "/s",
                "log_level", false));

    assertThatThrownBy(() -> parse(d))
        .hasMessage(
            "error parsing common config: key \"log_level\" must be a string, got boolean false");
  }

  // ---------------------------------------------------------------------------------------------
  // Common validation: order and exact texts (upstream §1.2)

  static Stream<Arguments> commonErrors() {
    String p = "error parsing common config: ";
    return Stream.of(
        Arguments.of(
            "no server",
            doc("trust_domain", "example.org", "cluster", "c"),
            p + "server_address or server_socket_path must be specified"),
        Arguments.of(
            "server is checked before trust domain",
            doc("cluster", "c"),
            p + "server_address or server_socket_path must be specified"),
        Arguments.of(
            "tcp server without agent socket",
            doc("trust_domain", "example.org", "cluster", "c", "server_address", "spire:8081"),
            p + "agent_socket_path must be specified if the server is not a local socket"),
        Arguments.of(
            "no trust domain",
            doc("cluster", "c", "server_socket_path", "/s"),
            p + "trust_domain must be specified"),
        Arguments.of(
            "empty trust domain",
            doc("trust_domain", "", "cluster", "c", "server_socket_path", "/s"),
            p + "trust_domain must be specified"),
        Arguments.of(
            "upper-case trust domain",
            doc("trust_domain", "TRUSTDOMAIN", "cluster", "c", "server_socket_path", "/s"),
            p
                + "malformed trust domain: trust domain characters are limited to lowercase"
                + " letters, numbers, dots, dashes, and underscores"),
        Arguments.of(
            "trust domain is checked before cluster",
            doc("trust_domain", "a b", "server_socket_path", "/s"),
            p
                + "malformed trust domain: trust domain characters are limited to lowercase"
                + " letters, numbers, dots, dashes, and underscores"),
        Arguments.of(
            "no cluster",
            doc("trust_domain", "example.org", "server_socket_path", "/s"),
            p + "cluster must be specified"),
        Arguments.of(
            "label and annotation",
            minimalPlus("pod_label", "l", "pod_annotation", "a"),
            p
                + "workload registration mode specification is incorrect, can't specify both"
                + " pod_label and pod_annotation"),
        Arguments.of(
            "invalid mode",
            minimalPlus("mode", "admission"),
            p + "invalid mode \"admission\", valid values are crd, webhook and reconcile"),
        Arguments.of(
            "mode is case-sensitive",
            minimalPlus("mode", "CRD"),
            p + "invalid mode \"CRD\", valid values are crd, webhook and reconcile"),
        Arguments.of(
            "explicit empty mode",
            minimalPlus("mode", ""),
            p + "invalid mode \"\", valid values are crd, webhook and reconcile"),
        Arguments.of(
            "invalid log level",
            minimalPlus("log_level", "verbose"),
            p + "not a valid logrus Level: \"verbose\""),
        Arguments.of(
            "invalid log level in reconcile mode too",
            minimalPlus("mode", "reconcile", "log_level", "LEVELOVERRIDE"),
            p + "not a valid logrus Level: \"LEVELOVERRIDE\""),
        Arguments.of(
            "invalid log format",
            minimalPlus("log_format", "xml"),
            p + "unknown logger format: \"xml\""),
        Arguments.of(
            "mode is checked before log level",
            minimalPlus("mode", "x", "log_level", "y"),
            p + "invalid mode \"x\", valid values are crd, webhook and reconcile"),
        Arguments.of(
            "disabled namespace that no namespace can be named",
            minimalPlus("disabled_namespaces", List.of("kube-system", "Team_A")),
            p
                + "disabled_namespaces: \"Team_A\" is not a valid namespace name: a lowercase RFC"
                + " 1123 label must consist of lower case alphanumeric characters or '-', and must"
                + " start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')"),
        Arguments.of(
            "disabled namespace too long",
            minimalPlus("disabled_namespaces", List.of("n".repeat(64))),
            p
                + "disabled_namespaces: \""
                + "n".repeat(64)
                + "\" is not a valid namespace name: must be no more than 63 characters"),
        Arguments.of(
            "empty disabled namespace",
            minimalPlus("disabled_namespaces", List.of("")),
            p
                + "disabled_namespaces: \"\" is not a valid namespace name: a lowercase RFC 1123"
                + " label must consist of lower case alphanumeric characters or '-', and must start"
                + " and end with an alphanumeric character (e.g. 'my-name', or '123-abc')"),
        Arguments.of(
            "cluster that cannot be an ID segment",
            minimalPlus("cluster", "prod/eu"),
            p
                + "cluster \"prod/eu\" is not a valid SPIFFE ID path segment: path segment"
                + " characters are limited to letters, numbers, dots, dashes, and underscores"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commonErrors")
  void commonValidationKeepsUpstreamOrderAndTexts(String name, ConfigDocument d, String message) {
    assertThatThrownBy(() -> parse(d))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  // ---------------------------------------------------------------------------------------------
  // Reconcile and crd rules

  static Stream<Arguments> modeErrors() {
    return Stream.of(
        Arguments.of(
            "reconcile configmaps lock",
            minimalPlus(
                "mode",
                "reconcile",
                "leader_election",
                true,
                "leader_election_resource_lock",
                "configmaps"),
            "the \"configmaps\" leader election resource lock type is no longer supported"),
        Arguments.of(
            "crd configmaps lock",
            minimalPlus(
                "mode",
                "crd",
                "leader_election",
                "1",
                "leader_election_resource_lock",
                "configmaps"),
            "the \"configmaps\" leader election resource lock type is no longer supported"),
        Arguments.of(
            "endpoints lock",
            minimalPlus(
                "mode",
                "reconcile",
                "leader_election",
                true,
                "leader_election_resource_lock",
                "endpoints"),
            "endpoints lock is removed, migrate to endpointsleases; this registrar supports only"
                + " the \"leases\" lock type"),
        Arguments.of(
            "endpointsleases lock",
            minimalPlus(
                "mode",
                "reconcile",
                "leader_election",
                true,
                "leader_election_resource_lock",
                "endpointsleases"),
            "the \"endpointsleases\" leader election resource lock type is not supported"
                + " (migration locks are not implemented); use \"leases\""),
        Arguments.of(
            "configmapsleases lock",
            minimalPlus(
                "mode",
                "crd",
                "leader_election",
                true,
                "leader_election_resource_lock",
                "configmapsleases"),
            "the \"configmapsleases\" leader election resource lock type is not supported"
                + " (migration locks are not implemented); use \"leases\""),
        Arguments.of(
            "unknown lock",
            minimalPlus(
                "mode",
                "reconcile",
                "leader_election",
                true,
                "leader_election_resource_lock",
                "Leases"),
            "Invalid lock-type \"Leases\" in leader_election_resource_lock; the supported type is"
                + " \"leases\""),
        Arguments.of(
            "resync below one second",
            minimalPlus("mode", "reconcile", "resync_interval", "500ms"),
            "resync_interval must be at least 1s, got \"500ms\""),
        Arguments.of(
            "negative resync",
            minimalPlus("mode", "reconcile", "resync_interval", "-1m"),
            "resync_interval must be at least 1s, got \"-1m0s\""),
        Arguments.of(
            "controller_name with a slash",
            minimalPlus("mode", "reconcile", "controller_name", "a/b"),
            "controller_name \"a/b\" is not a valid SPIFFE ID path segment: path segment"
                + " characters are limited to letters, numbers, dots, dashes, and underscores"),
        Arguments.of(
            "metrics_addr that is no address",
            minimalPlus("mode", "reconcile", "metrics_addr", "not an address"),
            "error parsing metrics_addr \"not an address\": address not an address: missing port"
                + " in address"),
        Arguments.of(
            "metrics_addr port out of range",
            minimalPlus("mode", "reconcile", "metrics_addr", ":99999"),
            "error parsing metrics_addr \":99999\": invalid port"),
        Arguments.of(
            "metrics_addr port a name",
            minimalPlus("mode", "reconcile", "metrics_addr", "localhost:http"),
            "error parsing metrics_addr \"localhost:http\": unknown port"),
        Arguments.of(
            "metrics_addr host with a space",
            minimalPlus("mode", "reconcile", "metrics_addr", "my host:8080"),
            "error parsing metrics_addr \"my host:8080\": \"my host\" is not an IP address or host"
                + " name"),
        Arguments.of(
            "metrics_addr with too many colons",
            minimalPlus("mode", "reconcile", "metrics_addr", "::1:8080"),
            "error parsing metrics_addr \"::1:8080\": address ::1:8080: too many colons in"
                + " address"),
        Arguments.of(
            "metrics_bind_addr that is no address",
            minimalPlus("mode", "crd", "metrics_bind_addr", "8080"),
            "error parsing metrics_bind_addr \"8080\": address 8080: missing port in address"),
        Arguments.of(
            "webhook addr port out of range",
            minimalPlus("addr", ":-1"),
            "error parsing addr \":-1\": invalid port"),
        Arguments.of(
            "malformed cluster_dns_zone",
            minimalPlus("mode", "reconcile", "cluster_dns_zone", "Cluster_Local"),
            "error parsing cluster_dns_zone \"Cluster_Local\": a lowercase RFC 1123 subdomain must"
                + " consist of lower case alphanumeric characters, '-' or '.', and must start and"
                + " end with an alphanumeric character (e.g. 'example.com')"),
        Arguments.of(
            "cluster_dns_zone with an empty label",
            minimalPlus("mode", "reconcile", "cluster_dns_zone", "cluster..local"),
            "error parsing cluster_dns_zone \"cluster..local\": a lowercase RFC 1123 subdomain"
                + " must consist of lower case alphanumeric characters, '-' or '.', and must start"
                + " and end with an alphanumeric character (e.g. 'example.com')"),
        Arguments.of(
            "cluster_dns_zone with a label over 63 characters",
            minimalPlus("mode", "reconcile", "cluster_dns_zone", "z".repeat(64) + ".local"),
            "error parsing cluster_dns_zone \""
                + "z".repeat(64)
                + ".local\": each label must be no more than 63 characters"),
        Arguments.of(
            "identity_template with pod_label",
            minimalPlus("mode", "crd", "pod_label", "l", "identity_template", "x"),
            "workload registration configuration is incorrect, can only use one of"
                + " identity_template, pod_annotation, or pod_label"),
        Arguments.of(
            "identity_template with pod_annotation",
            minimalPlus("mode", "crd", "pod_annotation", "a", "identity_template", "x"),
            "workload registration configuration is incorrect, can only use one of"
                + " identity_template, pod_annotation, or pod_label"),
        Arguments.of(
            "identity_template references missing context",
            minimalPlus("mode", "crd", "identity_template", "region/{{ .Context.region}}"),
            "identity_template references non-existing context"),
        Arguments.of(
            "dns_name_templates reference missing context",
            minimalPlus(
                "mode", "crd", "dns_name_templates", List.of("ok", "{{.Context.namespace}}")),
            "dns_name_template references non-existing context"),
        Arguments.of(
            "identity template is checked before dns templates",
            minimalPlus(
                "mode",
                "crd",
                "identity_template",
                "{{.Context.a}}",
                "dns_name_templates",
                List.of("{{.Context.b}}")),
            "identity_template references non-existing context"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modeErrors")
  void modeValidationErrorsHaveNoPrefix(String name, ConfigDocument d, String message) {
    assertThatThrownBy(() -> parse(d))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0} = \"{1}\"")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          metrics_addr      | 0
          metrics_addr      | :0
          metrics_addr      | 127.0.0.1:9090
          metrics_addr      | [::1]:8080
          metrics_addr      | [fe80::1%eth0]:8080
          metrics_addr      | localhost:65535
          metrics_addr      | metrics.example.org.:8080
          cluster_dns_zone  | cluster.local
          cluster_dns_zone  | k8s
          cluster_dns_zone  | 1a.example-2.org
          """)
  void acceptsListenAddressesAndZonesAsTheServersReadThem(String key, String value) {
    assertThat(parse(minimalPlus("mode", "reconcile", key, value)).reconcile())
        .extracting(
            key.equals("metrics_addr")
                ? ReconcileConfig::metricsAddr
                : ReconcileConfig::clusterDnsZone)
        .isEqualTo(value);
  }

  @ParameterizedTest(name = "lock {0} is ignored without leader election")
  @CsvSource({"reconcile, configmaps", "crd, endpoints"})
  void lockIsOnlyCheckedWithLeaderElection(String mode, String lock) {
    RegistrarConfig c = parse(minimalPlus("mode", mode, "leader_election_resource_lock", lock));

    assertThat(ConfigParser.effective(c)).containsEntry("leader_election_resource_lock", lock);
  }

  @Test
  void identityTemplateLabelWithPodLabelIsAllowed() {
    RegistrarConfig c =
        parse(minimalPlus("mode", "crd", "pod_label", "l", "identity_template_label", "x"));

    assertThat(c.crd().identityTemplateLabel()).isEqualTo("x");
  }

  @Test
  void contextPresentAllowsContextReferences() {
    RegistrarConfig c =
        parse(
            minimalPlus(
                "mode",
                "crd",
                "identity_template",
                "region/{{.Context.region}}",
                "context",
                Map.of("region", "EU-DE")));

    assertThat(c.crd().context()).containsExactly(Map.entry("region", "EU-DE"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          identity_template  | {{.Pod.Name     | parsing identity template:
          dns_name_templates | {{.Pod.Name     | parsing dns name template:
          identity_template  | a/{{.Pod.Name}}/ | validating identity template: path cannot have a trailing slash
          """)
  void crdTemplatesAreCheckedAtValidation(String key, String template, String messageStart) {
    Object value = key.equals("dns_name_templates") ? List.of(template) : template;

    assertThatThrownBy(() -> parse(minimalPlus("mode", "crd", key, value)))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessageStartingWith(messageStart);
  }

  @Test
  void resyncIntervalOfExactlyOneSecondIsAccepted() {
    RegistrarConfig c = parse(minimalPlus("mode", "reconcile", "resync_interval", "1s"));

    assertThat(c.reconcile().resyncInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  // ---------------------------------------------------------------------------------------------
  // HCL v1 decoding semantics

  @Test
  void keysMatchCaseInsensitively() {
    RegistrarConfig c =
        parse(
            doc(
                "Trust_Domain", "example.org",
                "CLUSTER", "prod",
                "Server_Socket_Path", "/s",
                "MODE", "crd",
                "Pod_Controller", false));

    assertThat(c.common().trustDomain().name()).isEqualTo("example.org");
    assertThat(c.common().cluster()).isEqualTo("prod");
    assertThat(c.mode()).isEqualTo(Mode.CRD);
    assertThat(c.crd().podController()).isFalse();
  }

  @Test
  void repeatedScalarKeyLastWins() {
    RegistrarConfig c =
        parse(minimalPlus("mode", "crd", "identity_template", "first", "identity_template", "IT"));

    assertThat(c.crd().identityTemplate()).isEqualTo("IT");
  }

  @Test
  void repeatedScalarKeyInDifferentCaseLastWins() {
    RegistrarConfig c = parse(minimalPlus("CLUSTER", "second"));

    assertThat(c.common().cluster()).isEqualTo("second");
  }

  @Test
  void repeatedListKeysAreAppended() {
    RegistrarConfig c =
        parse(
            minimalPlus(
                "disabled_namespaces", List.of("a"), "Disabled_Namespaces", List.of("b", "c")));

    assertThat(c.common().disabledNamespaces()).containsExactly("a", "b", "c");
  }

  @Test
  void repeatedContextBlocksAreMergedLaterKeyWins() {
    RegistrarConfig c =
        parse(
            minimalPlus(
                "mode", "crd", "context", Map.of("a", "1", "b", "2"), "context", Map.of("b", "3")));

    assertThat(c.crd().context()).isEqualTo(Map.of("a", "1", "b", "3"));
  }

  // ---------------------------------------------------------------------------------------------
  // Unknown keys and other modes' keys (product §2.4)

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          add_svc_dns_names   | line 4: unknown key "add_svc_dns_names"; did you mean "add_svc_dns_name"?
          trustdomain         | line 4: unknown key "trustdomain"; did you mean "trust_domain"?
          Clustr              | line 4: unknown key "Clustr"; did you mean "cluster"?
          leader_electoin     | line 4: unknown key "leader_electoin"; did you mean "leader_election"?
          resync_intervall    | line 4: unknown key "resync_intervall"; did you mean "resync_interval"?
          svc_dns_name        | line 4: unknown key "svc_dns_name"; did you mean "add_svc_dns_name"?
          add_svid_to_secrets | line 4: unknown key "add_svid_to_secrets"
          foo                 | line 4: unknown key "foo"
          """)
  void unknownKeyIsAWarningWithASuggestion(String key, String message) {
    RegistrarConfig c = parse(minimalPlus(key, "x"));

    assertThat(c.warnings()).containsExactly(message);
    assertThat(c.common()).isEqualTo(parse(minimalPlus()).common());
  }

  @Test
  void unknownKeysAreIgnoredWhateverTheirValueAndDoNotHideErrors() {
    assertThat(parse(minimalPlus("foo", List.of(true, 1), "Foo", "again")).warnings())
        .as("one warning per key, at its first occurrence")
        .containsExactly("line 4: unknown key \"foo\"");
    assertThatThrownBy(() -> parse(doc("trust_domian", "example.org")))
        .hasMessage(
            "error parsing common config: server_address or server_socket_path must be"
                + " specified");
  }

  @Test
  void warningsFollowTheFileOrder() {
    RegistrarConfig c =
        parse(
            minimalPlus(
                "mode", "crd", "addr", ":1", "add_svc_dns_names", true, "metrics_addr", ":2"));

    assertThat(c.warnings())
        .containsExactly(
            "line 5: key \"addr\" is only used in webhook mode; ignored",
            "line 6: unknown key \"add_svc_dns_names\"; did you mean \"add_svc_dns_name\"?",
            "line 7: key \"metrics_addr\" is only used in reconcile mode; ignored");
  }

  @Test
  void aVeryLongUnknownKeyIsQuotedShortAndGetsNoSuggestion() {
    String key = "cluster" + "x".repeat(1 << 20);

    assertThat(parse(minimalPlus(key, 1)).warnings())
        .containsExactly("line 4: unknown key \"cluster" + "x".repeat(249) + "\"…");
  }

  @Test
  void otherModesKeysAreIgnoredWithAWarningEach() {
    RegistrarConfig c =
        parse(
            minimalPlus(
                "mode", "crd",
                "addr", ":1234",
                "metrics_addr", ":1",
                "ADDR", ":5678",
                "leader_election", true));

    assertThat(c.warnings())
        .containsExactly(
            "line 5: key \"addr\" is only used in webhook mode; ignored",
            "line 6: key \"metrics_addr\" is only used in reconcile mode; ignored");
    assertThat(c.webhook()).isEqualTo(WebhookConfig.DEFAULTS);
  }

  @Test
  void sharedLeaderElectionKeysWarnInWebhookMode() {
    RegistrarConfig c =
        parse(minimalPlus("leader_election", "not even a boolean", "identity_template", "x"));

    assertThat(c.warnings())
        .containsExactly(
            "line 4: key \"leader_election\" is only used in reconcile and crd modes; ignored",
            "line 5: key \"identity_template\" is only used in crd mode; ignored");
  }

  // ---------------------------------------------------------------------------------------------
  // Effective configuration

  @Test
  void effectiveWebhookConfigListsCommonThenModeKeysInOrder() {
    Map<String, Object> m = ConfigParser.effective(parse(minimalPlus()));

    assertThat(new ArrayList<>(m.keySet()))
        .containsExactly(
            "log_level",
            "log_format",
            "log_path",
            "trust_domain",
            "server_address",
            "server_socket_path",
            "agent_socket_path",
            "cluster",
            "pod_label",
            "pod_annotation",
            "mode",
            "disabled_namespaces",
            "addr",
            "cert_path",
            "key_path",
            "cacert_path",
            "insecure_skip_client_verification");
    assertThat(m)
        .containsEntry("server_address", "unix:///run/spire/sockets/api.sock")
        .containsEntry("mode", "webhook")
        .containsEntry("disabled_namespaces", List.of("kube-system", "kube-public"))
        .containsEntry("insecure_skip_client_verification", false);
  }

  @Test
  void effectiveReconcileConfigHasGoDuration() {
    Map<String, Object> m =
        ConfigParser.effective(parse(minimalPlus("mode", "reconcile", "resync_interval", "90s")));

    assertThat(new ArrayList<>(m.keySet()).subList(12, m.size()))
        .containsExactly(
            "metrics_addr",
            "leader_election",
            "leader_election_resource_lock",
            "controller_name",
            "add_pod_dns_names",
            "cluster_dns_zone",
            "resync_interval");
    assertThat(m).containsEntry("resync_interval", "1m30s");
  }

  @Test
  void effectiveCrdConfigHasSortedContextAndIntegerPort() {
    Map<String, Object> m =
        ConfigParser.effective(
            parse(
                minimalPlus(
                    "mode",
                    "crd",
                    "trust_domain",
                    "spiffe://example.org",
                    "context",
                    Map.of("z", "1", "a", "2"))));

    assertThat(new ArrayList<>(m.keySet()).subList(12, m.size()))
        .containsExactly(
            "pod_controller",
            "add_svc_dns_name",
            "leader_election",
            "leader_election_resource_lock",
            "metrics_bind_addr",
            "webhook_enabled",
            "webhook_cert_dir",
            "webhook_port",
            "webhook_service_name",
            "identity_template",
            "identity_template_label",
            "dns_name_templates",
            "context");
    assertThat(m).containsEntry("trust_domain", "example.org").containsEntry("webhook_port", 9443);
    assertThat(m.get("context").toString()).isEqualTo("{a=2, z=1}");
  }
}
