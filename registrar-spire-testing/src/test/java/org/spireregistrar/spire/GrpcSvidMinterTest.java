package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.MintedSvid;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.SvidMintException;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDRequest;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDResponse;
import org.spireregistrar.spire.proto.svid.v1.SVIDGrpc;
import org.spireregistrar.spire.proto.types.X509SVID;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/** GrpcSvidMinter against the in-memory SPIRE server over a real Unix socket. */
class GrpcSvidMinterTest {

  static final TrustDomain TD = new TrustDomain("example.org");
  static final String WEBHOOK_ID = "spiffe://example.org/k8s-workload-registrar/c1/webhook";
  static final GrpcEntryStore.Options FAST =
      GrpcEntryStore.Options.DEFAULTS
          .withRetry(new GrpcEntryStore.RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5)))
          .withSocketWait(Duration.ofSeconds(5));

  @TempDir Path dir;
  InMemorySpireServer spire;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startSpire() {
    spire =
        InMemorySpireServer.builder().trustDomain(TD).socketPath(dir.resolve("api.sock")).start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    spire.close();
  }

  GrpcEntryStore store() {
    GrpcEntryStore s = GrpcEntryStore.connect(spire.address(), "", FAST);
    closeables.add(s);
    return s;
  }

  @Test
  void mintsAnSvidForTheCsrSignedByTheServersCa() throws Exception {
    KeyPair keys = TestCsr.keys();

    MintedSvid svid =
        store()
            .svidMinter()
            .mint(TestCsr.csr(keys, WEBHOOK_ID, "k8s-workload-registrar.spire.svc"));

    X509Certificate leaf = svid.leaf();
    leaf.verify(spire.bundle().get(0).getPublicKey());
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(6, WEBHOOK_ID), List.of(2, "k8s-workload-registrar.spire.svc"));
    assertThat(Duration.between(svid.notBefore(), svid.notAfter()))
        .as("no TTL sent: the server's default X509-SVID TTL (1 h) applies")
        .isBetween(Duration.ofHours(1), Duration.ofHours(1).plusMinutes(1));
    assertThat(spire.counters().rpcs("MintX509SVID")).isEqualTo(1);
  }

  @Test
  void sharesTheEntryStoresConnection() throws Exception {
    GrpcEntryStore store = store();
    GrpcSvidMinter minter = store.svidMinter();
    store.create(
        List.of(
            EntrySpec.of(
                SpiffeId.of(TD, "w"), SpiffeId.of(TD, "node"), List.of(Selector.k8s("ns:a")))));

    minter.mint(TestCsr.csr(TestCsr.keys(), WEBHOOK_ID));

    assertThat(store.list(EntryFilter.ALL)).hasSize(1);
    store.close();
    assertThatThrownBy(() -> minter.mint(TestCsr.csr(TestCsr.keys(), WEBHOOK_ID)))
        .isInstanceOfSatisfying(
            SvidMintException.class,
            e -> {
              assertThat(e).hasMessage("unable to make Mint SVID Request: SPIRE client closed");
              assertThat(e.retryable()).isFalse();
            });
  }

  @Test
  void retriesAnUnavailableServer() throws Exception {
    spire.faults().failNextRpcs(2);

    MintedSvid svid = store().svidMinter().mint(TestCsr.csr(TestCsr.keys(), WEBHOOK_ID));

    assertThat(svid.chain()).hasSize(1);
    assertThat(spire.counters().rpcs("MintX509SVID")).isEqualTo(3);
  }

  @Test
  void aRefusalKeepsUpstreamsTextAndIsNotRetryable() throws Exception {
    byte[] foreign = TestCsr.csr(TestCsr.keys(), "spiffe://other.org/webhook");

    assertThatThrownBy(() -> store().svidMinter().mint(foreign))
        .isInstanceOfSatisfying(
            SvidMintException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith("unable to make Mint SVID Request: SPIRE server unix://")
                  .endsWith(
                      "MintX509SVID failed: INVALID_ARGUMENT: CSR URI SAN is invalid:"
                          + " \"spiffe://other.org/webhook\" is not a member of trust domain"
                          + " \"example.org\"");
              assertThat(e.retryable()).isFalse();
            });
    assertThat(spire.counters().rpcs("MintX509SVID")).isEqualTo(1);
  }

  @Test
  void aServerThatStaysDownIsReportedAsRetryable() throws Exception {
    spire.faults().setUnavailable(true);

    assertThatThrownBy(() -> store().svidMinter().mint(TestCsr.csr(TestCsr.keys(), WEBHOOK_ID)))
        .isInstanceOfSatisfying(
            SvidMintException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith("unable to make Mint SVID Request: ")
                  .contains("UNAVAILABLE")
                  .endsWith("(after 3 attempts)");
              assertThat(e.retryable()).isTrue();
            });
  }

  @Test
  void anEmptyChainIsAnError() throws Exception {
    String name = "empty-chain-" + System.nanoTime();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new SVIDGrpc.SVIDImplBase() {
                  @Override
                  public void mintX509SVID(
                      MintX509SVIDRequest request, StreamObserver<MintX509SVIDResponse> observer) {
                    observer.onNext(
                        MintX509SVIDResponse.newBuilder()
                            .setSvid(X509SVID.getDefaultInstance())
                            .build());
                    observer.onCompleted();
                  }
                })
            .build()
            .start();
    closeables.add(
        () -> {
          server.shutdownNow();
          server.awaitTermination(5, TimeUnit.SECONDS);
        });
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    GrpcEntryStore store = new GrpcEntryStore(channel, FAST);
    closeables.add(store);

    assertThatThrownBy(() -> store.svidMinter().mint(TestCsr.csr(TestCsr.keys(), WEBHOOK_ID)))
        .isInstanceOf(SvidMintException.class)
        .hasMessage("no certificates in Mint SVID Response");
  }
}
