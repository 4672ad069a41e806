package org.spireregistrar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.config.HclCheckerTest.quietly;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.CommonConfig;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.config.WebhookConfig;

class HclConfigLoaderTest {

  @TempDir Path dir;

  // ---------------------------------------------------------------------------------------------
  // Reading the file

  @Test
  void missingFileIsUnableToLoadNamingThePath() {
    Path path = dir.resolve("test.conf");

    assertThatThrownBy(() -> HclConfigLoader.load(path))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage("unable to load configuration: open " + path + ": no such file or directory");
  }

  @Test
  void directoryIsUnableToLoad() {
    assertThatThrownBy(() -> HclConfigLoader.load(dir))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage("unable to load configuration: read " + dir + ": is a directory");
  }

  @Test
  void nonUtf8FileIsUnableToLoad() throws IOException {
    Path path = dir.resolve("latin1.conf");
    Files.write(path, new byte[] {'c', '=', '"', (byte) 0xE9, '"'});

    assertThatThrownBy(() -> HclConfigLoader.load(path))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(
            "unable to load configuration: read "
                + path
                + ": not UTF-8 text: invalid byte 0xE9 (line 1, column 4)");
  }

  @Test
  void namesTheLineAndColumnOfTheFirstByteThatIsNotUtf8() throws IOException {
    Path path = dir.resolve("latin1.conf");
    Files.write(
        path,
        "trust_domain = \"example.org\"\ncluster = \"caf\u00e9 \u00e9\"\n"
            .getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> HclConfigLoader.load(path))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(
            "unable to load configuration: read "
                + path
                + ": not UTF-8 text: invalid byte 0xE9 (line 2, column 15)");
  }

  @Test
  void aFileLargerThanOneMebibyteIsUnableToLoadWithoutReadingIt() throws IOException {
    Path path = dir.resolve("huge.conf");
    Files.write(path, new byte[HclConfigLoader.MAX_CONFIG_BYTES + 1]);

    assertThatThrownBy(() -> HclConfigLoader.load(path))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(
            "unable to load configuration: read "
                + path
                + ": larger than 1 MiB, the limit for a configuration file");
  }

  @Test
  void aDeviceWithoutEndIsUnableToLoad() {
    Path zero = Path.of("/dev/zero");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(zero), "no /dev/zero here");

