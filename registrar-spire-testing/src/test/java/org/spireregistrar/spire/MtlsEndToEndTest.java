package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDRequest;
import org.spireregistrar.spire.proto.svid.v1.SVIDGrpc;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * A TCP server address: GrpcEntryStore takes its X509-SVID and bundle from a (fake) agent's
 * Workload API through java-spiffe and talks mTLS to the in-memory SPIRE's TCP listener, which
 * requires a client certificate and an admin caller.
 */
class MtlsEndToEndTest {

  static final TrustDomain TD = new TrustDomain("example.org");
  static final SpiffeId REGISTRAR = SpiffeId.of(TD, "k8s-workload-registrar");
  static final GrpcEntryStore.Options OPTIONS =
      GrpcEntryStore.Options.DEFAULTS
          .withRetry(new GrpcEntryStore.RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5)))
          .withSocketWait(Duration.ofSeconds(10));

  @TempDir Path dir;
  InMemorySpireServer spire;

  @BeforeEach
  void start() {
    spire =
        InMemorySpireServer.builder()
            .trustDomain(TD)
            .inProcessName("mtls-" + System.nanoTime())
            .tcpPort(0)
            .adminId(REGISTRAR)
            .start();
  }

  @AfterEach
  void stop() {
    spire.close();
  }

  /** The agent's answer for {@code id}: an SVID minted by the server, and the server's bundle. */
  org.spireregistrar.spire.fakeagent.proto.X509SVIDResponse svidFor(SpiffeId id) throws Exception {
    KeyPair keys = TestCsr.keys();
    ManagedChannel local = spire.newInProcessChannel();
    try {
      var svid =
          SVIDGrpc.newBlockingStub(local)
              .mintX509SVID(
                  MintX509SVIDRequest.newBuilder()
                      .setCsr(ByteString.copyFrom(TestCsr.csr(keys, id.toString())))
                      .build())
              .getSvid();
      X509Certificate leaf =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(svid.getCertChain(0).toByteArray()));
      return FakeWorkloadApi.response(
          id.toString(), List.of(leaf), keys.getPrivate(), spire.bundle());
    } finally {
      local.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static EntrySpec pod() {
    return EntrySpec.of(
        SpiffeId.of(TD, "ns", "default", "sa", "web"),
        SpiffeId.of(TD, "k8s-workload-registrar", "c1", "node", "n1"),
        List.of(Selector.k8s("ns:default"), Selector.k8s("sa:web")));
  }

  @Test
  void writesAndListsOverMutualTlsWithTheAgentsSvid() throws Exception {
    Path agentSocket = dir.resolve("agent.sock");
    try (FakeWorkloadApi agent = new FakeWorkloadApi(agentSocket, svidFor(REGISTRAR));
        GrpcEntryStore store =
            GrpcEntryStore.connect(spire.tcpAddress(), agentSocket.toString(), OPTIONS)) {

      List<EntryResult> created = store.create(List.of(pod()));

      assertThat(created).extracting(EntryResult::code).containsExactly(EntryResult.Code.OK);
      assertThat(store.list(EntryFilter.ALL)).hasSize(1);
      assertThat(spire.counters().rpcs("BatchCreateEntry")).isEqualTo(1);
      assertThat(agent.fetches()).isEqualTo(1);
    }
  }

  @Test
  void aCallerWithoutAdminRightsIsRefused() throws Exception {
    Path agentSocket = dir.resolve("agent.sock");
    SpiffeId stranger = SpiffeId.of(TD, "ns", "default", "sa", "stranger");
    try (FakeWorkloadApi agent = new FakeWorkloadApi(agentSocket, svidFor(stranger));
        GrpcEntryStore store =
            GrpcEntryStore.connect(spire.tcpAddress(), agentSocket.toString(), OPTIONS)) {

      assertThatThrownBy(() -> store.list(EntryFilter.ALL))
          .isInstanceOfSatisfying(
              EntryStoreException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage())
                    .endsWith(
                        "ListEntries failed: PERMISSION_DENIED: authorization denied for method"
                            + " /spire.api.server.entry.v1.Entry/ListEntries");
              });
      assertThat(agent.fetches()).isEqualTo(1);
    }
  }

  @Test
  void anAgentThatNeverAnswersFailsTheConnect() {
    Path nowhere = dir.resolve("no-agent.sock");

    assertThatThrownBy(
            () ->
                GrpcEntryStore.connect(
                    spire.tcpAddress(),
                    nowhere.toString(),
                    OPTIONS.withSocketWait(Duration.ofMillis(300))))
        .isInstanceOfSatisfying(
            EntryStoreException.class,
            e ->
                assertThat(e.getMessage())
                    .startsWith(
                        "failed to dial server: no X509-SVID from the agent at unix://" + nowhere));
  }
}
