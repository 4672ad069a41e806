package org.spireregistrar.webhook.server;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.spireregistrar.core.config.WebhookConfig;

/**
 * The PEM files of a TLS server.
 *
 * @param certificate the server certificate, followed by any intermediates
 * @param privateKey the server key: PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or
 *     SEC1 {@code EC PRIVATE KEY}
 * @param clientCa the CA certificates client certificates must chain to; empty when clients are not
 *     asked for a certificate
 */
public record TlsFiles(Path certificate, Path privateKey, Optional<Path> clientCa) {

  public TlsFiles {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(clientCa, "clientCa");
  }

  /**
   * The files webhook mode reads: {@code cert_path}, {@code key_path}, and {@code cacert_path}
   * unless {@code insecure_skip_client_verification}.
   */
  public static TlsFiles of(WebhookConfig config) {
    return new TlsFiles(
        Path.of(config.certPath()),
        Path.of(config.keyPath()),
        config.insecureSkipClientVerification()
            ? Optional.empty()
            : Optional.of(Path.of(config.cacertPath())));
  }

  /** Whether clients must present a certificate that chains to {@link #clientCa()}. */
  public boolean verifiesClients() {
    return clientCa.isPresent();
  }
}
