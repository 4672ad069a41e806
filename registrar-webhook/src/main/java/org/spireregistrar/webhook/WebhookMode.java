package org.spireregistrar.webhook;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.WebhookEntries;
import org.spireregistrar.webhook.review.AdmissionException;
import org.spireregistrar.webhook.review.AdmissionReviewCodec;
import org.spireregistrar.webhook.review.AdmissionReviewHandler;
import org.spireregistrar.webhook.server.AdmissionServer;
import org.spireregistrar.webhook.server.RequestListener;
import org.spireregistrar.webhook.server.ServerOptions;
import org.spireregistrar.webhook.server.ServerStartException;
import org.spireregistrar.webhook.server.TlsFiles;

/**
 * Webhook mode (upstream §4): a validating admission webhook on {@code /validate} that creates a
 * pod's entry when the pod is created and deletes it when the pod is deleted, all entries parented
 * to one cluster-wide node entry.
 *
 * <p>{@link #start()} logs the deprecation warning, creates the cluster node entry (a failure
 * aborts the start), then serves HTTPS on {@code addr}. {@link #close()} stops accepting, drains
 * requests in flight (bounded by {@link ServerOptions#drainTimeout()}) and returns. The mode never
 * creates or closes the {@link EntryStore}: its owner does.
 */
public final class WebhookMode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookMode.class);

  /** Upstream's start-up warning (SPIRE 1.3). */
  public static final String DEPRECATION_WARNING =
      "The webhook mode is deprecated and will be removed in a future release.";

  /** The admission endpoint's path. */
  public static final String PATH = "/validate";

  private final RegistrarConfig config;
  private final Clock clock;
  private final ServerOptions options;
  private final RequestListener listener;
  private final PodAdmission admission;
  private final AdmissionReviewHandler handler;
  private AdmissionServer server;
  private boolean closed;

  /** Webhook mode with the system clock and {@link ServerOptions#DEFAULTS}. */
  public WebhookMode(RegistrarConfig config, EntryStore store) {
    this(config, store, Clock.systemUTC());
  }

  /**
   * @param clock the time client certificates are checked at
   */
  public WebhookMode(RegistrarConfig config, EntryStore store, Clock clock) {
    this(config, store, clock, ServerOptions.DEFAULTS);
  }

  /**
   * @param config a validated configuration; its common keys and webhook keys are used
   * @param store where entries live; not closed by this mode
   * @param clock the time client certificates are checked at
   * @param options the server's limits and timeouts
   */
  public WebhookMode(RegistrarConfig config, EntryStore store, Clock clock, ServerOptions options) {
    this(config, store, clock, options, RequestListener.NONE);
  }

  /**
   * @param listener told of every answer (metrics, benchmarks)
   */
  public WebhookMode(
      RegistrarConfig config,
      EntryStore store,
      Clock clock,
      ServerOptions options,
      RequestListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.options = Objects.requireNonNull(options, "options");
    AdmissionReviewCodec codec = new AdmissionReviewCodec();
    this.admission =
        new PodAdmission(
            WebhookEntries.forConfig(config),
            Objects.requireNonNull(store, "store"),
            codec,
            config.common().disabledNamespaces());
    this.handler = new AdmissionReviewHandler(codec, admission);
  }

  /**
   * Creates the cluster node entry, then serves.
   *
   * @throws ServerStartException when the cluster node entry cannot be created ({@code unable to
   *     create the cluster node entry …}), or with upstream's texts when the TLS files cannot be
   *     used or {@code addr} cannot be bound
   * @throws IllegalStateException when already started or closed
   */
  public synchronized void start() {
    if (server != null || closed) {
      throw new IllegalStateException("webhook mode has already been started");
    }
    LOG.warn(DEPRECATION_WARNING);
    LOG.info(
        "Initializing registrar: trust_domain={} cluster={}",
        config.common().trustDomain(),
        config.common().cluster());
    try {
      admission.createClusterNodeEntry();
    } catch (AdmissionException e) {
      throw new ServerStartException(e.getMessage(), e);
    }
    server =
        AdmissionServer.start(
            config.webhook().addr(),
            TlsFiles.of(config.webhook()),
            Map.of(PATH, handler),
            options,
            clock,
            listener);
    if (config.webhook().insecureSkipClientVerification()) {
      LOG.warn(
          "Client certificates are NOT verified (insecure_skip_client_verification = true):"
              + " anyone who can reach {}:{} can make the registrar create and delete entries",
          server.address().getHostString(),
          server.address().getPort());
    }
  }

  /**
   * The address served (the real port when {@code addr} asked for port 0).
   *
   * @throws IllegalStateException before {@link #start()} or after {@link #close()}
   */
  public synchronized InetSocketAddress address() {
    if (server == null || closed) {
      throw new IllegalStateException("webhook mode is not serving");
    }
    return server.address();
  }

  /** Re-reads the TLS files now (they are also polled); see {@link AdmissionServer}. */
  public synchronized boolean reloadCertificates() {
    return server != null && server.reloadCertificates();
  }

  /** Stops serving after draining requests in flight (bounded). Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (server != null) {
      server.close();
    }
  }
}
