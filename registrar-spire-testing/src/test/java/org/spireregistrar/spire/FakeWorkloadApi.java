package org.spireregistrar.spire;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.spireregistrar.spire.fakeagent.proto.SpiffeWorkloadAPIGrpc;
import org.spireregistrar.spire.fakeagent.proto.X509SVID;
import org.spireregistrar.spire.fakeagent.proto.X509SVIDRequest;
import org.spireregistrar.spire.fakeagent.proto.X509SVIDResponse;

/**
 * A SPIRE agent's Workload API for tests: serves FetchX509SVID on a Unix socket, streaming the
 * current SVID and pushing replacements ({@link #push}). Requires the {@code workload.spiffe.io:
 * true} header, as the agent does.
 */
final class FakeWorkloadApi implements AutoCloseable {

  private static final Metadata.Key<String> SECURITY_HEADER =
      Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<StreamObserver<X509SVIDResponse>> watchers = new CopyOnWriteArrayList<>();
  private final Server server;
  private volatile X509SVIDResponse current;

  FakeWorkloadApi(Path socket, X509SVIDResponse initial) throws IOException {
    this.current = initial;
    ServerInterceptor requireHeader =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            if (!"true".equals(headers.get(SECURITY_HEADER))) {
              call.close(
                  Status.INVALID_ARGUMENT.withDescription("security header missing from request"),
                  new Metadata());
              return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
          }
        };
    SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase service =
        new SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase() {
          @Override
          public void fetchX509SVID(
              X509SVIDRequest request, StreamObserver<X509SVIDResponse> observer) {
            watchers.add(observer);
            synchronized (observer) {
              observer.onNext(current);
            }
          }
        };
    server =
        NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(socket))
            .channelType(NioServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .addService(ServerInterceptors.intercept(service, requireHeader))
            .build()
            .start();
  }

  /** Streams {@code next} to every watcher (an SVID rotation). */
  void push(X509SVIDResponse next) {
    current = next;
    for (StreamObserver<X509SVIDResponse> w : watchers) {
      synchronized (w) {
        w.onNext(next);
      }
    }
  }

  /** One SVID with its chain, PKCS#8 key and the bundle of its trust domain. */
  static X509SVIDResponse response(
      String spiffeId, List<X509Certificate> chain, PrivateKey key, List<X509Certificate> bundle) {
    return X509SVIDResponse.newBuilder()
        .addSvids(
            X509SVID
                .newBuilder()
                .setSpiffeId(spiffeId)
                .setX509Svid(der(chain))
                .setX509SvidKey(ByteString.copyFrom(key.getEncoded()))
                .setBundle(der(bundle)))
        .build();
  }

  private static ByteString der(List<X509Certificate> certs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (X509Certificate c : certs) {
      try {
        out.writeBytes(c.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  /** How many FetchX509SVID streams were opened. */
  int fetches() {
    return watchers.size();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
