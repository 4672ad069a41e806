package org.spireregistrar.core.dns;

import java.util.Optional;

/** SPIRE's DNS-name validation ({@code x509util.ValidateDNS}). STUB: to be implemented. */
public final class DnsNameValidator {
  private DnsNameValidator() {}

  /** The SPIRE error text for {@code name}, or empty when SPIRE accepts it. */
  public static Optional<String> problem(String name) {
    return Optional.empty();
  }
}
