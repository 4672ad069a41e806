package org.spireregistrar.core.dns;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * SPIRE's DNS-name validation ({@code x509util.ValidateDNS}, SPIRE 1.5), with its exact error
 * texts. The SPIRE server applies the same check to every entry's DNS names, so a name this class
 * refuses would make the whole entry fail to write.
 *
 * <p>Rules: the name is trimmed; empty → {@code empty or only whitespace}; over 255 bytes → {@code
 * length exceeded}; split on {@code .}, each label must be non-empty ({@code label is empty}), at
 * most 63 bytes ({@code label length exceeded: <label>}) and match {@code
 * ^[a-zA-Z0-9]([-]*[a-zA-Z0-9])+$} ({@code label does not match regex: <label>}). The regex needs
 * at least two characters, so one-letter labels and wildcards are refused, as SPIRE does.
 */
public final class DnsNameValidator {
  private DnsNameValidator() {}

  /**
   * The SPIRE error text for {@code name}, or empty when SPIRE accepts it.
   *
   * @param name a DNS name as it would be written into an entry
   * @return the first problem found, in SPIRE's words
   */
  public static Optional<String> problem(String name) {
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
      String problem = labelProblem(label);
      if (problem != null) {
        return Optional.of(problem);
      }
      if (dot < 0) {
        return Optional.empty();
      }
      start = dot + 1;
    }
  }

  /** Whether SPIRE accepts {@code name}. */
  public static boolean isValid(String name) {
    return problem(name).isEmpty();
  }

  private static String labelProblem(String label) {
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
