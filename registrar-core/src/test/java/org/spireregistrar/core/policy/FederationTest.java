package org.spireregistrar.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.TrustDomain;

class FederationTest {

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''                              | ''
          'a.org'                         | a.org
          'a.org,b.org'                   | a.org b.org
          'b.org,a.org'                   | b.org a.org
          'a.org, b.org'                  | a.org b.org
          '  a.org  ,\tb.org '            | a.org b.org
          'a.org,,b.org,'                 | a.org b.org
          ' , ,'                          | ''
          'a.org,a.org, a.org'            | a.org
          'b.org,a.org,b.org'             | b.org a.org
          'spiffe://a.org'                | a.org
          'spiffe://a.org/some/workload'  | a.org
          'x_y-z.0'                       | x_y-z.0
          """)
  void parsesTrimmedDistinctItemsInOrder(String value, String expected) {
    List<TrustDomain> want =
        expected.isEmpty()
            ? List.of()
            : Arrays.stream(expected.split(" ")).map(TrustDomain::new).toList();

    assertThat(Federation.parse(value)).isEqualTo(want);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          'A.org'               | invalid federated trust domain "A.org": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores
          'a.org, bad domain'   | invalid federated trust domain "bad domain": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores
          'spiffe://'           | invalid federated trust domain "spiffe://": trust domain is missing
          'a.org,spiffe://B.org' | invalid federated trust domain "spiffe://B.org": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores
          """)
  void refusesInvalidItemsNamingThem(String value, String message) {
    assertThatThrownBy(() -> Federation.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void absentAnnotationMeansNoFederation() {
    assertThat(Federation.of("Pod", "default", "web", Map.of("other", "a.org"))).isEmpty();
  }

  @Test
  void readsTheFederatesWithAnnotation() {
    assertThat(
            Federation.of(
                "Pod", "default", "web", Map.of("spiffe.io/federatesWith", "a.org, b.org")))
        .containsExactly(new TrustDomain("a.org"), new TrustDomain("b.org"));
  }

  @Test
  void rejectsTheObjectWhenTheAnnotationIsInvalid() {
    assertThatThrownBy(
            () -> Federation.of("Pod", "default", "web", Map.of(Federation.ANNOTATION, "A.org")))
        .isInstanceOfSatisfying(
            RejectedObjectException.class,
            e -> {
              assertThat(e.kind()).isEqualTo("Pod");
              assertThat(e.namespace()).isEqualTo("default");
              assertThat(e.name()).isEqualTo("web");
            })
        .hasMessage(
            "Pod default/web: annotation \"spiffe.io/federatesWith\": invalid federated trust"
                + " domain \"A.org\": trust domain characters are limited to lowercase letters,"
                + " numbers, dots, dashes, and underscores");
  }

  @Test
  void rejectsClusterScopedObjectsWithoutANamespace() {
    assertThatThrownBy(() -> Federation.of("Node", "", "n1", Map.of(Federation.ANNOTATION, "a b")))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessageStartingWith("Node n1: annotation \"spiffe.io/federatesWith\": ");
  }
}
