package org.spireregistrar.core;

import java.util.Objects;

/**
 * A SPIFFE trust domain name, e.g. {@code example.org}. Always normalised: the constructor only
 * accepts a bare name made of lowercase letters, digits, dots, dashes and underscores.
 */
public record TrustDomain(String name) implements Comparable<TrustDomain> {

  // equals and hashCode by hand: the generated ones go through method handles, which showed in
  // profiles of a full pass (these are hash keys of every index the engine keeps).
  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof TrustDomain t && name.equals(t.name));
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  public TrustDomain {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("trust domain is missing");
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isTrustDomainChar(name.charAt(i))) {
        throw new IllegalArgumentException(
            "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and"
                + " underscores");
      }
    }
  }

  /**
   * Parses a trust domain name, or a SPIFFE ID (any value containing {@code :/}) whose trust domain
   * is taken, as go-spiffe's {@code TrustDomainFromString} does.
   *
   * @throws IllegalArgumentException with go-spiffe's message when the value is invalid
   */
  public static TrustDomain parse(String value) {
    Objects.requireNonNull(value, "value");
    if (value.contains(":/")) {
      return SpiffeId.parse(value).trustDomain();
    }
    return new TrustDomain(value);
  }

  static boolean isTrustDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  /** The ID of this trust domain itself: {@code spiffe://<name>}. */
  public SpiffeId id() {
    return new SpiffeId(this, "");
  }

  @Override
  public int compareTo(TrustDomain other) {
    return name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return name;
  }
}
