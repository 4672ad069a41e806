package org.spireregistrar.crd.webhook;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.spireregistrar.core.MintedSvid;
import org.spireregistrar.core.SvidMinter;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.GrpcEntryStore;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/**
 * The in-memory SPIRE server on a real Unix socket, with the production {@code GrpcEntryStore} and
 * {@code GrpcSvidMinter} talking to it.
 */
final class SpireFixture implements AutoCloseable {
  static final TrustDomain TD = new TrustDomain("example.org");
  static final String CLUSTER = "test-cluster";
  static final String NAMESPACE = "spire";
  static final String SERVICE = "k8s-workload-registrar";
  static final String DNS_NAME = "k8s-workload-registrar.spire.svc";
  static final String WEBHOOK_ID =
      "spiffe://example.org/k8s-workload-registrar/test-cluster/webhook";

  static final GrpcEntryStore.Options FAST =
      GrpcEntryStore.Options.DEFAULTS
          .withRetry(new GrpcEntryStore.RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2)))
          .withSocketWait(Duration.ofSeconds(5));

  final InMemorySpireServer spire;
  final GrpcEntryStore store;
  final RecordingMinter minter;

  SpireFixture(Path socket, Clock clock) {
    spire = InMemorySpireServer.builder().trustDomain(TD).socketPath(socket).clock(clock).start();
    store = GrpcEntryStore.connect(spire.address(), "", FAST);
    minter = new RecordingMinter(store.svidMinter());
  }

  /** Settings for a certificate directory. */
  static WebhookCertificates.Settings settings(Path certDir) {
    return new WebhookCertificates.Settings(certDir, TD, CLUSTER, SERVICE, NAMESPACE);
  }

  /** A TLS client context that trusts exactly the SPIRE server's bundle. */
  SSLContext trustingBundle() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (X509Certificate ca : spire.bundle()) {
      trust.setCertificateEntry("spire-" + i++, ca);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  @Override
  public void close() {
    store.close();
    spire.close();
  }

  /** Records every CSR it passes on. */
  static final class RecordingMinter implements SvidMinter {
    private final SvidMinter delegate;
    final List<byte[]> csrs = new ArrayList<>();

    RecordingMinter(SvidMinter delegate) {
      this.delegate = delegate;
    }

    @Override
    public synchronized MintedSvid mint(byte[] csr) {
      csrs.add(csr.clone());
      return delegate.mint(csr);
    }

    synchronized int calls() {
      return csrs.size();
    }
  }
}
