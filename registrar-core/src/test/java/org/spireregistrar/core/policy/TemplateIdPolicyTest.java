package org.spireregistrar.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.core.entry.Fixtures.TD;
import static org.spireregistrar.core.entry.Fixtures.config;
import static org.spireregistrar.core.entry.Fixtures.pod;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.model.Workload;

/** The identity-template policy; needs the GoTemplate implementation. */
class TemplateIdPolicyTest {
  private static final Workload WEB0 =
      pod("prod", "web-0").uid("u-1").sa("web").node("n1").hostname("h0").build();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}   | spiffe://example.org/ns/prod/sa/web
          {{.Pod.Name}}                                      | spiffe://example.org/web-0
          pod/{{.Pod.UID}}                                   | spiffe://example.org/pod/u-1
          {{.Context.region}}/{{.Pod.NodeName}}/{{.Pod.Hostname}} | spiffe://example.org/eu-de/n1/h0
          """)
  void rendersTheTemplateUnderTheTrustDomain(String template, String expected) {
    TemplateIdPolicy policy = new TemplateIdPolicy(TD, template, "", Map.of("region", "eu-de"));

    assertThat(policy.workloadId(WEB0)).contains(SpiffeId.parse(expected));
  }

  @Test
  void crdModeDefaultsToTheServiceAccountTemplate() {
    IdPolicy policy = IdPolicy.forConfig(config(Mode.CRD).build());

    assertThat(policy).isInstanceOf(TemplateIdPolicy.class);
    assertThat(policy.workloadId(WEB0))
        .contains(SpiffeId.parse("spiffe://example.org/ns/prod/sa/web"));
  }

  @Test
  void crdModeUsesTheConfiguredTemplate() {
    IdPolicy policy =
        IdPolicy.forConfig(config(Mode.CRD).identityTemplate("w/{{.Pod.Name}}").build());

    assertThat(policy.workloadId(WEB0)).contains(SpiffeId.parse("spiffe://example.org/w/web-0"));
  }

  @ParameterizedTest(name = "gate label value \"{0}\" -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          true    | true
          True    | true
          TRUE    | true
          false   | false
          yes     | false
          ''      | false
          ' true' | false
          """)
  void gateLabelMustBeTrueCaseInsensitively(String value, boolean applies) {
    TemplateIdPolicy policy =
        new TemplateIdPolicy(TD, "ns/{{.Pod.Namespace}}", "spiffe.io/enabled", Map.of());
    Workload labelled = pod("prod", "web-0").label("spiffe.io/enabled", value).build();

    assertThat(policy.workloadId(labelled).isPresent()).isEqualTo(applies);
  }

  @Test
  void gateLabelAbsentMeansNoId() {
    TemplateIdPolicy policy =
        new TemplateIdPolicy(TD, "ns/{{.Pod.Namespace}}", "spiffe.io/enabled", Map.of());

    assertThat(policy.workloadId(WEB0)).isEmpty();
  }

  @Test
  void gateAppliesToTheDefaultTemplate() {
    IdPolicy policy =
        IdPolicy.forConfig(config(Mode.CRD).identityTemplateLabel("spiffe.io/enabled").build());

    assertThat(policy.workloadId(WEB0)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          pct/{{.Context.p}}          | Pod prod/web-0: identity template output "pct/a%b": path segment characters are limited to letters, numbers, dots, dashes, and underscores
          /{{.Pod.Name}}              | Pod prod/web-0: identity template output "/web-0": path cannot contain empty segments
          {{.Pod.Name}}/              | Pod prod/web-0: identity template output "web-0/": path cannot have a trailing slash
          {{.Pod.Namespace}}//{{.Pod.Name}} | Pod prod/web-0: identity template output "prod//web-0": path cannot contain empty segments
          {{.Context.sp}}             | Pod prod/web-0: identity template output "a b": path segment characters are limited to letters, numbers, dots, dashes, and underscores
          """)
  void rejectsRenderedOutputThatIsNoPath(String template, String message) {
    TemplateIdPolicy policy =
        new TemplateIdPolicy(TD, template, "", Map.of("p", "a%b", "sp", "a b"));

    assertThatThrownBy(() -> policy.workloadId(WEB0))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessage(message);
  }

  @Test
  void rejectsThePodWhenTheTemplateFailsToExecute() {
    TemplateIdPolicy policy = new TemplateIdPolicy(TD, "{{.Pod.Labels}}", "", Map.of());

    assertThatThrownBy(() -> policy.workloadId(WEB0))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessageStartingWith("Pod prod/web-0: executing identity template: ");
  }

  @Test
  void refusesATemplateThatDoesNotParse() {
    assertThatThrownBy(() -> new TemplateIdPolicy(TD, "{{.Pod.Name", "", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("parsing identity template: ");
  }
}
