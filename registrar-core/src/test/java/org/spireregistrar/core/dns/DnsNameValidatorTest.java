package org.spireregistrar.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DnsNameValidatorTest {

  record Case(String name, String input, String problem) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String L63 = "a".repeat(62) + "b";
  private static final String L64 = "a".repeat(63) + "b";

  static Stream<Case> cases() {
    return Stream.of(
        new Case("plain name", "example.com", null),
        new Case("upper case", "Web.Example.COM", null),
        new Case("dash inside", "web-0.default.svc", null),
        new Case("consecutive dashes", "fd00--5.default.pod", null),
        new Case("munged ip", "10-0-0-5.default.pod.cluster.local", null),
        new Case("digits only", "10.20", null),
        new Case("surrounding whitespace is trimmed", "  ab.cd\t", null),
        new Case("empty", "", "empty or only whitespace"),
        new Case("only whitespace", " \t\n", "empty or only whitespace"),
        new Case("one-letter label", "a.example.com", "label does not match regex: a"),
        new Case("one-letter name", "a", "label does not match regex: a"),
        new Case("wildcard", "*.example.com", "label does not match regex: *"),
        new Case("leading dash", "-ab.com", "label does not match regex: -ab"),
        new Case("trailing dash", "ab-.com", "label does not match regex: ab-"),
        new Case("underscore", "ab_cd.com", "label does not match regex: ab_cd"),
        new Case(
            "ipv4-mapped munge",
            "::ffff:10-0-0-5.ns.pod",
            "label does not match regex: ::ffff:10-0-0-5"),
        new Case("colon inside label", "fd00::5.ns", "label does not match regex: fd00::5"),
        new Case("non-ascii", "ébc.com", "label does not match regex: ébc"),
        new Case("empty label inside", "ab..cd", "label is empty"),
        new Case("leading dot", ".ab", "label is empty"),
        new Case("trailing dot", "ab.", "label is empty"),
        new Case("label of 63", L63 + ".com", null),
        new Case("label of 64", L64 + ".com", "label length exceeded: " + L64),
        new Case(
            "label of 64 bytes in 32 chars",
            "é".repeat(32) + ".com",
            "label length exceeded: " + "é".repeat(32)),
        new Case("name of 255", String.join(".", L63, L63, L63, L63), null),
        new Case("name of 256", String.join(".", L63, L63, L63, L63) + "x", "length exceeded"),
        new Case(
            "length checked before labels",
            String.join(".", L64, L64, L64, L64),
            "length exceeded"),
        new Case("first bad label wins", "a.-b", "label does not match regex: a"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validatesLikeSpire(Case c) {
    assertThat(DnsNameValidator.problem(c.input())).isEqualTo(Optional.ofNullable(c.problem()));
    assertThat(DnsNameValidator.isValid(c.input())).isEqualTo(c.problem() == null);
  }
}
