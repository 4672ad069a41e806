package org.spireregistrar.core.config;

/**
 * Syntax checks of names the configuration holds, without lookups: Kubernetes' DNS-1123 rules
 * (namespace names, the cluster DNS zone), with Kubernetes' own texts, and host names or address
 * literals of listen addresses.
 */
final class NetworkNames {
  private NetworkNames() {}

  private static final String LABEL_RULE =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and"
          + " must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')";
  private static final String SUBDOMAIN_RULE =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
          + " '.', and must start and end with an alphanumeric character (e.g. 'example.com')";

  /** Why {@code s} is not a DNS-1123 label (a namespace name), or null when it is. */
  static String labelProblem(String s) {
    if (s.length() > 63) {
      return "must be no more than 63 characters";
    }
    return isLabel(s, 0, s.length()) ? null : LABEL_RULE;
  }

  /**
   * Why {@code s} is not a DNS-1123 subdomain whose labels are at most 63 characters (what a DNS
   * zone must be for the names built in it to be valid), or null when it is.
   */
  static String subdomainProblem(String s) {
    if (s.length() > 253) {
      return "must be no more than 253 characters";
    }
    int start = 0;
    while (true) {
      int dot = s.indexOf('.', start);
      int end = dot < 0 ? s.length() : dot;
      if (!isLabel(s, start, end)) {
        return SUBDOMAIN_RULE;
      }
      if (end - start > 63) {
        return "each label must be no more than 63 characters";
      }
      if (dot < 0) {
        return null;
      }
      start = dot + 1;
    }
  }

  /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} over {@code s[start, end)}. */
  private static boolean isLabel(String s, int start, int end) {
    if (end <= start || s.charAt(start) == '-' || s.charAt(end - 1) == '-') {
      return false;
    }
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code host} can be the host of a listen address: empty (every interface), an IPv6
   * literal (with an optional {@code %zone}), or a host name or IPv4 address (dot-separated labels
   * of letters, digits, {@code -} and {@code _}, at most 253 characters, an optional final dot).
   */
  static boolean isHost(String host) {
    if (host.isEmpty()) {
      return true;
    }
    if (host.indexOf(':') >= 0) {
      int zone = host.indexOf('%');
      String address = zone < 0 ? host : host.substring(0, zone);
      if (zone >= 0 && zone == host.length() - 1) {
        return false;
      }
      for (int i = 0; i < address.length(); i++) {
        char c = address.charAt(i);
        if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
          return false;
        }
      }
      return true;
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    int labelLength = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.') {
        if (labelLength == 0) {
          return false;
        }
        labelLength = 0;
      } else if (c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
        if (++labelLength > 63) {
          return false;
        }
      } else {
        return false;
      }
    }
    return labelLength > 0;
  }
}
