package org.spireregistrar.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.core.entry.Fixtures.TD;
import static org.spireregistrar.core.entry.Fixtures.config;
import static org.spireregistrar.core.entry.Fixtures.pod;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.model.Workload;

class IdPolicyTest {
  private static final String CHARS =
      "path segment characters are limited to letters, numbers, dots, dashes, and underscores";

  @Test
  void serviceAccountPolicyUsesNamespaceAndServiceAccount() {
    Workload web = pod("prod", "web-0").sa("web-sa").build();

    assertThat(new ServiceAccountIdPolicy(TD).workloadId(web))
        .contains(SpiffeId.parse("spiffe://example.org/ns/prod/sa/web-sa"));
  }

  @ParameterizedTest(name = "service account \"{0}\"")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''     | Pod default/web: service account "": path cannot contain empty segments
          'a b'  | Pod default/web: service account "a b": path segment characters are limited to letters, numbers, dots, dashes, and underscores
          'a/b'  | Pod default/web: service account "a/b": path segment characters are limited to letters, numbers, dots, dashes, and underscores
          '..'   | Pod default/web: service account "..": path cannot contain dot segments
          """)
  void serviceAccountPolicyRejectsValuesThatAreNoSegment(String sa, String message) {
    Workload web = pod("default", "web").sa(sa).build();

    assertThatThrownBy(() -> new ServiceAccountIdPolicy(TD).workloadId(web))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessage(message);
  }

  record ValueCase(String name, String value, String expectedPath, String problem) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<ValueCase> valueCases() {
    return Stream.of(
        new ValueCase("single segment", "web", "/web", null),
        new ValueCase(
            "slash inside is allowed",
            "production/example-workload",
            "/production/example-workload",
            null),
        new ValueCase("dots dashes underscores", "a.b-c_d", "/a.b-c_d", null),
        new ValueCase("percent is not formatted", "a%b", null, CHARS),
        new ValueCase("space", "a b", null, CHARS),
        new ValueCase("empty value", "", null, "path cannot have a trailing slash"),
        new ValueCase("trailing slash", "a/", null, "path cannot have a trailing slash"),
        new ValueCase("leading slash", "/a", null, "path cannot contain empty segments"),
        new ValueCase("double slash", "a//b", null, "path cannot contain empty segments"),
        new ValueCase("dot segment", "a/./b", null, "path cannot contain dot segments"),
        new ValueCase("dot-dot segment", "..", null, "path cannot contain dot segments"),
        new ValueCase("non-ascii", "café", null, CHARS));
  }

  @ParameterizedTest(name = "label: {0}")
  @MethodSource("valueCases")
  void labelPolicyUsesTheWholeValueAsAPath(ValueCase c) {
    IdPolicy policy = new LabelIdPolicy(TD, "spire-workload");
    Workload web = pod("default", "web").label("spire-workload", c.value()).build();

    if (c.problem() == null) {
      assertThat(policy.workloadId(web))
          .contains(SpiffeId.parse("spiffe://example.org" + c.expectedPath()));
    } else {
      assertThatThrownBy(() -> policy.workloadId(web))
          .isInstanceOf(RejectedObjectException.class)
          .hasMessage(
              "Pod default/web: pod label \"spire-workload\" value \""
                  + c.value()
                  + "\": "
                  + c.problem());
    }
  }

  @ParameterizedTest(name = "annotation: {0}")
  @MethodSource("valueCases")
  void annotationPolicyUsesTheWholeValueAsAPath(ValueCase c) {
    IdPolicy policy = new AnnotationIdPolicy(TD, "spiffe.io/spiffe-id");
    Workload web = pod("default", "web").annotation("spiffe.io/spiffe-id", c.value()).build();

    if (c.problem() == null) {
      assertThat(policy.workloadId(web))
          .contains(SpiffeId.parse("spiffe://example.org" + c.expectedPath()));
    } else {
      assertThatThrownBy(() -> policy.workloadId(web))
          .isInstanceOf(RejectedObjectException.class)
          .hasMessage(
              "Pod default/web: pod annotation \"spiffe.io/spiffe-id\" value \""
                  + c.value()
                  + "\": "
                  + c.problem());
    }
  }

  @Test
  void labelPolicyDoesNotApplyWithoutTheLabel() {
    Workload web =
        pod("default", "web").annotation("spire-workload", "x").label("other", "x").build();

    assertThat(new LabelIdPolicy(TD, "spire-workload").workloadId(web)).isEmpty();
  }

  @Test
  void annotationPolicyDoesNotApplyWithoutTheAnnotation() {
    Workload web = pod("default", "web").label("spiffe.io/spiffe-id", "x").build();

    assertThat(new AnnotationIdPolicy(TD, "spiffe.io/spiffe-id").workloadId(web)).isEmpty();
  }

  @ParameterizedTest(name = "{0} label={1} annotation={2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          WEBHOOK   | ''   | ''   | ServiceAccountIdPolicy
          WEBHOOK   | lbl  | ''   | LabelIdPolicy
          WEBHOOK   | ''   | ann  | AnnotationIdPolicy
          WEBHOOK   | lbl  | ann  | LabelIdPolicy
          RECONCILE | ''   | ''   | ServiceAccountIdPolicy
          RECONCILE | lbl  | ''   | LabelIdPolicy
          RECONCILE | ''   | ann  | AnnotationIdPolicy
          CRD       | lbl  | ''   | LabelIdPolicy
          CRD       | ''   | ann  | AnnotationIdPolicy
          """)
  void forConfigChoosesThePolicyOfTheMode(
      Mode mode, String label, String annotation, String expected) {
    IdPolicy policy =
        IdPolicy.forConfig(config(mode).podLabel(label).podAnnotation(annotation).build());

    assertThat(policy.getClass().getSimpleName()).isEqualTo(expected);
  }

  @Test
  void forConfigKeysThePolicyOnTheConfiguredNames() {
    IdPolicy policy =
        IdPolicy.forConfig(config(Mode.RECONCILE).podAnnotation("spiffe.io/id").build());
    Workload web = pod("default", "web").annotation("spiffe.io/id", "team/web").build();

    assertThat(policy.workloadId(web))
        .isEqualTo(Optional.of(SpiffeId.parse("spiffe://example.org/team/web")));
  }
}
