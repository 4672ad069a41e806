package org.spireregistrar.crd.webhook;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.spireregistrar.core.MintedSvid;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.webhook.review.AdmissionReviewCodec;
import org.spireregistrar.webhook.review.AdmissionReviewHandler;
import org.spireregistrar.webhook.server.AdmissionServer;
import org.spireregistrar.webhook.server.RequestListener;
import org.spireregistrar.webhook.server.ServerOptions;
import org.spireregistrar.webhook.server.ServerStartException;

/**
 * The SpiffeID validating webhook's HTTPS server (upstream §6.7): {@link SpiffeIdAdmission} on
 * {@value #PATH}, AdmissionReview {@code v1} and {@code v1beta1}, TLS 1.2 or newer with the {@link
 * WebhookCertificates}' files and no client certificate asked for (the API server does not present
 * one), reloading the files right after every rotation (and polling them). Runs on every replica,
 * leader or not. Thread-safe.
 */
public final class SpiffeIdWebhook implements AutoCloseable {
  /** The path the ValidatingWebhookConfiguration names. */
  public static final String PATH = "/validate-spiffeid-spiffe-io-v1beta1-spiffeid";

  private final AdmissionServer server;
  private final WebhookCertificates certificates;

  private SpiffeIdWebhook(AdmissionServer server, WebhookCertificates certificates) {
    this.server = server;
    this.certificates = certificates;
  }

  /** {@code :<webhook_port>} (all interfaces), e.g. {@code :9443}. */
  public static String listenAddress(CrdConfig config) {
    return ":" + config.webhookPort();
  }

  /**
   * Serves.
   *
   * @param addr a Go listen address, e.g. {@link #listenAddress(CrdConfig)} or {@code 127.0.0.1:0}
   * @param certificates started; their files are served and reloaded after each rotation
   * @param admission the decisions
   * @param options the server's limits and timeouts
   * @param clock the server's clock
   * @param listener told of every answer (metrics)
   * @throws ServerStartException with upstream's texts when the files cannot be used or {@code
   *     addr} cannot be bound
   */
  public static SpiffeIdWebhook start(
      String addr,
      WebhookCertificates certificates,
      SpiffeIdAdmission admission,
      ServerOptions options,
      Clock clock,
      RequestListener listener) {
    Objects.requireNonNull(certificates, "certificates");
    if (certificates.source().isEmpty()) {
      throw new IllegalStateException("the webhook certificates have not been started");
    }
    AdmissionReviewHandler handler =
        new AdmissionReviewHandler(new AdmissionReviewCodec(), admission);
    AdmissionServer server =
        AdmissionServer.start(
            addr, certificates.tlsFiles(), Map.of(PATH, handler), options, clock, listener);
    SpiffeIdWebhook webhook = new SpiffeIdWebhook(server, certificates);
    certificates.addListener(
        new WebhookCertificates.Listener() {
          @Override
          public void rotated(MintedSvid svid) {
            // Both files are in place: switch now rather than at the next poll (which may
            // already have done so, or have seen the pair half-renamed and refused it).
            server.reloadCertificates();
          }
        });
    return webhook;
  }

  /** The address served (the real port when {@code addr} asked for port 0). */
  public InetSocketAddress address() {
    return server.address();
  }

  /** The readiness signal: {@link WebhookCertificates#certificateValid} at the clock's time. */
  public boolean ready(Instant now) {
    return certificates.certificateValid(now);
  }

  /** Re-reads the certificate files now. */
  public boolean reloadCertificates() {
    return server.reloadCertificates();
  }

  /** Stops serving after draining requests in flight (bounded); the certificates stay. */
  @Override
  public void close() {
    server.close();
  }
}
