package org.spireregistrar.crd;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.SvidMinter;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.crd.webhook.SpiffeIdAdmission;
import org.spireregistrar.crd.webhook.SpiffeIdWebhook;
import org.spireregistrar.crd.webhook.WebhookCertificates;
import org.spireregistrar.webhook.server.RequestListener;
import org.spireregistrar.webhook.server.ServerOptions;

/**
 * crd mode as the root command runs it (upstream §6.1): the controllers ({@link CrdMode}) and, when
 * {@code webhook_enabled}, the SpiffeID validating webhook on {@code :<webhook_port>}, served with
 * a certificate minted by SPIRE and rotated at half-life ({@link WebhookCertificates}).
 */
public final class CrdRegistrar implements AutoCloseable {
  private final RegistrarConfig config;
  private final EntryStore store;
  private final SvidMinter minter;
  private final CrdMode.Runtime runtime;
  private final Clock clock;
  private final String webhookAddress;
  private final CrdMode mode;
  private ScheduledExecutorService rotation;
  private WebhookCertificates certificates;
  private SpiffeIdWebhook webhook;

  /**
   * @param store where entries live (the composition root owns and closes it)
   * @param minter mints the webhook's certificate (used only when {@code webhook_enabled})
   * @param webhookAddress where the webhook listens, normally {@link
   *     SpiffeIdWebhook#listenAddress}; tests and the demo pass {@code 127.0.0.1:0}
   */
  public CrdRegistrar(
      RegistrarConfig config,
      ApiClient client,
      EntryStore store,
      SvidMinter minter,
      CrdMode.Runtime runtime,
      Clock clock,
      String webhookAddress) {
    this.config = Objects.requireNonNull(config, "config");
    this.store = Objects.requireNonNull(store, "store");
    this.minter = Objects.requireNonNull(minter, "minter");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.webhookAddress = Objects.requireNonNull(webhookAddress, "webhookAddress");
    this.mode = new CrdMode(config, client, store, runtime);
  }

  /** With the webhook on {@code :<webhook_port>} and the system clock. */
  public CrdRegistrar(
      RegistrarConfig config,
      ApiClient client,
      EntryStore store,
      SvidMinter minter,
      CrdMode.Runtime runtime) {
    this(
        config,
        client,
        store,
        minter,
        runtime,
        Clock.systemUTC(),
        SpiffeIdWebhook.listenAddress(config.crd()));
  }

  /**
   * Starts the webhook (certificate first) when enabled, then the controllers.
   *
   * @throws org.spireregistrar.webhook.server.ServerStartException with upstream's texts when the
   *     certificate cannot be set up or the port cannot be bound
   */
  public void start() {
    if (config.crd().webhookEnabled()) {
      rotation =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "webhook-certificate");
                t.setDaemon(true);
                return t;
              });
      certificates =
          new WebhookCertificates(
              WebhookCertificates.Settings.forConfig(config, runtime.namespace()),
              minter,
              clock,
              rotation);
      certificates.start();
      webhook =
          SpiffeIdWebhook.start(
              webhookAddress,
              certificates,
              new SpiffeIdAdmission(config.common().trustDomain(), runtime.namespace(), store),
              ServerOptions.DEFAULTS,
              clock,
              RequestListener.NONE);
      SpiffeIdWebhook served = webhook;
      WebhookCertificates certs = certificates;
      mode.addReadinessCheck(
          () ->
              served.ready(clock.instant())
                  ? Optional.empty()
                  : Optional.of(
                      "the webhook certificate is expired or about to: "
                          + certs.lastFailure().orElse("not rotated yet")));
    }
    mode.start();
  }

  public CrdMode mode() {
    return mode;
  }

  /** The webhook, when {@code webhook_enabled} and started. */
  public Optional<SpiffeIdWebhook> webhook() {
    return Optional.ofNullable(webhook);
  }

  /** Stops the webhook (draining requests in flight), then the controllers, then rotation. */
  @Override
  public void close() {
    if (webhook != null) {
      webhook.close();
    }
    mode.close();
    if (certificates != null) {
      certificates.close();
    }
    if (rotation != null) {
      rotation.shutdownNow();
    }
  }
}
