package org.spireregistrar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpiffeIdTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          spiffe://example.org                     | example.org | ''
          spiffe://example.org/ns/default/sa/web   | example.org | /ns/default/sa/web
          SPIFFE://td_1.example-x/a.b/c_d/E-9      | td_1.example-x | /a.b/c_d/E-9
          """)
  void parsesValidIds(String uri, String td, String path) {
    SpiffeId id = SpiffeId.parse(uri);
    assertThat(id.trustDomain().name()).isEqualTo(td);
    assertThat(id.path()).isEqualTo(path);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''                                 | cannot be empty
          http://example.org/a               | scheme is missing or invalid
          example.org/a                      | scheme is missing or invalid
          spiffe://                          | trust domain is missing
          spiffe:///a                        | trust domain is missing
          spiffe://Example.org/a             | trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores
          spiffe://ex ample.org              | trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores
          spiffe://example.org/              | path cannot have a trailing slash
          spiffe://example.org/a/            | path cannot have a trailing slash
          spiffe://example.org//a            | path cannot contain empty segments
          spiffe://example.org/a/./b         | path cannot contain dot segments
          spiffe://example.org/..            | path cannot contain dot segments
          spiffe://example.org/a b           | path segment characters are limited to letters, numbers, dots, dashes, and underscores
          spiffe://example.org/a%20b         | path segment characters are limited to letters, numbers, dots, dashes, and underscores
          """)
  void rejectsInvalidIdsWithGoSpiffeMessages(String uri, String message) {
    assertThatThrownBy(() -> SpiffeId.parse(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void pathWithoutLeadingSlashIsRejected() {
    assertThatThrownBy(() -> new SpiffeId(new TrustDomain("example.org"), "a"))
        .hasMessage("path must have a leading slash");
  }

  @Test
  void buildsFromSegmentsValidatingEach() {
    TrustDomain td = new TrustDomain("example.org");
    assertThat(SpiffeId.of(td, "ns", "default", "sa", "web"))
        .hasToString("spiffe://example.org/ns/default/sa/web");
    assertThatThrownBy(() -> SpiffeId.of(td, "a/b"))
        .hasMessage(
            "path segment characters are limited to letters, numbers, dots, dashes, and"
                + " underscores");
    assertThatThrownBy(() -> SpiffeId.of(td, "")).hasMessage("path cannot contain empty segments");
    assertThatThrownBy(() -> SpiffeId.of(td, "..")).hasMessage("path cannot contain dot segments");
    assertThat(SpiffeId.of(td, "root").append("n1")).hasToString("spiffe://example.org/root/n1");
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
    "spiffe://td/a/node, spiffe://td/a/node, true",
    "spiffe://td/a/node, spiffe://td/a/node/n1, true",
    "spiffe://td/a/node, spiffe://td/a/nodeX, false",
    "spiffe://td/a/node, spiffe://td/a/nodeX/n1, false",
    "spiffe://td/a/node, spiffe://other/a/node/n1, false",
    "spiffe://td/a/node, spiffe://td/a, false",
    "spiffe://td, spiffe://td/anything, true"
  })
  void containmentIsSegmentAware(String root, String other, boolean expected) {
    assertThat(SpiffeId.parse(root).contains(SpiffeId.parse(other))).isEqualTo(expected);
  }

  @Test
  void trustDomainParseTakesTheTrustDomainOfAnId() {
    assertThat(TrustDomain.parse("spiffe://example.org/x"))
        .isEqualTo(new TrustDomain("example.org"));
    assertThat(TrustDomain.parse("example.org").id()).hasToString("spiffe://example.org");
    assertThatThrownBy(() -> TrustDomain.parse("")).hasMessage("trust domain is missing");
    assertThatThrownBy(() -> TrustDomain.parse("EXAMPLE.org"))
        .hasMessage(
            "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and"
                + " underscores");
  }
}
