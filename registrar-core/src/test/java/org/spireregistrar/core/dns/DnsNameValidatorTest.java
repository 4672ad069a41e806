package org.spireregistrar.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DnsNameValidatorTest {

  /** One name and what each rule set says about it ({@code null}: accepted). */
  record Case(String name, String input, String problem, String legacyProblem) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String L63 = "a".repeat(62) + "b";
  private static final String L64 = "a".repeat(63) + "b";
  private static final String N253 = String.join(".", L63, L63, L63, "a".repeat(61));

  static Stream<Case> cases() {
    return Stream.of(
        new Case("plain name", "example.com", null, null),
        new Case("upper case", "Web.Example.COM", null, null),
        new Case("dash inside", "web-0.default.svc", null, null),
        new Case("consecutive dashes", "fd00--5.default.pod", null, null),
        new Case("munged ip", "10-0-0-5.default.pod.cluster.local", null, null),
        new Case("digits only", "10.20", null, null),
        new Case(
            "surrounding whitespace",
            "  ab.cd\t",
            "invalid label:   ab", // current SPIRE does not trim
            null),
        new Case("empty", "", "empty or only whitespace", "empty or only whitespace"),
        new Case(
            "only whitespace", " \t\n", "empty or only whitespace", "empty or only whitespace"),
        new Case("one-letter label", "a.example.com", null, "label does not match regex: a"),
        new Case("one-letter name", "a", null, "label does not match regex: a"),
        new Case("one-letter namespace", "web.a.svc", null, "label does not match regex: a"),
        new Case("wildcard", "*.example.com", null, "label does not match regex: *"),
        new Case(
            "two wildcards",
            "*.*.example.com",
            "too many wildcards",
            "label does not match regex: *"),
        new Case(
            "wildcard not first",
            "web.*.example.com",
            "wildcard must be first label",
            "label does not match regex: *"),
        new Case(
            "partial wildcard label",
            "w*.example.com",
            "wildcard must be first label",
            "label does not match regex: w*"),
        new Case(
            "bare wildcard", "*", "wildcard must be first label", "label does not match regex: *"),
        new Case(
            "leading dash", "-ab.com", "invalid label: -ab", "label does not match regex: -ab"),
        new Case(
            "trailing dash", "ab-.com", "invalid label: ab-", "label does not match regex: ab-"),
        new Case(
            "underscore", "ab_cd.com", "invalid label: ab_cd", "label does not match regex: ab_cd"),
        new Case(
            "ipv4-mapped munge",
            "::ffff:10-0-0-5.ns.pod",
            "invalid label: ::ffff:10-0-0-5",
            "label does not match regex: ::ffff:10-0-0-5"),
        new Case(
            "colon inside label",
            "fd00::5.ns",
            "invalid label: fd00::5",
            "label does not match regex: fd00::5"),
        new Case(
            "non-ascii", "ébc.com", "DNS name must be ASCII", "label does not match regex: ébc"),
        new Case("empty label inside", "ab..cd", "label is empty", "label is empty"),
        new Case("leading dot", ".ab", "label is empty", "label is empty"),
        new Case("trailing dot", "ab.", "domain ends with dot", "label is empty"),
        new Case("label of 63", L63 + ".com", null, null),
        new Case(
            "label of 64",
            L64 + ".com",
            "label length exceeded: " + L64,
            "label length exceeded: " + L64),
        new Case(
            "label of 64 bytes in 32 chars",
            "é".repeat(32) + ".com",
            "DNS name must be ASCII",
            "label length exceeded: " + "é".repeat(32)),
        new Case("name of 253", N253, null, null),
        new Case("name of 254", N253 + "a", "length exceeded", null),
        new Case("name of 255", String.join(".", L63, L63, L63, L63), "length exceeded", null),
        new Case(
            "name of 256",
            String.join(".", L63, L63, L63, L63) + "x",
            "length exceeded",
            "length exceeded"),
        new Case(
            "length checked before labels",
            String.join(".", L64, L64, L64, L64),
            "length exceeded",
            "length exceeded"),
        new Case(
            "first bad label wins", "a.-b", "invalid label: -b", "label does not match regex: a"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validatesLikeCurrentSpire(Case c) {
    assertThat(DnsNameValidator.problem(c.input())).isEqualTo(Optional.ofNullable(c.problem()));
    assertThat(DnsNameValidator.isValid(c.input())).isEqualTo(c.problem() == null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validatesLikeSpireBefore19(Case c) {
    assertThat(DnsNameValidator.legacyProblem(c.input()))
        .isEqualTo(Optional.ofNullable(c.legacyProblem()));
    assertThat(DnsNameValidator.isValidLegacy(c.input())).isEqualTo(c.legacyProblem() == null);
  }
}
