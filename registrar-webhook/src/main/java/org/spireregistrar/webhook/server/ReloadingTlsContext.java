package org.spireregistrar.webhook.server;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.Objects;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link SSLContext} whose key and trust managers read the current generation of a server's TLS
 * files, so new handshakes use new files without a restart. {@link #reloadIfChanged()} swaps the
 * generation when the files' contents change; a change that does not parse is logged and the
 * current generation kept.
 *
 * <p>Client certificates are verified with PKIX against the CA file at the {@link Clock}'s time,
 * without revocation checks, and must allow client authentication (extended key usage {@code
 * clientAuth} or none) — what Go's {@code RequireAndVerifyClientCert} accepts. No name in the
 * client certificate is checked (upstream §4.4).
 */
final class ReloadingTlsContext {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingTlsContext.class);
  private static final String ALIAS = "server";

  private final TlsFiles files;
  private final Clock clock;
  private final SSLContext sslContext;
  private volatile TlsMaterial current;
  private TlsMaterial.Source lastRejected;

  /**
   * Loads the files.
   *
   * @throws ServerStartException with upstream's text when a file cannot be used
   */
  ReloadingTlsContext(TlsFiles files, Clock clock) {
    this.files = Objects.requireNonNull(files, "files");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.current = TlsMaterial.load(files);
    try {
      sslContext = SSLContext.getInstance("TLS");
      TrustManager[] trust =
          files.verifiesClients() ? new TrustManager[] {new CurrentTrustManager()} : null;
      sslContext.init(new KeyManager[] {new CurrentKeyManager()}, trust, null);
    } catch (GeneralSecurityException e) {
      throw new ServerStartException("unable to set up TLS: " + e.getMessage(), e);
    }
  }

  SSLContext sslContext() {
    return sslContext;
  }

  TlsFiles files() {
    return files;
  }

  /** The server certificate handshakes present now. */
  X509Certificate certificate() {
    return current.chain()[0];
  }

  /**
   * Re-reads the files and switches to them if their contents changed and they parse.
   *
   * @return whether a new generation is now in use
   */
  synchronized boolean reloadIfChanged() {
    TlsMaterial.Source source;
    try {
      source = TlsMaterial.read(files);
    } catch (ServerStartException e) {
      // Mid-rotation a file can be briefly missing; keep serving with what we have.
      warnOnce(null, e);
      return false;
    }
    if (source.sameAs(current.source())) {
      return false;
    }
    if (lastRejected != null && source.sameAs(lastRejected)) {
      return false;
    }
    try {
      current = TlsMaterial.parse(files, source);
    } catch (ServerStartException e) {
      warnOnce(source, e);
      return false;
    }
    lastRejected = null;
    LOG.info(
        "Reloaded TLS certificates: cert_path={} subject=\"{}\" not_after={}",
        files.certificate(),
        certificate().getSubjectX500Principal().getName(),
        certificate().getNotAfter().toInstant());
    return true;
  }

  private void warnOnce(TlsMaterial.Source rejected, ServerStartException e) {
    if (rejected == null || lastRejected == null || !rejected.sameAs(lastRejected)) {
      LOG.warn("Keeping the current TLS certificates: {}", e.getMessage());
    }
    lastRejected = rejected;
  }

  /** Serves the current generation's key and chain. */
  private final class CurrentKeyManager extends X509ExtendedKeyManager {

    private boolean usable(String keyType) {
      return keyType == null || keyType.equals(current.key().getAlgorithm());
    }

    private String alias(String keyType) {
      return usable(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return alias(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return alias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return usable(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? current.chain() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? current.key() : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  /** Verifies client chains against the current generation's CAs at the clock's time. */
  private final class CurrentTrustManager extends X509ExtendedTrustManager {

    private X509ExtendedTrustManager delegate() throws CertificateException {
      try {
        PKIXBuilderParameters params =
            new PKIXBuilderParameters(current.anchors(), new X509CertSelector());
        params.setRevocationEnabled(false);
        params.setDate(Date.from(clock.instant()));
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(new CertPathTrustManagerParameters(params));
        for (TrustManager tm : factory.getTrustManagers()) {
          if (tm instanceof X509ExtendedTrustManager x509) {
            return x509;
          }
        }
        throw new CertificateException("no X.509 trust manager available");
      } catch (InvalidAlgorithmParameterException | java.security.NoSuchAlgorithmException e) {
        throw new CertificateException("cannot verify client certificates: " + e.getMessage(), e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("this trust manager only verifies clients");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("this trust manager only verifies clients");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("this trust manager only verifies clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.clientCas().toArray(new X509Certificate[0]);
    }
  }
}
