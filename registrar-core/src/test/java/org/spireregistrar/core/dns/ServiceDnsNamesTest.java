package org.spireregistrar.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.core.entry.Fixtures.address;
import static org.spireregistrar.core.entry.Fixtures.endpoints;
import static org.spireregistrar.core.entry.Fixtures.pod;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.Workload;

class ServiceDnsNamesTest {
  private static final Workload WEB0 =
      pod("default", "web-0").uid("u-1").sa("web").node("n1").hostname("h0").build();

  record Case(String name, Workload pod, List<EndpointsInfo> endpoints, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> serviceCases() {
    Workload noUid = pod("default", "web-0").uid("").build();
    Workload sameNameOtherUid = pod("default", "web-0").uid("u-old").build();
    EndpointsInfo.Address byUidOnly =
        new EndpointsInfo.Address("10.0.0.5", "", "Pod", "elsewhere", "renamed", "u-1");
    EndpointsInfo.Address byNameOnly =
        new EndpointsInfo.Address("10.0.0.5", "", "Pod", "default", "web-0", "");
    return Stream.of(
        new Case(
            "ready address by uid",
            WEB0,
            List.of(endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of())),
            List.of("web.default.svc")),
        new Case(
            "uid decides when both sides have one",
            WEB0,
            List.of(endpoints("default", "web", List.of(byUidOnly), List.of())),
            List.of("web.default.svc")),
        new Case(
            "a stale uid does not match even with the same name",
            WEB0,
            List.of(
                endpoints(
                    "default",
                    "web",
                    List.of(address("10.0.0.5", "", sameNameOtherUid)),
                    List.of())),
            List.of()),
        new Case(
            "name and namespace decide when the address has no uid",
            WEB0,
            List.of(endpoints("default", "web", List.of(byNameOnly), List.of())),
            List.of("web.default.svc")),
        new Case(
            "name and namespace decide when the pod has no uid",
            noUid,
            List.of(endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of())),
            List.of("web.default.svc")),
        new Case(
            "not-ready addresses are ignored",
            WEB0,
            List.of(endpoints("default", "web", List.of(), List.of(address("10.0.0.5", "", WEB0)))),
            List.of()),
        new Case(
            "dotted service names are kept (crd mode has no component rule)",
            WEB0,
            List.of(
                endpoints("default", "my.web", List.of(address("10.0.0.5", "", WEB0)), List.of())),
            List.of("my.web.default.svc")),
        new Case(
            "several services sorted and de-duplicated",
            WEB0,
            List.of(
                endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of()),
                endpoints("default", "api", List.of(address("10.0.0.5", "", WEB0)), List.of()),
                endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of())),
            List.of("api.default.svc", "web.default.svc")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("serviceCases")
  void serviceNamesFollowReadyAddresses(Case c) {
    assertThat(ServiceDnsNames.serviceNames(c.pod(), c.endpoints())).isEqualTo(c.expected());
  }

  @Test
  void serviceNamesForPodUidMatchOnlyByUid() {
    List<EndpointsInfo> eps =
        List.of(
            endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of()),
            endpoints(
                "default",
                "api",
                List.of(new EndpointsInfo.Address("10.0.0.5", "", "Pod", "default", "web-0", "")),
                List.of()));

    assertThat(ServiceDnsNames.serviceNamesForPodUid("u-1", eps))
        .containsExactly("web.default.svc");
    assertThat(ServiceDnsNames.serviceNamesForPodUid("", eps)).isEmpty();
  }

  @Test
  void noTemplatesAndNoServicesGiveNoNames() {
    ServiceDnsNames names = new ServiceDnsNames(List.of(), Map.of());

    assertThat(names.of(WEB0, List.of(), true, w -> {})).isEmpty();
  }

  // ---- template-based names (need the GoTemplate implementation) ----

  @Test
  void rendersTemplatesInOrderThenAppendsServiceNames() {
    ServiceDnsNames names =
        new ServiceDnsNames(
            List.of("{{ .Pod.Name }}.{{.Context.domain}}", "{{.Pod.ServiceAccount}}.svc"),
            Map.of("domain", "example.com"));
    List<EndpointsInfo> eps =
        List.of(endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of()));

    assertThat(names.of(WEB0, eps, true, w -> {}))
        .containsExactly("web-0.example.com", "web.svc", "web.default.svc");
    assertThat(names.of(WEB0, eps, false, w -> {})).containsExactly("web-0.example.com", "web.svc");
  }

  @Test
  void deDuplicatesKeepingTheFirstOccurrence() {
    ServiceDnsNames names =
        new ServiceDnsNames(
            List.of("{{.Pod.Name}}.default.svc", "web.default.svc", "{{.Pod.Name}}.default.svc"),
            Map.of());
    List<EndpointsInfo> eps =
        List.of(endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of()));

    assertThat(names.of(WEB0, eps, true, w -> {}))
        .containsExactly("web-0.default.svc", "web.default.svc");
  }

  @Test
  void keepsSingleCharacterNamesAsCurrentSpireAcceptsThem() {
    Workload a = pod("default", "a").uid("u-a").build();
    List<String> warnings = new ArrayList<>();

    List<String> names =
        ServiceDnsNames.forConfig(org.spireregistrar.core.config.CrdConfig.DEFAULTS)
            .of(a, List.of(), true, warnings::add);

    assertThat(names).containsExactly("a");
    assertThat(warnings).isEmpty();
  }

  @Test
  void dropsInvalidRenderedNamesWithAWarning() {
    Workload a = pod("default", "a_b").uid("u-a").build();
    List<String> warnings = new ArrayList<>();

    List<String> names =
        ServiceDnsNames.forConfig(org.spireregistrar.core.config.CrdConfig.DEFAULTS)
            .of(a, List.of(), true, warnings::add);

    assertThat(names).isEmpty();
    assertThat(warnings)
        .containsExactly("pod default/a_b: dropped DNS name \"a_b\": invalid label: a_b");
  }

  @Test
  void rejectsThePodWhenATemplateFailsToRender() {
    ServiceDnsNames names = new ServiceDnsNames(List.of("{{.Pod.Labels}}"), Map.of());

    assertThatThrownBy(() -> names.templateNames(WEB0))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessage(
            "Pod default/web-0: executing dns name template: template: dns_name_templates[0]:1:6:"
                + " executing \"dns_name_templates[0]\" at <.Pod.Labels>: can't evaluate field"
                + " Labels in type PodInfo");
  }

  @Test
  void refusesATemplateThatDoesNotParse() {
    assertThatThrownBy(() -> new ServiceDnsNames(List.of("{{.Pod.Name"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("parsing dns name template: ");
  }
}
