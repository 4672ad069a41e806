package org.spireregistrar.core;

/**
 * Where X509-SVIDs are minted: a SPIRE server's SVID API ({@code MintX509SVID}), which needs admin
 * rights (the local admin socket, or an admin SVID over TCP). Crd mode mints its webhook serving
 * certificate with it (upstream §6.8).
 *
 * <p>Implementations are thread-safe. Transient failures (server unavailable, deadline) may be
 * retried inside the call, as every SPIRE call of the adapter is; what is left is a {@link
 * SvidMintException}.
 */
public interface SvidMinter {

  /**
   * Asks the server to sign {@code csr} with its default X509-SVID TTL.
   *
   * @param csr a DER PKCS#10 certification request with exactly one URI SAN, the SPIFFE ID in the
   *     server's trust domain, and any DNS SANs; signed by the key the certificate is for
   * @return the certificate chain, leaf first; never empty
   * @throws SvidMintException when nothing was minted ({@code unable to make Mint SVID Request:
   *     <reason>}, {@code no certificates in Mint SVID Response}, …)
   */
  MintedSvid mint(byte[] csr);
}
