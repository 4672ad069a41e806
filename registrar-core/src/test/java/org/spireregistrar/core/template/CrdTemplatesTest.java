package org.spireregistrar.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.model.Workload;

class CrdTemplatesTest {

  /** The pod of upstream's mode-crd pod_controller_test.go. */
  static final Workload POD =
      new Workload(
          "default",
          "test-pod",
          "uid-1",
          "serviceAccount",
          "test-node",
          "hostname",
          "",
          Map.of(),
          Map.of(),
          false);

  static final String DEFAULT_TEMPLATE = "ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}";
  static final Map<String, String> REGION_CLUSTER =
      Map.of("Region", "EU-DE", "ClusterName", "MYCLUSTER");

  static CrdConfig crd(String identity, List<String> dns, Map<String, String> context) {
    return new CrdConfig(
        true,
        true,
        false,
        "leases",
        ":8080",
        false,
        "/run/spire/serving-certs",
        9443,
        "k8s-workload-registrar",
        identity,
        "",
        dns,
        context);
  }

  /** {@code path} when the template is valid, else {@code error}, the exact message. */
  record IdentityRow(
      String description, String template, Map<String, String> context, String path, String error) {
    @Override
    public String toString() {
      return description;
    }
  }

  static IdentityRow ok(String d, String t, Map<String, String> ctx, String path) {
    return new IdentityRow(d, t, ctx, path, null);
  }

  static IdentityRow bad(String d, String t, Map<String, String> ctx, String error) {
    return new IdentityRow(d, t, ctx, null, error);
  }

