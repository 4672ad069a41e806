package org.spireregistrar.spire;

import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.MintedSvid;
import org.spireregistrar.core.SvidMintException;
import org.spireregistrar.core.SvidMinter;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDRequest;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDResponse;
import org.spireregistrar.spire.proto.svid.v1.SVIDGrpc;

/**
 * The {@link SvidMinter} backed by a SPIRE Server's SVID API ({@code
 * spire.api.server.svid.v1.SVID/MintX509SVID}), on the connection of a {@link GrpcEntryStore} (made
 * with {@link GrpcEntryStore#svidMinter()}): the same Unix socket or mTLS channel, deadline,
 * retries of UNAVAILABLE and DEADLINE_EXCEEDED, and wait for a missing admin socket. No TTL is
 * sent, so the server's {@code default_x509_svid_ttl} applies (as upstream).
 *
 * <p>Errors keep upstream's texts: {@code unable to make Mint SVID Request: <reason>} when the call
 * fails, {@code no certificates in Mint SVID Response} for an empty chain. Thread-safe.
 */
public final class GrpcSvidMinter implements SvidMinter {

  private final GrpcEntryStore store;
  private final SVIDGrpc.SVIDBlockingStub stub;

  GrpcSvidMinter(GrpcEntryStore store) {
    this.store = Objects.requireNonNull(store, "store");
    this.stub = SVIDGrpc.newBlockingStub(store.channel());
  }

  @Override
  public MintedSvid mint(byte[] csr) {
    Objects.requireNonNull(csr, "csr");
    MintX509SVIDRequest request =
        MintX509SVIDRequest.newBuilder().setCsr(ByteString.copyFrom(csr)).build();
    long deadline = store.options().rpcDeadline().toMillis();
    MintX509SVIDResponse response;
    try {
      response =
          store.call(
              "MintX509SVID",
              () -> stub.withDeadlineAfter(deadline, TimeUnit.MILLISECONDS).mintX509SVID(request));
    } catch (EntryStoreException e) {
      throw new SvidMintException(
          "unable to make Mint SVID Request: " + e.getMessage(), e.retryable(), e);
    }
    int count = response.getSvid().getCertChainCount();
    if (count == 0) {
      // Defensive, as upstream: a server never answers OK without a certificate.
      throw new SvidMintException("no certificates in Mint SVID Response", true);
    }
    List<X509Certificate> chain = new ArrayList<>(count);
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (ByteString der : response.getSvid().getCertChainList()) {
        chain.add(
            (X509Certificate)
                factory.generateCertificate(new ByteArrayInputStream(der.toByteArray())));
      }
    } catch (CertificateException | ClassCastException e) {
      throw new SvidMintException(
          "unable to parse certificate "
              + (chain.size() + 1)
              + " of "
              + count
              + " in Mint SVID Response: "
              + e.getMessage(),
          false,
          e);
    }
    return new MintedSvid(chain);
  }
}
