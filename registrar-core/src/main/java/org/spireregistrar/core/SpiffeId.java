package org.spireregistrar.core;

import java.util.Objects;

/**
 * {@code spiffe://<trust domain><path>} with the rules of the SPIFFE ID specification as go-spiffe
 * v2 enforces them: the path is empty or {@code /seg(/seg)*}, segments are non-empty, not {@code .}
 * or {@code ..}, and made of letters, digits, dots, dashes and underscores.
 */
public record SpiffeId(TrustDomain trustDomain, String path) implements Comparable<SpiffeId> {

  // equals and hashCode by hand: the generated ones go through method handles, which showed in
  // profiles of a full pass (these are hash keys of every index the engine keeps).
  @Override
  public boolean equals(Object o) {
    return this == o
        || (o instanceof SpiffeId s && path.equals(s.path) && trustDomain.equals(s.trustDomain));
  }

  @Override
  public int hashCode() {
    return 31 * trustDomain.hashCode() + path.hashCode();
  }

  public SpiffeId {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(path, "path");
    String problem = pathProblem(path);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * Parses {@code spiffe://td/path}.
   *
   * @throws IllegalArgumentException with go-spiffe's message when the value is invalid
   */
  public static SpiffeId parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (uri.isEmpty()) {
      throw new IllegalArgumentException("cannot be empty");
    }
    String scheme = "spiffe://";
    if (!uri.regionMatches(true, 0, scheme, 0, scheme.length())) {
      throw new IllegalArgumentException("scheme is missing or invalid");
    }
    String rest = uri.substring(scheme.length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    if (td.isEmpty()) {
      throw new IllegalArgumentException("trust domain is missing");
    }
    return new SpiffeId(new TrustDomain(td), path);
  }

  /** An ID in {@code td} with a path made by joining {@code segments} (each validated). */
  public static SpiffeId of(TrustDomain td, String... segments) {
    StringBuilder path = new StringBuilder();
    for (String segment : segments) {
      String problem = segmentProblem(segment);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      path.append('/').append(segment);
    }
    return new SpiffeId(td, path.toString());
  }

  /** This ID with {@code segments} appended to the path (each validated as one segment). */
  public SpiffeId append(String... segments) {
    SpiffeId tail = of(trustDomain, segments);
    return new SpiffeId(trustDomain, path + tail.path);
  }

  /**
   * True when {@code other} is this ID or lies under it, segment-aware: {@code /a/node} contains
   * {@code /a/node/n1} but not {@code /a/nodeX}.
   */
  public boolean contains(SpiffeId other) {
    if (!trustDomain.equals(other.trustDomain)) {
      return false;
    }
    if (other.path.equals(path)) {
      return true;
    }
    return other.path.startsWith(path) && other.path.charAt(path.length()) == '/';
  }

  /** The go-spiffe error text for a path, or {@code null} when the path is valid. */
  public static String pathProblem(String path) {
    if (path.isEmpty()) {
      return null;
    }
    if (path.charAt(0) != '/') {
      return "path must have a leading slash";
    }
    int start = 1;
    while (true) {
      int end = path.indexOf('/', start);
      String segment = end < 0 ? path.substring(start) : path.substring(start, end);
      if (segment.isEmpty()) {
        return end < 0 ? "path cannot have a trailing slash" : "path cannot contain empty segments";
      }
      String problem = segmentProblem(segment);
      if (problem != null || end < 0) {
        return problem;
      }
      start = end + 1;
    }
  }

  /** The error text for one path segment, or {@code null} when it is valid. */
  public static String segmentProblem(String segment) {
    if (segment == null || segment.isEmpty()) {
      return "path cannot contain empty segments";
    }
    if (segment.equals(".") || segment.equals("..")) {
      return "path cannot contain dot segments";
    }
    for (int i = 0; i < segment.length(); i++) {
      if (!isPathChar(segment.charAt(i))) {
        return "path segment characters are limited to letters, numbers, dots, dashes, and"
            + " underscores";
      }
    }
    return null;
  }

  static boolean isPathChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_';
  }

  @Override
  public int compareTo(SpiffeId other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public String toString() {
    return "spiffe://" + trustDomain.name() + path;
  }
}