  /**
   * Upstream TestIdentityTemplate's 17 rows. The label-gate rows (8-12) are the policy's business;
   * here they check that their templates validate and render. Rows 1-2 fail earlier and more
   * precisely than upstream (the missing context key is named) because a missing key is an error in
   * this product rather than {@code <no value>}.
   */
  static Stream<IdentityRow> upstreamIdentityTemplateRows() {
    String chars =
        "path segment characters are limited to letters, numbers, dots, dashes, and underscores";
    return Stream.of(
        bad(
            "1 missing context map",
            "region/{{.Context.Region}}",
            Map.of(),
            "identity_template references non-existing context key \"Region\""),
        bad(
            "2 invalid context reference",
            "error/{{.Context.XXXX}}",
            REGION_CLUSTER,
            "identity_template references non-existing context key \"XXXX\""),
        bad(
            "3 invalid pod reference",
            "region/{{.Pod.XXXX}}",
            Map.of(),
            "executing identity template: template: identity_template:1:13: executing"
                + " \"identity_template\" at <.Pod.XXXX>: can't evaluate field XXXX in type"
                + " PodInfo"),
        bad(
            "4 invalid prefix spiffe://",
            "spiffe://testdomain/" + DEFAULT_TEMPLATE,
            Map.of(),
            "validating identity template: " + chars),
        bad(
            "5 invalid prefix /testdomain",
            "/testdomain/" + DEFAULT_TEMPLATE,
            Map.of(),
            "validating identity template: path cannot contain empty segments"),
        bad(
            "6 invalid prefix //",
            "//" + DEFAULT_TEMPLATE,
            Map.of(),
            "validating identity template: path cannot contain empty segments"),
        bad(
            "7 invalid suffix",
            DEFAULT_TEMPLATE + "/",
            Map.of(),
            "validating identity template: path cannot have a trailing slash"),
        ok("8 label requested, pod not labeled", "TEMPLATE", Map.of(), "TEMPLATE"),
        ok("9 label requested, pod labeled false", "TEMPLATE", Map.of(), "TEMPLATE"),
        ok("10 label not set", DEFAULT_TEMPLATE, Map.of(), "ns/default/sa/serviceAccount"),
        ok("11 label empty", DEFAULT_TEMPLATE, Map.of(), "ns/default/sa/serviceAccount"),
        ok(
            "12 label requested and pod labeled",
            DEFAULT_TEMPLATE,
            Map.of(),
            "ns/default/sa/serviceAccount"),
        ok("13 default template", DEFAULT_TEMPLATE, Map.of(), "ns/default/sa/serviceAccount"),
        ok(
            "14 template spelled out",
            "ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}",
            Map.of(),
            "ns/default/sa/serviceAccount"),
        ok(
            "15 pod name appended",
            DEFAULT_TEMPLATE + "/podName/{{.Pod.Name}}",
            Map.of(),
            "ns/default/sa/serviceAccount/podName/test-pod"),
        ok(
            "16 context usage",
            "region/{{.Context.Region}}/cluster/{{.Context.ClusterName}}/podName/{{.Pod.Name}}",
            REGION_CLUSTER,
            "region/EU-DE/cluster/MYCLUSTER/podName/test-pod"),
        ok(
            "17 various pod elements",
            "{{.Pod.Name}}/{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}/{{.Pod.Hostname}}/{{.Pod.NodeName}}",
            Map.of(),
            "test-pod/default/serviceAccount/hostname/test-node"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("upstreamIdentityTemplateRows")
  void identityTemplatesValidateAndRenderAsUpstream(IdentityRow row) {
    CrdConfig config = crd(row.template(), List.of(), row.context());
    if (row.error() != null) {
      assertThatThrownBy(() -> CrdTemplates.validate(config))
          .isExactlyInstanceOf(ConfigException.class)
          .hasMessage(row.error());
      return;
    }
    CrdTemplates.validate(config);
    String rendered =
        GoTemplate.parse(CrdTemplates.IDENTITY_TEMPLATE_NAME, row.template())
            .execute(TemplateData.forPod(POD, row.context()));
    assertThat(rendered).isEqualTo(row.path());
  }

  record DnsRow(
      String description,
      List<String> templates,
      Map<String, String> context,
      List<String> names,
      String error) {
    @Override
    public String toString() {
      return description;
    }
  }

  /** Upstream TestDNSNameTemplate's 8 rows. */
  static Stream<DnsRow> upstreamDnsNameTemplateRows() {
    return Stream.of(
        new DnsRow("1 no template", List.of(), Map.of(), List.of(), null),
        new DnsRow(
            "2 invalid template",
            List.of("{{.Does.Not.Exist}}"),
            Map.of(),
            null,
            "executing the dns name template: template: dns_name_templates[0]:1:7: executing"
                + " \"dns_name_templates[0]\" at <.Does.Not.Exist>: can't evaluate field Does in"
                + " type IdentityMaps"),
        new DnsRow(
            "3 invalid dns name",
            List.of("$%^&*"),
            Map.of(),
            null,
            "validating the dns name template: wildcard must be first label"),
        new DnsRow(
            "4 literal value", List.of("my.dns.name"), Map.of(), List.of("my.dns.name"), null),
        new DnsRow(
            "5 single name from pod fields",
            List.of("{{.Pod.ServiceAccount}}.{{.Pod.Namespace}}.svc"),
            Map.of(),
            List.of("serviceAccount.default.svc"),
            null),
        new DnsRow(
            "6 single name from context fields",
            List.of("{{.Pod.ServiceAccount}}.{{.Context.Namespace}}.svc"),
            Map.of("Namespace", "my-network"),
            List.of("serviceAccount.my-network.svc"),
            null),
        new DnsRow(
            "7 several names without spaces",
            List.of("{{.Pod.ServiceAccount}}.{{.Pod.Namespace}}.svc", "{{.Pod.Name}}.svc"),
            Map.of(),
            List.of("serviceAccount.default.svc", "test-pod.svc"),
            null),
        new DnsRow(
            "8 several names with spaces",
            List.of("{{ .Pod.ServiceAccount }}.{{ .Pod.Namespace }}.svc", "{{ .Pod.Name }}.svc"),
            Map.of(),
            List.of("serviceAccount.default.svc", "test-pod.svc"),
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("upstreamDnsNameTemplateRows")
  void dnsNameTemplatesValidateAndRenderAsUpstream(DnsRow row) {
    CrdConfig config = crd("", row.templates(), row.context());
    if (row.error() != null) {
      assertThatThrownBy(() -> CrdTemplates.validate(config))
          .isExactlyInstanceOf(ConfigException.class)
          .hasMessage(row.error());
      return;
    }
    CrdTemplates.validate(config);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < row.templates().size(); i++) {
      GoTemplate t =
          GoTemplate.parse(
              CrdTemplates.dnsTemplateName(i), row.templates().get(i).replace(" ", ""));
      names.add(t.execute(TemplateData.forPod(POD, row.context())));
    }
    assertThat(names).isEqualTo(row.names());
  }

  record MessageCase(
      String description,
      String identity,
      List<String> dns,
      Map<String, String> context,
      String message) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Stream<MessageCase> invalidConfigurations() {
    return Stream.of(
        new MessageCase(
            "identity template does not parse",
            "{{.Pod.Name",
            List.of(),
            Map.of(),
            "parsing identity template: template: identity_template:1: unclosed action"),
        new MessageCase(
            "identity template uses an unsupported action",
            "{{define \"x\"}}x{{end}}",
            List.of(),
            Map.of(),
            "parsing identity template: template: identity_template:1: unsupported action"
                + " \"define\""),
        new MessageCase(
            "second dns template does not parse",
            "",
            List.of("{{.Pod.Name}}.svc", "{{ template }}"),
            Map.of(),
            "parsing dns name template: template: dns_name_templates[1]:1: unsupported action"
                + " \"template\""),
        new MessageCase(
            "dns templates lose their spaces before parsing",
            "",
            List.of("{{ printf \"%s\" .Pod.Name }}"),
            Map.of(),
            "parsing dns name template: template: dns_name_templates[0]:1: bad character U+0022"
                + " '\"'"),
        new MessageCase(
            "identity references a missing context key",
            "ns/{{.Context.region}}",
            List.of(),
            Map.of("zone", "a"),
            "identity_template references non-existing context key \"region\""),
        new MessageCase(
            "identity indexes a missing context key",
            "ns/{{index .Context \"region\"}}",
            List.of(),
            Map.of(),
            "identity_template references non-existing context key \"region\""),
        new MessageCase(
            "a missing key in a branch not taken is still found",
            "{{if false}}{{.Context.zone}}{{end}}x",
            List.of(),
            Map.of(),
            "identity_template references non-existing context key \"zone\""),
        new MessageCase(
            "dns template references a missing context key",
            "",
            List.of("{{.Context.region}}.svc"),
            Map.of(),
            "dns_name_template \"{{.Context.region}}.svc\" references non-existing context key"
                + " \"region\""),
        new MessageCase(
            "lower-case pod field",
            "ns/{{.Pod.namespace}}",
            List.of(),
            Map.of(),
            "executing identity template: template: identity_template:1:9: executing"
                + " \"identity_template\" at <.Pod.namespace>: can't evaluate field namespace in"
                + " type PodInfo"),
        new MessageCase(
            "identity template renders nothing",
            "{{if false}}x{{end}}",
            List.of(),
            Map.of(),
            "validating identity template: path cannot have a trailing slash"),
        new MessageCase(
            "dns template fails to execute",
            "",
            List.of("{{.Pod.Name.First}}"),
            Map.of(),
            "executing the dns name template: template: dns_name_templates[0]:1:6: executing"
                + " \"dns_name_templates[0]\" at <.Pod.Name.First>: can't evaluate field First in"
                + " type string"),
        new MessageCase(
            "dns templates cannot call functions with arguments once spaces are gone",
            "",
            List.of("{{index .Context .Pod.Name}}"),
            Map.of(),
            "parsing dns name template: template: dns_name_templates[0]:1: wrong number of args"
                + " for index: want at least 1 got 0"),
        new MessageCase(
            "dns templates lose the space after if",
            "",
            List.of("{{if true}}x{{end}}"),
            Map.of(),
            "parsing dns name template: template: dns_name_templates[0]:1: function \"iftrue\""
                + " not defined"),
        new MessageCase(
            "dns template renders a name SPIRE refuses",
            "",
            List.of("a_b.{{.Pod.Name}}"),
            Map.of(),
            "validating the dns name template: invalid label: a_b"),
        new MessageCase(
            "a missing key through with",
            "ns/{{with .Context.zone}}{{.}}{{end}}",
            List.of(),
            Map.of("region", "eu"),
            "identity_template references non-existing context key \"zone\""),
        new MessageCase(
            "a missing key inside a range body",
            "ns/{{range .Context}}{{$.Context.zone}}{{end}}x",
            List.of(),
            Map.of("region", "eu"),
            "identity_template references non-existing context key \"zone\""),
        new MessageCase(
            "a missing key through a variable",
            "{{$c := .Context}}ns/{{$c.zone}}",
            List.of(),
            Map.of("region", "eu"),
            "identity_template references non-existing context key \"zone\""),
        new MessageCase(
            "a missing key through with in a dns template",
            "",
            List.of("{{with.Context}}{{.domain}}{{end}}"),
            Map.of("region", "eu"),
            "dns_name_template \"{{with.Context}}{{.domain}}{{end}}\" references non-existing"
                + " context key \"domain\""),
        new MessageCase(
            "a range over a struct",
            "{{range .Pod}}x{{end}}",
            List.of(),
            Map.of(),
            "executing identity template: template: identity_template:1:8: executing"
                + " \"identity_template\" at <.Pod>: range can't iterate over {xx xx xx 123 xx"
                + " xx}"),
        new MessageCase(
            "a hostile identity template",
            "{{range 1000000000}}{{end}}x",
            List.of(),
            Map.of(),
            "executing identity template: template: identity_template:1:8: executing"
                + " \"identity_template\" at <{{range 1000000000}}...>: exceeded maximum execution"
                + " steps (1000000)"),
        new MessageCase(
            "break outside range",
            "x{{break}}",
            List.of(),
            Map.of(),
            "parsing identity template: template: identity_template:1: {{break}} outside"
                + " {{range}}"),
        new MessageCase(
            "dns template renders an empty name",
            "",
            List.of("{{.Pod.Name}}.svc", "{{.Context.empty}}"),
            Map.of("empty", ""),
            "validating the dns name template: empty or only whitespace"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidConfigurations")
  void refusesInvalidTemplatesWithUpstreamMessages(MessageCase c) {
    CrdConfig config = crd(c.identity(), c.dns(), c.context());

    assertThatThrownBy(() -> CrdTemplates.validate(config))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(c.message());
  }

  @Test
  void acceptsTheDefaults() {
    assertThatCode(() -> CrdTemplates.validate(CrdConfig.DEFAULTS)).doesNotThrowAnyException();
  }

  @Test
  void keepsTheSpacesOfTheIdentityTemplate() {
    CrdConfig config =
        crd("{{ printf \"%s-%s\" .Pod.Name .Context.zone }}", List.of(), Map.of("zone", "a"));

    assertThatCode(() -> CrdTemplates.validate(config)).doesNotThrowAnyException();
  }

  record ValidRow(String description, String identity, List<String> dns, String path) {
    @Override
    public String toString() {
      return description;
    }
  }

  /** Templates using with, range, variables and the other functions, as upstream users wrote. */
  static Stream<ValidRow> templatesUsingTheWholeLanguage() {
    return Stream.of(
        new ValidRow(
            "with and else",
            "{{with .Context.Region}}region/{{.}}{{else}}global{{end}}/{{.Pod.Name}}",
            List.of(),
            "region/EU-DE/test-pod"),
        new ValidRow(
            "variables",
            "{{$ns := .Pod.Namespace}}{{$c := .Context}}ns/{{$ns}}/cluster/{{$c.ClusterName}}",
            List.of(),
            "ns/default/cluster/MYCLUSTER"),
        new ValidRow(
            "range with break",
            "{{range $k, $v := .Context}}{{if eq $k \"ClusterName\"}}{{$v}}{{break}}{{end}}{{end}}/x",
            List.of(),
            "MYCLUSTER/x"),
        new ValidRow(
            "comparisons and slice",
            "{{if gt (len .Pod.Name) 4}}{{slice .Pod.Name 0 4}}{{else}}{{.Pod.Name}}{{end}}",
            List.of(),
            "test"),
        new ValidRow(
            "urlquery and printf",
            "{{printf \"%s-%s\" .Pod.Namespace .Pod.Name | urlquery}}",
            List.of(),
            "default-test-pod"),
        new ValidRow(
            "dns templates without spaces",
            "",
            List.of("{{with.Context.Region}}{{.}}.{{end}}{{.Pod.Name}}.svc"),
            "ns/default/sa/serviceAccount"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("templatesUsingTheWholeLanguage")
  void acceptsTemplatesUsingTheWholeLanguage(ValidRow row) {
    CrdConfig config = crd(row.identity(), row.dns(), REGION_CLUSTER);

    assertThatCode(() -> CrdTemplates.validate(config)).doesNotThrowAnyException();
    String identity = row.identity().isEmpty() ? DEFAULT_TEMPLATE : row.identity();
    assertThat(
            GoTemplate.parse(CrdTemplates.IDENTITY_TEMPLATE_NAME, identity)
                .execute(TemplateData.forPod(POD, REGION_CLUSTER)))
        .isEqualTo(row.path());
  }

  @Test
  void validatesTheDefaultIdentityTemplateWhenNoneIsConfigured() {
    CrdConfig config =
        crd("", List.of("{{.Pod.Name}}.{{.Context.domain}}"), Map.of("domain", "example"));

    assertThatCode(() -> CrdTemplates.validate(config)).doesNotThrowAnyException();
  }
}
