package org.spireregistrar.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.core.entry.Fixtures.address;
import static org.spireregistrar.core.entry.Fixtures.endpoints;
import static org.spireregistrar.core.entry.Fixtures.pod;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.Workload;

class PodDnsNamesTest {
  private static final String ZONE = "cluster.local";
  private static final Workload WEB0 = pod("default", "web-0").ip("10.0.0.5").build();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      textBlock =
          """
          10.1.2.3,         10-1-2-3
          fd00::5,          fd00--5
          2001:db8::1:2,    2001-db8--1-2
          ::ffff:10.1.2.3,  ::ffff:10-1-2-3
          nodots,           nodots
          """)
  void mungesIpsLikeUpstream(String ip, String munged) {
    assertThat(PodDnsNames.munge(ip)).isEqualTo(munged);
  }

  @Test
  void podIpNamesComeFirstAndEndpointNamesAreSortedByteWise() {
    EndpointsInfo web =
        endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of());

    assertThat(PodDnsNames.of(WEB0, List.of(web), ZONE))
        .containsExactly(
            "10-0-0-5.default.pod.cluster.local",
            "10-0-0-5.default.pod",
            "10-0-0-5.web",
            "10-0-0-5.web.default",
            "10-0-0-5.web.default.svc",
            "10-0-0-5.web.default.svc.cluster.local",
            "web",
            "web-0.web",
            "web-0.web.default",
            "web-0.web.default.svc",
            "web-0.web.default.svc.cluster.local",
            "web.default",
            "web.default.svc",
            "web.default.svc.cluster.local");
  }

  record Case(String name, Workload pod, List<EndpointsInfo> endpoints, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    Workload v6 = pod("default", "web-0").ip("fd00::5").build();
    Workload mapped = pod("default", "web-0").ip("::ffff:10.0.0.5").build();
    Workload noIp = pod("default", "web-0").build();
    Workload dotted = pod("default", "web.0").ip("10.0.0.5").build();
    Workload other = pod("default", "other").ip("10.0.0.9").build();
    Workload elsewhere = pod("prod", "web-0").ip("10.0.0.5").build();
    EndpointsInfo.Address mine = address("10.0.0.5", "", WEB0);
    return Stream.of(
        new Case(
            "ipv4 pod without endpoints",
            WEB0,
            List.of(),
            List.of("10-0-0-5.default.pod.cluster.local", "10-0-0-5.default.pod")),
        new Case(
            "ipv6 pod",
            v6,
            List.of(),
            List.of("fd00--5.default.pod.cluster.local", "fd00--5.default.pod")),
        new Case(
            "ipv4-mapped ipv6 pod keeps its colons",
            mapped,
            List.of(),
            List.of("::ffff:10-0-0-5.default.pod.cluster.local", "::ffff:10-0-0-5.default.pod")),
        new Case(
            "empty ip gives no names even with endpoints",
            noIp,
            List.of(endpoints("default", "web", List.of(address("", "", noIp)), List.of())),
            List.of()),
        new Case(
            "headless hostname replaces the ip and pod-name forms",
            WEB0,
            List.of(
                endpoints(
                    "default", "web", List.of(address("10.0.0.5", "db-host", WEB0)), List.of())),
            podIpNames("10-0-0-5", searchPath("web"), searchPath("db-host.web"))),
        new Case(
            "dotted hostname falls back to ip and pod-name forms",
            WEB0,
            List.of(
                endpoints("default", "web", List.of(address("10.0.0.5", "a.b", WEB0)), List.of())),
            podIpNames(
                "10-0-0-5",
                searchPath("web"),
                searchPath("10-0-0-5.web"),
                searchPath("web-0.web"))),
        new Case(
            "not-ready addresses count",
            WEB0,
            List.of(endpoints("default", "web", List.of(), List.of(mine))),
            podIpNames(
                "10-0-0-5",
                searchPath("web"),
                searchPath("10-0-0-5.web"),
                searchPath("web-0.web"))),
        new Case(
            "dotted pod name gets only the ip form",
            dotted,
            List.of(
                endpoints("default", "web", List.of(address("10.0.0.5", "", dotted)), List.of())),
            podIpNames("10-0-0-5", searchPath("web"), searchPath("10-0-0-5.web"))),
        new Case(
            "dotted service name is skipped",
            WEB0,
            List.of(endpoints("default", "my.web", List.of(mine), List.of())),
            podIpNames("10-0-0-5")),
        new Case(
            "endpoints of other pods are ignored",
            WEB0,
            List.of(
                endpoints("default", "api", List.of(address("10.0.0.9", "", other)), List.of())),
            podIpNames("10-0-0-5")),
        new Case(
            "same-named pod in another namespace is not a target",
            WEB0,
            List.of(
                endpoints(
                    "default", "web", List.of(address("10.0.0.5", "", elsewhere)), List.of())),
            podIpNames("10-0-0-5")),
        new Case(
            "endpoints of another namespace are ignored",
            WEB0,
            List.of(endpoints("prod", "web", List.of(mine), List.of())),
            podIpNames("10-0-0-5")),
        new Case(
            "targetRef of another kind is ignored",
            WEB0,
            List.of(
                endpoints(
                    "default",
                    "web",
                    List.of(
                        new EndpointsInfo.Address(
                            "10.0.0.5", "", "Node", "default", "web-0", "uid-web-0")),
                    List.of())),
            podIpNames("10-0-0-5")),
        new Case(
            "several services are merged, de-duplicated and sorted",
            WEB0,
            List.of(
                endpoints("default", "web", List.of(mine), List.of()),
                endpoints("default", "api", List.of(), List.of(mine)),
                endpoints("default", "web", List.of(mine), List.of(mine))),
            podIpNames(
                "10-0-0-5",
                searchPath("api"),
                searchPath("10-0-0-5.api"),
                searchPath("web-0.api"),
                searchPath("web"),
                searchPath("10-0-0-5.web"),
                searchPath("web-0.web"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void generatesUpstreamNames(Case c) {
    assertThat(PodDnsNames.of(c.pod(), c.endpoints(), ZONE)).isEqualTo(c.expected());
  }

  @Test
  void dropsNamesSpireWouldRefuseWithAWarning() {
    Workload mapped = pod("default", "web-0").ip("::ffff:10.0.0.5").build();
    List<String> warnings = new ArrayList<>();

    assertThat(PodDnsNames.of(mapped, List.of(), ZONE, warnings::add)).isEmpty();
    assertThat(warnings)
        .containsExactly(
            "pod default/web-0: dropped DNS name \"::ffff:10-0-0-5.default.pod.cluster.local\":"
                + " invalid label: ::ffff:10-0-0-5",
            "pod default/web-0: dropped DNS name \"::ffff:10-0-0-5.default.pod\":"
                + " invalid label: ::ffff:10-0-0-5");
  }

  @Test
  void validNamesPassThroughTheWarningVariantUnchanged() {
    EndpointsInfo web =
        endpoints("default", "web", List.of(address("10.0.0.5", "", WEB0)), List.of());
    List<String> warnings = new ArrayList<>();

    assertThat(PodDnsNames.of(WEB0, List.of(web), ZONE, warnings::add))
        .isEqualTo(PodDnsNames.of(WEB0, List.of(web), ZONE));
    assertThat(warnings).isEmpty();
  }

  private static List<String> searchPath(String prefix) {
    return List.of(
        prefix + ".default.svc." + ZONE, prefix + ".default.svc", prefix + ".default", prefix);
  }

  @SafeVarargs
  private static List<String> podIpNames(String munged, List<String>... endpointSets) {
    List<String> out = new ArrayList<>();
    out.add(munged + ".default.pod." + ZONE);
    out.add(munged + ".default.pod");
    TreeSet<String> rest = new TreeSet<>();
    for (List<String> set : endpointSets) {
      rest.addAll(set);
    }
    out.addAll(rest);
    return out;
  }
}
