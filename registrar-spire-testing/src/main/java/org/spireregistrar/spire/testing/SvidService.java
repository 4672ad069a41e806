package org.spireregistrar.spire.testing;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.spire.ProtoMapping;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDRequest;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDResponse;
import org.spireregistrar.spire.proto.svid.v1.SVIDGrpc;
import org.spireregistrar.spire.proto.types.X509SVID;

/** {@code spire.api.server.svid.v1.SVID/MintX509SVID}, signed by the in-memory CA. */
final class SvidService extends SVIDGrpc.SVIDImplBase {

  /** SPIRE's {@code default_x509_svid_ttl}. */
  static final Duration DEFAULT_TTL = Duration.ofHours(1);

  private final InMemoryCa ca;
  private final SpireRules rules;
  private final RpcGuard guard;

  SvidService(InMemoryCa ca, SpireRules rules, RpcGuard guard) {
    this.ca = ca;
    this.rules = rules;
    this.guard = guard;
  }

  @Override
  public void mintX509SVID(
      MintX509SVIDRequest request, StreamObserver<MintX509SVIDResponse> observer) {
    guard.unary(
        "MintX509SVID",
        observer,
        () -> {
          InMemoryCa.Csr csr;
          try {
            csr = InMemoryCa.parseCsr(request.getCsr().toByteArray());
          } catch (IllegalArgumentException e) {
            throw RpcGuard.invalidArgument(e.getMessage());
          }
          if (csr.uris().isEmpty()) {
            throw RpcGuard.invalidArgument("CSR URI SAN is required");
          }
          if (csr.uris().size() > 1) {
            throw RpcGuard.invalidArgument("only one URI SAN is expected");
          }
          SpiffeId id;
          try {
            id = SpiffeId.parse(csr.uris().get(0));
          } catch (IllegalArgumentException e) {
            throw RpcGuard.invalidArgument("CSR URI SAN is invalid: " + e.getMessage());
          }
          rules
              .workloadIdProblem(ProtoMapping.toProto(id))
              .ifPresent(
                  p -> {
                    throw RpcGuard.invalidArgument("CSR URI SAN is invalid: " + p);
                  });
          if (request.getTtl() < 0) {
            throw RpcGuard.invalidArgument("TTL cannot be negative");
          }
          Duration ttl = request.getTtl() == 0 ? DEFAULT_TTL : Duration.ofSeconds(request.getTtl());
          X509Certificate cert = ca.sign(id, csr.publicKey(), csr.dnsNames(), ttl);
          try {
            return MintX509SVIDResponse.newBuilder()
                .setSvid(
                    X509SVID
                        .newBuilder()
                        .addCertChain(ByteString.copyFrom(cert.getEncoded()))
                        .setId(ProtoMapping.toProto(id))
                        .setExpiresAt(cert.getNotAfter().toInstant().getEpochSecond()))
                .build();
          } catch (CertificateEncodingException e) {
            throw Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException();
          }
        });
  }
}