    assertThatThrownBy(() -> HclConfigLoader.load(zero))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(
            "unable to load configuration: read /dev/zero: larger than 1 MiB, the limit for a"
                + " configuration file");
  }

  @Test
  void aFileOfExactlyOneMebibyteIsRead() throws IOException {
    Path path = dir.resolve("padded.conf");
    String text = MINIMAL_15 + "mode = \"reconcile\"\n";
    Files.writeString(
        path,
        text + "#".repeat(HclConfigLoader.MAX_CONFIG_BYTES - text.length()),
        StandardCharsets.UTF_8);

    assertThat(quietlyLoad(path).mode()).isEqualTo(Mode.RECONCILE);
  }

  @Test
  void loadsAFile() throws IOException {
    Path path = dir.resolve("registrar.conf");
    Files.writeString(path, MINIMAL_15 + "mode = \"reconcile\"\n", StandardCharsets.UTF_8);

    RegistrarConfig c = quietlyLoad(path);

    assertThat(c.mode()).isEqualTo(Mode.RECONCILE);
    assertThat(c.common().serverAddress()).isEqualTo("unix://SOCKETPATH");
  }

  @Test
  void syntaxErrorInAFileNamesTheLine() throws IOException {
    Path path = dir.resolve("bad.conf");
    Files.writeString(path, MINIMAL_15 + "cluster =\n", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> HclConfigLoader.load(path))
        .hasMessage("unable to decode configuration: line 4: key \"cluster\" has no value");
  }

  private static RegistrarConfig quietlyLoad(Path path) {
    RegistrarConfig[] out = new RegistrarConfig[1];
    assertThat(quietly(() -> out[0] = HclConfigLoader.load(path))).isNull();
    return out[0];
  }

  // ---------------------------------------------------------------------------------------------
  // Upstream TestLoadMode (v1.3 webhook, v1.5 reconcile) and TestLoadModeCRD, reproduced.
  // Adapted where our product deliberately differs: "LEVELOVERRIDE" is now an invalid log level
  // (an error in every mode), "TRUSTDOMAIN" upper case is a malformed trust domain (v1.5
  // validates it), keys of other modes give warnings, and templates are rendered at validation
  // (upstream did it at start-up), so upstream's "{{.Pod.namespace}}" and
  // "{{.Pod.service_account}}", which its start-up would reject, are written with the real field
  // names.

  private static final String MINIMAL_13 =
      """
          trust_domain = "trustdomain"
          cluster = "CLUSTER"
          server_socket_path = "SOCKETPATH"
      """;

  private static final String MINIMAL_15 =
      """
          trust_domain = "domain.test"
          cluster = "CLUSTER"
          server_socket_path = "SOCKETPATH"
      """;

  private static final String MINIMAL_CRD =
      """
          trust_domain = "domain.test"
          cluster = "CLUSTER"
          server_socket_path = "SOCKETPATH"
          mode = "crd"
      """;

  private static final String MINIMAL_WITH_TEMPLATE =
      MINIMAL_CRD + "\nidentity_template = \"IDENTITYTEMPLATE\"\n";

  private static final String LONG_TEMPLATE =
      "region/{{.Context.region}}/cluster_name/{{.Context.cluster_name}}/ns/{{.Pod.Namespace}}"
          + "/sa/{{.Pod.ServiceAccount}}";

  record Row(String name, String hcl, Consumer<RegistrarConfig> check, String error) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row ok(String name, String hcl, Consumer<RegistrarConfig> check) {
    return new Row(name, hcl, check, null);
  }

  static Row fails(String name, String hcl, String error) {
    return new Row(name, hcl, null, error);
  }

  static CommonConfig common(String td, String socket, String cluster, Mode mode) {
    return common("info", "", td, socket, cluster, "", mode);
  }

  static CommonConfig common(
      String level,
      String logPath,
      String td,
      String socket,
      String cluster,
      String label,
      Mode mode) {
    return new CommonConfig(
        level,
        "",
        logPath,
        new TrustDomain(td),
        "unix://" + socket,
        socket,
        "",
        cluster,
        label,
        "",
        mode,
        List.of("kube-system", "kube-public"));
  }

  static CrdConfig crd(
      boolean addSvcDnsName,
      boolean leaderElection,
      String metricsBindAddr,
      String identityTemplate,
      String identityTemplateLabel,
      List<String> dnsNameTemplates,
      Map<String, String> context) {
    return new CrdConfig(
        true,
        addSvcDnsName,
        leaderElection,
        "leases",
        metricsBindAddr,
        false,
        "/run/spire/serving-certs",
        9443,
        "k8s-workload-registrar",
        identityTemplate,
        identityTemplateLabel,
        dnsNameTemplates,
        context);
  }

  static Stream<Row> upstreamRows() {
    return Stream.of(
        // TestLoadMode, v1.3 (webhook mode is the default)
        ok(
            "TestLoadMode v1.3 minimal",
            MINIMAL_13,
            c -> {
              assertThat(c.common())
                  .isEqualTo(common("trustdomain", "SOCKETPATH", "CLUSTER", Mode.WEBHOOK));
              assertThat(c.webhook())
                  .isEqualTo(
                      new WebhookConfig(":8443", "cert.pem", "key.pem", "cacert.pem", false));
            }),
        ok(
            "TestLoadMode v1.3 overrides",
            """
                log_level = "DEBUG"
                log_path = "PATHOVERRIDE"
                addr = ":1234"
                cert_path = "CERTOVERRIDE"
                key_path = "KEYOVERRIDE"
                cacert_path = "CACERTOVERRIDE"
                insecure_skip_client_verification = true
                server_socket_path = "SOCKETPATHOVERRIDE"
                trust_domain = "trustdomainoverride"
                cluster = "CLUSTEROVERRIDE"
                pod_label = "PODLABEL"
            """,
            c -> {
              assertThat(c.common())
                  .isEqualTo(
                      common(
                          "debug",
                          "PATHOVERRIDE",
                          "trustdomainoverride",
                          "SOCKETPATHOVERRIDE",
                          "CLUSTEROVERRIDE",
                          "PODLABEL",
                          Mode.WEBHOOK));
              assertThat(c.webhook())
                  .isEqualTo(
                      new WebhookConfig(
                          ":1234", "CERTOVERRIDE", "KEYOVERRIDE", "CACERTOVERRIDE", true));
              assertThat(c.warnings()).isEmpty();
            }),
        fails("TestLoadMode bad HCL", "INVALID", "unable to decode configuration"),
        fails(
            "TestLoadMode missing server_socket_path/address",
            """
                trust_domain = "domain.test"
                cluster = "CLUSTER"
            """,
            "server_address or server_socket_path must be specified"),
        fails(
            "TestLoadMode missing trust domain",
            """
                cluster = "CLUSTER"
                server_socket_path = "SOCKETPATH"
            """,
            "trust_domain must be specified"),
        fails(
            "TestLoadMode missing cluster",
            """
                trust_domain = "domain.test"
                server_socket_path = "SOCKETPATH"
            """,
            "cluster must be specified"),
        fails(
            "TestLoadMode label and annotation",
            MINIMAL_15 + "pod_label = \"PODLABEL\"\npod_annotation = \"PODANNOTATION\"\n",
            "workload registration mode specification is incorrect, can't specify both pod_label"
                + " and pod_annotation"),
        fails(
            "TestLoadMode v1.3 upper-case trust domain is now malformed",
            MINIMAL_13.replace("trustdomain", "TRUSTDOMAIN"),
            "error parsing common config: malformed trust domain: trust domain characters are"
                + " limited to lowercase letters, numbers, dots, dashes, and underscores"),
        fails(
            "TestLoadMode LEVELOVERRIDE is now an invalid log level",
            MINIMAL_15 + "log_level = \"LEVELOVERRIDE\"\n",
            "error parsing common config: not a valid logrus Level: \"LEVELOVERRIDE\""),
        // TestLoadMode, v1.5 (reconcile mode)
        ok(
            "TestLoadMode v1.5 reconcile defaults",
            MINIMAL_15 + "mode = \"reconcile\"\n",
            c -> {
              assertThat(c.common())
                  .isEqualTo(common("domain.test", "SOCKETPATH", "CLUSTER", Mode.RECONCILE));
              assertThat(c.reconcile()).isEqualTo(ReconcileConfig.DEFAULTS);
            }),
        ok(
            "TestLoadMode v1.5 reconcile overrides",
            MINIMAL_15
                + """
                mode = "reconcile"
                metrics_addr = ":1234"
                leader_election = true
                leader_election_resource_lock = "leases"
                controller_name = "CONTROLLER"
                add_pod_dns_names = true
                cluster_dns_zone = "corp.local"
                resync_interval = "30s"
                """,
            c ->
                assertThat(c.reconcile())
                    .isEqualTo(
                        new ReconcileConfig(
                            ":1234",
                            true,
                            "leases",
                            "CONTROLLER",
                            true,
                            "corp.local",
                            Duration.ofSeconds(30)))),
        // TestLoadModeCRD
        ok(
            "TestLoadModeCRD minimal with template",
            MINIMAL_WITH_TEMPLATE,
            c -> {
              assertThat(c.common())
                  .isEqualTo(common("domain.test", "SOCKETPATH", "CLUSTER", Mode.CRD));
              assertThat(c.crd())
                  .isEqualTo(
                      crd(
                          true,
                          false,
                          ":8080",
                          "IDENTITYTEMPLATE",
                          "",
                          List.of("{{.Pod.Name}}"),
                          Map.of()));
            }),
        ok(
            "TestLoadModeCRD overrides (other modes' keys ignored)",
            """
                log_level = "debug"
                log_path = "PATHOVERRIDE"
                addr = ":1234"
                cert_path = "CERTOVERRIDE"
                key_path = "KEYOVERRIDE"
                cacert_path = "CACERTOVERRIDE"
                insecure_skip_client_verification = true
                server_socket_path = "SOCKETPATHOVERRIDE"
                trust_domain = "override-domain.test"
                cluster = "CLUSTEROVERRIDE"
                add_svc_dns_name = false
                leader_election = true
                leader_election_resource_lock = "leases"
                metrics_bind_addr = "addr:8080"
                pod_controller = true
                webhook_enabled = false
                mode = "crd"
                identity_template = "IDENTITYTEMPLATE"
                dns_name_templates = ["DNSNAMETEMPLATE"]
            """,
            c -> {
              assertThat(c.common())
                  .isEqualTo(
                      common(
                          "debug",
                          "PATHOVERRIDE",
                          "override-domain.test",
                          "SOCKETPATHOVERRIDE",
                          "CLUSTEROVERRIDE",
                          "",
                          Mode.CRD));
              assertThat(c.crd())
                  .isEqualTo(
                      crd(
                          false,
                          true,
                          "addr:8080",
                          "IDENTITYTEMPLATE",
                          "",
                          List.of("DNSNAMETEMPLATE"),
                          Map.of()));
              assertThat(c.warnings())
                  .containsExactly(
                      "line 3: key \"addr\" is only used in webhook mode; ignored",
                      "line 4: key \"cert_path\" is only used in webhook mode; ignored",
                      "line 5: key \"key_path\" is only used in webhook mode; ignored",
                      "line 6: key \"cacert_path\" is only used in webhook mode; ignored",
                      "line 7: key \"insecure_skip_client_verification\" is only used in webhook"
                          + " mode; ignored");
            }),
        ok(
            "TestLoadModeCRD identity_template with context",
            MINIMAL_CRD
                + "identity_template = \""
                + LONG_TEMPLATE
                + "\"\n"
                + """
                identity_template_label = "IDENTITYLABEL"
                context {
                    region = "EU-DE"
                    cluster_name = "CLUSTER"
                }
                """,
            c ->
                assertThat(c.crd())
                    .isEqualTo(
                        crd(
                            true,
                            false,
                            ":8080",
                            LONG_TEMPLATE,
                            "IDENTITYLABEL",
                            List.of("{{.Pod.Name}}"),
                            Map.of("region", "EU-DE", "cluster_name", "CLUSTER")))),
        ok(
            "TestLoadModeCRD identity_template_minimal (duplicate key, last wins)",
            MINIMAL_CRD
                + "identity_template = \""
                + LONG_TEMPLATE
                + "\"\n"
                + """
                identity_template = "IDENTITYTEMPLATE"
                context {
                    cluster_name = "CLUSTER"
                }
                """,
            c ->
                assertThat(c.crd())
                    .isEqualTo(
                        crd(
                            true,
                            false,
                            ":8080",
                            "IDENTITYTEMPLATE",
                            "",
                            List.of("{{.Pod.Name}}"),
                            Map.of("cluster_name", "CLUSTER")))),
        ok(
            "TestLoadModeCRD identity_template no context",
            MINIMAL_CRD
                + "identity_template = \"ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}\"\n",
            c ->
                assertThat(c.crd().identityTemplate())
                    .isEqualTo("ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}")),
        fails(
            "TestLoadModeCRD upstream's lower-case field names fail at validation",
            MINIMAL_CRD + "identity_template = \"ns/{{.Pod.namespace}}\"\n",
            "executing identity template: "),
        fails("TestLoadModeCRD bad HCL", "INVALID", "unable to decode configuration"),
        fails(
            "TestLoadModeCRD identity_template and pod_label",
            MINIMAL_CRD
                + """
                pod_label = "PODLABEL"
                identity_template = "IDENTITYTEMPLATE"
                identity_template_label = "IDENTITYLABEL"
                context {
                    cluster_name = "CLUSTER"
                }
                """,
            "workload registration configuration is incorrect, can only use one of"
                + " identity_template, pod_annotation, or pod_label"),
        fails(
            "TestLoadModeCRD identity_template and pod_annotation",
            MINIMAL_CRD
                + """
                pod_annotation = "PODANNOTATION"
                identity_template = "IDENTITYTEMPLATE"
                context {
                    region = "EU-DE"
                    cluster_name = "MYCLUSTER"
                }
                """,
            "workload registration configuration is incorrect, can only use one of"
                + " identity_template, pod_annotation, or pod_label"),
        fails(
            "TestLoadModeCRD identity_template missing context (with space)",
            MINIMAL_CRD + "identity_template = \"region/{{ .Context.region}}\"\n",
            "identity_template references non-existing context"),
        fails(
            "TestLoadModeCRD identity_template missing context (without space)",
            MINIMAL_CRD + "identity_template = \"region/{{.Context.region}}\"\n",
            "identity_template references non-existing context"),
        ok(
            "TestLoadModeCRD dns_name_templates",
            MINIMAL_CRD
                + "dns_name_templates = [\"{{.Pod.ServiceAccount}}.{{.Pod.Namespace}}.svc\","
                + " \"{{.Pod.Name}}.svc\"]\n",
            c ->
                assertThat(c.crd().dnsNameTemplates())
                    .containsExactly(
                        "{{.Pod.ServiceAccount}}.{{.Pod.Namespace}}.svc", "{{.Pod.Name}}.svc")),
        ok(
            "TestLoadModeCRD dns_name_templates empty",
            MINIMAL_CRD + "dns_name_templates = []\n",
            c -> assertThat(c.crd().dnsNameTemplates()).isEmpty()),
        fails(
            "TestLoadModeCRD dns_name_templates missing context (with space)",
            MINIMAL_CRD + "dns_name_templates = [\"{{ .Context.namespace}}\"]\n",
            "dns_name_template references non-existing context"),
        fails(
            "TestLoadModeCRD dns_name_templates missing context (without space)",
            MINIMAL_CRD + "dns_name_templates = [\"{{.Context.namespace}}\"]\n",
            "dns_name_template references non-existing context"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("upstreamRows")
  void upstreamConfigTestRows(Row row) {
    RegistrarConfig[] out = new RegistrarConfig[1];
    Throwable thrown = quietly(() -> out[0] = HclConfigLoader.parse(row.hcl(), "test.conf"));

    if (row.error() != null) {
      assertThat(thrown).isExactlyInstanceOf(ConfigException.class);
      assertThat(thrown.getMessage()).contains(row.error());
    } else {
      assertThat(thrown).isNull();
      row.check().accept(out[0]);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding semantics end to end

  @Test
  void keysAreCaseInsensitiveAndContextKeysKeepCase() {
    RegistrarConfig c =
        HclConfigLoader.parse(
            """
            Trust_Domain = "domain.test"
            CLUSTER = "c"
            Server_Socket_Path = "/s"
            Mode = "crd"
            Identity_Template = "{{.Context.Region}}"
            Context { Region = "EU" }
            """,
            "t.conf");

    assertThat(c.crd().identityTemplate()).isEqualTo("{{.Context.Region}}");
    assertThat(c.crd().context()).isEqualTo(Map.of("Region", "EU"));
  }

  @Test
  void repeatedListKeysAreAppended() {
    RegistrarConfig c =
        HclConfigLoader.parse(
            MINIMAL_15 + "disabled_namespaces = [\"a\"]\ndisabled_namespaces = [\"b\"]\n",
            "t.conf");

    assertThat(c.common().disabledNamespaces()).containsExactly("a", "b");
  }

  @Test
  void typeErrorNamesTheLineInTheFile() {
    assertThatThrownBy(
            () ->
                HclConfigLoader.parse(
                    MINIMAL_15 + "mode = \"reconcile\"\n\nleader_election = \"yes\"\n", "t.conf"))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage("line 6: key \"leader_election\" must be a boolean, got string \"yes\"");
  }

  @Test
  void unknownKeyIsAWarningNamingTheLineWithASuggestion() {
    RegistrarConfig c =
        HclConfigLoader.parse(MINIMAL_15 + "mode = \"crd\"\nadd_svc_dns_names = false\n", "t.conf");

    assertThat(c.warnings())
        .containsExactly(
            "line 5: unknown key \"add_svc_dns_names\"; did you mean \"add_svc_dns_name\"?");
    assertThat(c.crd().addSvcDnsName()).as("the typo sets nothing, as upstream").isTrue();
  }

  /**
   * The crd-mode quick start of the original's documentation (mode-crd README), as it shipped: its
   * {@code add_svc_dns_names} is a typo the Go binary ignored, so it must load here too.
   */
  static final String UPSTREAM_CRD_QUICK_START =
      """
      log_level = "debug"
      trust_domain = "example.org"
      server_socket_path = "/run/spire/sockets/registration.sock"
      cluster = "demo-cluster"
      mode = "crd"
      pod_controller = true
      add_svc_dns_names = true
      leader_election = false
      metrics_bind_addr = "0"
      """;

  @Test
  void theUpstreamCrdQuickStartLoadsWithOneWarning() {
    RegistrarConfig c = HclConfigLoader.parse(UPSTREAM_CRD_QUICK_START, "registrar.conf");

    assertThat(c.mode()).isEqualTo(Mode.CRD);
    assertThat(c.warnings())
        .containsExactly(
            "line 7: unknown key \"add_svc_dns_names\"; did you mean \"add_svc_dns_name\"?");
  }

  @Test
  void webhookPortZeroMeansDefault() {
    assertThat(
            HclConfigLoader.parse(MINIMAL_CRD + "webhook_port = 9413\n", "t").crd().webhookPort())
        .isEqualTo(9413);
    assertThat(HclConfigLoader.parse(MINIMAL_CRD + "webhook_port = 0\n", "t").crd().webhookPort())
        .isEqualTo(9443);
  }

  @Test
  void hexWebhookPortIsRefusedBecauseHcl4jMisreadsIt() {
    // HCL v1 read 0x24C5 as 9413; hcl4j reads it as the identifier x24C5.
    assertThatThrownBy(() -> HclConfigLoader.parse(MINIMAL_CRD + "webhook_port = 0x24C5\n", "t"))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(
            "unable to decode configuration: line 5: hex numbers are not supported here; write"
                + " 0x24C5 as 9413");
  }

  @Test
  void capitalisedBooleansAreBooleans() {
    RegistrarConfig c =
        HclConfigLoader.parse(
            MINIMAL_15
                + "mode = \"reconcile\"\nleader_election = TRUE\nadd_pod_dns_names = False\n",
            "t.conf");

    assertThat(c.reconcile().leaderElection()).isTrue();
    assertThat(c.reconcile().addPodDnsNames()).isFalse();
  }

  @Test
  void repeatedContextBlocksAreMerged() {
    RegistrarConfig c =
        HclConfigLoader.parse(
            MINIMAL_CRD
                + """
                identity_template = "{{.Context.a}}/{{.Context.b}}"
                context { a = "1" }
                context {
                  b = "2"
                }
                """,
            "t.conf");

    assertThat(c.crd().context()).isEqualTo(Map.of("a", "1", "b", "2"));
  }

  @Test
  void jsonConfigurationIsAccepted() {
    RegistrarConfig c =
        HclConfigLoader.parse(
            """
            {
              "trust_domain": "domain.test",
              "cluster": "c",
              "server_socket_path": "/s",
              "mode": "crd",
              "context": {"region": "EU"},
              "identity_template": "{{.Context.region}}"
            }
            """,
            "t.json");

    assertThat(c.crd().context()).isEqualTo(Map.of("region", "EU"));
  }
}
