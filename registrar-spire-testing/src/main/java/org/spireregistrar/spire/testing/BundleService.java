package org.spireregistrar.spire.testing;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateEncodingException;
import java.util.List;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.proto.bundle.v1.BundleGrpc;
import org.spireregistrar.spire.proto.bundle.v1.CountBundlesRequest;
import org.spireregistrar.spire.proto.bundle.v1.CountBundlesResponse;
import org.spireregistrar.spire.proto.bundle.v1.GetBundleRequest;
import org.spireregistrar.spire.proto.bundle.v1.GetFederatedBundleRequest;
import org.spireregistrar.spire.proto.bundle.v1.ListFederatedBundlesRequest;
import org.spireregistrar.spire.proto.bundle.v1.ListFederatedBundlesResponse;
import org.spireregistrar.spire.proto.types.Bundle;
import org.spireregistrar.spire.proto.types.BundleMask;
import org.spireregistrar.spire.proto.types.X509Certificate;

/**
 * The bundle lookups of {@code spire.api.server.bundle.v1.Bundle}: the server's own bundle (its
 * in-memory CA) and federated bundles, which are trust-domain names only (no authorities).
 */
final class BundleService extends BundleGrpc.BundleImplBase {

  private final EntryDatabase db;
  private final InMemoryCa ca;
  private final RpcGuard guard;

  BundleService(EntryDatabase db, InMemoryCa ca, RpcGuard guard) {
    this.db = db;
    this.ca = ca;
    this.guard = guard;
  }

  @Override
  public void countBundles(
      CountBundlesRequest request, StreamObserver<CountBundlesResponse> observer) {
    guard.unary(
        "CountBundles",
        observer,
        () -> CountBundlesResponse.newBuilder().setCount(1 + db.federatedBundles().size()).build());
  }

  @Override
  public void getBundle(GetBundleRequest request, StreamObserver<Bundle> observer) {
    guard.unary(
        "GetBundle",
        observer,
        () -> {
          Bundle.Builder b = Bundle.newBuilder().setTrustDomain(ca.trustDomain().name());
          BundleMask mask = request.hasOutputMask() ? request.getOutputMask() : null;
          if (mask == null || mask.getX509Authorities()) {
            try {
              b.addX509Authorities(
                  X509Certificate.newBuilder()
                      .setAsn1(ByteString.copyFrom(ca.certificate().getEncoded())));
            } catch (CertificateEncodingException e) {
              throw Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException();
            }
          }
          return b.build();
        });
  }

  @Override
  public void listFederatedBundles(
      ListFederatedBundlesRequest request, StreamObserver<ListFederatedBundlesResponse> observer) {
    guard.unary(
        "ListFederatedBundles",
        observer,
        () -> {
          List<String> all = db.federatedBundles();
          ListFederatedBundlesResponse.Builder b = ListFederatedBundlesResponse.newBuilder();
          int count = 0;
          for (String td : all) {
            if (request.getPageSize() > 0
                && !request.getPageToken().isEmpty()
                && td.compareTo(request.getPageToken()) <= 0) {
              continue;
            }
            b.addBundles(Bundle.newBuilder().setTrustDomain(td));
            count++;
            if (request.getPageSize() > 0 && count == request.getPageSize()) {
              b.setNextPageToken(td);
              break;
            }
          }
          return b.build();
        });
  }

  @Override
  public void getFederatedBundle(
      GetFederatedBundleRequest request, StreamObserver<Bundle> observer) {
    guard.unary(
        "GetFederatedBundle",
        observer,
        () -> {
          TrustDomain td;
          try {
            td = TrustDomain.parse(request.getTrustDomain());
          } catch (IllegalArgumentException e) {
            throw RpcGuard.invalidArgument("trust domain argument is not valid: " + e.getMessage());
          }
          if (td.equals(ca.trustDomain())) {
            throw RpcGuard.invalidArgument(
                "getting a federated bundle for the server's own trust domain is not allowed");
          }
          if (!db.hasFederatedBundle(td.name())) {
            throw Status.NOT_FOUND.withDescription("bundle not found").asRuntimeException();
          }
          return Bundle.newBuilder().setTrustDomain(td.name()).build();
        });
  }
}
