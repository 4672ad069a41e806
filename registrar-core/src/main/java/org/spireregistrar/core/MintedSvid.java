package org.spireregistrar.core;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An X509-SVID a SPIRE server minted: the certificate chain, leaf first, as {@code
 * MintX509SVIDResponse.svid.cert_chain} carries it. The private key stays with whoever made the
 * request.
 *
 * @param chain the leaf followed by any intermediates; not empty
 */
public record MintedSvid(List<X509Certificate> chain) {

  /**
   * @throws IllegalArgumentException when {@code chain} is empty
   */
  public MintedSvid {
    chain = List.copyOf(Objects.requireNonNull(chain, "chain"));
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("an X509-SVID needs at least one certificate");
    }
  }

  /** The certificate the SVID is: the first of the chain. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The leaf's NotBefore. */
  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  /** The leaf's NotAfter: from then on the SVID is expired. */
  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /**
   * The middle of the leaf's validity, {@code NotBefore + (NotAfter − NotBefore) / 2}: when
   * upstream re-mints (upstream §6.8 step 6).
   */
  public Instant halfLife() {
    return notBefore().plus(Duration.between(notBefore(), notAfter()).dividedBy(2));
  }
}
