package org.spireregistrar.core.dns;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * SPIRE's DNS-name validation, in two versions: {@link #problem} applies current SPIRE's rules
 * (1.9.0 and later), {@link #legacyProblem} the rules of SPIRE before 1.9.0 ({@code
 * x509util.ValidateDNS}, SPIRE 1.5) with their exact error texts. The SPIRE server applies one of
 * them to every entry's DNS names, so a name it refuses would make the whole entry fail to write.
 *
 * <p>Current rules (SPIRE ≥ 1.9: ASCII only, no trailing dot, at most one wildcard as a whole
 * leading {@code *.} label, then a strict IDNA lookup with STD3 rules and DNS lengths): empty or
 * whitespace-only → {@code empty or only whitespace}; a trailing dot → {@code domain ends with
 * dot}; more than one {@code *} → {@code too many wildcards}; a {@code *} anywhere but a leading
 * {@code *.} label → {@code wildcard must be first label}; a non-ASCII character → {@code DNS name
 * must be ASCII}; over 253 characters → {@code length exceeded} (the DNS limit the IDNA profile
 * checks, trailing dot excluded); then each label (after the wildcard) must be non-empty ({@code
 * label is empty}), at most 63 characters ({@code label length exceeded: <label>}) and consist of
 * letters, digits and hyphens, neither starting nor ending with a hyphen ({@code invalid label:
 * <label>}). Single-character labels are accepted. Surrounding whitespace is not trimmed, so it is
 * refused as an invalid character.
 *
 * <p>Legacy rules (SPIRE &lt; 1.9): the name is trimmed; empty → {@code empty or only whitespace};
 * over 255 bytes → {@code length exceeded}; split on {@code .}, each label must be non-empty
 * ({@code label is empty}), at most 63 bytes ({@code label length exceeded: <label>}) and match
 * {@code ^[a-zA-Z0-9]([-]*[a-zA-Z0-9])+$} ({@code label does not match regex: <label>}). The regex
 * needs at least two characters, so one-letter labels and wildcards are refused.
 */
public final class DnsNameValidator {
  /** Longest name current SPIRE accepts, in characters (all ASCII), without a trailing dot. */
  static final int MAX_LENGTH = 253;

  private DnsNameValidator() {}

  /**
   * The reason current SPIRE (≥ 1.9.0) refuses {@code name}, or empty when it accepts it.
   *
   * @param name a DNS name as it would be written into an entry
   * @return the first problem found
   */
  public static Optional<String> problem(String name) {
    if (name.isBlank()) {
      return Optional.of("empty or only whitespace");
    }
    if (name.endsWith(".")) {
      return Optional.of("domain ends with dot");
    }
    int star = name.indexOf('*');
    if (star >= 0 && name.indexOf('*', star + 1) >= 0) {
      return Optional.of("too many wildcards");
    }
    String rest = name;
    if (star >= 0) {
      if (!name.startsWith("*.")) {
        return Optional.of("wildcard must be first label");
      }
      rest = name.substring(2);
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) >= 0x80) {
        return Optional.of("DNS name must be ASCII");
      }
    }
    if (name.length() > MAX_LENGTH) {
      return Optional.of("length exceeded");
    }
    int start = 0;
    while (true) {
      int dot = rest.indexOf('.', start);
      String label = dot < 0 ? rest.substring(start) : rest.substring(start, dot);
      String problem = currentLabelProblem(label);
      if (problem != null) {
        return Optional.of(problem);
      }
      if (dot < 0) {
        return Optional.empty();
      }
      start = dot + 1;
    }
  }

  /** Whether current SPIRE (≥ 1.9.0) accepts {@code name}. */
  public static boolean isValid(String name) {
    return problem(name).isEmpty();
  }

  /**
   * The error text SPIRE before 1.9.0 gives for {@code name}, or empty when it accepts it.
   *
   * @param name a DNS name as it would be written into an entry
   * @return the first problem found, in older SPIRE's words
   */
  public static Optional<String> legacyProblem(String name) {
    // Go's strings.TrimSpace; the trimmed value is what SPIRE goes on to check.
    String dns = name.strip();
    if (dns.isEmpty()) {
      return Optional.of("empty or only whitespace");
    }
    // Go's len() counts bytes.
    if (utf8Length(dns) > 255) {
      return Optional.of("length exceeded");
    }
    int start = 0;
    while (true) {
      int dot = dns.indexOf('.', start);
      String label = dot < 0 ? dns.substring(start) : dns.substring(start, dot);
      String problem = legacyLabelProblem(label);
      if (problem != null) {
        return Optional.of(problem);
      }
      if (dot < 0) {
        return Optional.empty();
      }
      start = dot + 1;
    }
  }

  /** Whether SPIRE before 1.9.0 accepts {@code name}. */
  public static boolean isValidLegacy(String name) {
    return legacyProblem(name).isEmpty();
  }

  private static String currentLabelProblem(String label) {
    if (label.isEmpty()) {
      return "label is empty";
    }
    int n = label.length();
    if (n > 63) {
      return "label length exceeded: " + label;
    }
    if (label.charAt(0) == '-' || label.charAt(n - 1) == '-') {
      return "invalid label: " + label;
    }
    for (int i = 0; i < n; i++) {
      char c = label.charAt(i);
      if (!isAlnum(c) && c != '-') {
        return "invalid label: " + label;
      }
    }
    return null;
  }

  private static String legacyLabelProblem(String label) {
    if (label.isEmpty()) {
      return "label is empty";
    }
    if (utf8Length(label) > 63) {
      return "label length exceeded: " + label;
    }
    if (!matchesLabelRegex(label)) {
      return "label does not match regex: " + label;
    }
    return null;
  }

  /** {@code ^[a-zA-Z0-9]([-]*[a-zA-Z0-9])+$}: 2+ chars, alphanumeric ends, dashes inside only. */
  private static boolean matchesLabelRegex(String label) {
    int n = label.length();
    if (n < 2 || !isAlnum(label.charAt(0)) || !isAlnum(label.charAt(n - 1))) {
      return false;
    }
    for (int i = 1; i < n - 1; i++) {
      char c = label.charAt(i);
      if (!isAlnum(c) && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static int utf8Length(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return s.length();
  }
}
