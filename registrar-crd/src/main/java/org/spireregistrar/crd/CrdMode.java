package org.spireregistrar.crd;

import io.kubernetes.client.openapi.ApiClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.kubernetes.HealthServer;
import org.spireregistrar.kubernetes.LeaseLeaderElection;
import org.spireregistrar.kubernetes.MetricsRegistry;
import org.spireregistrar.reconcile.Ticker;

/**
 * crd mode assembled (upstream §6): the SpiffeID controller always, the pod and node controllers
 * with {@code pod_controller}, the Endpoints controller with {@code add_svc_dns_name}; a Lease
 * named {@value #LEASE_NAME} elects the writer when {@code leader_election} is on; {@code
 * /metrics}, {@code /healthz} and {@code /readyz} on {@code metrics_bind_addr}. The caller owns the
 * {@link EntryStore} and the API client. The SpiffeID validating webhook is not part of this
 * object.
 *
 * <p><b>Ownership.</b> Entries crd mode creates get the ID {@code k8s-workload-registrar.<cluster>.
 * <uuid>} ({@link EntryIdPrefix}) on SPIRE 1.8+, which honours client-chosen IDs; their SpiffeIDs
 * get no finalizer, and the full resync ({@code resync_interval}, default 10m) deletes prefixed
 * entries no SpiffeID links. A SpiffeID linked to an entry without the prefix (written by the
 * original registrar, or adopted by similarity) keeps or gets the original's finalizer {@code
 * finalizers.spiffeid.spiffe.io} and is finalized (entry deleted, NOT_FOUND is fine, then the
 * finalizer removed). On a server that ignores client-chosen IDs (detected when a created entry
 * comes back under another ID) every SpiffeID gets the finalizer before its entry is created.
 *
 * <p><b>Names and bad input.</b> A pod whose name is taken by a hand-written SpiffeID gets its
 * SpiffeID as {@code <pod>-pod-<first 8 characters of its UID>} (the same name on every run; one
 * WARN says so). A SpiffeID with a wrong-typed field, an unparsable ID, or an ID outside the
 * server's trust domain is ignored (nothing written or deleted for it, one WARN with the reason,
 * counted in {@code registrar_spiffeids_rejected}) until it changes; the controllers go on with the
 * rest.
 */
public final class CrdMode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CrdMode.class);

  /** The fixed Lease name of crd mode (upstream §6.1). */
  public static final String LEASE_NAME = "spire-k8s-registrar-leader-election";

  /**
   * Settings that are not in the HCL file.
   *
   * @param namespace the registrar's namespace ({@link RegistrarNamespace#resolve()}): node
   *     SpiffeIDs and the Lease live there
   * @param identity this replica's leader-election identity
   * @param leaseTiming leader-election timing
   * @param ticker the time source of resyncs and retries ({@link Ticker#SYSTEM})
   */
  public record Runtime(
      String namespace, String identity, LeaseLeaderElection.Timing leaseTiming, Ticker ticker) {
    public Runtime {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(leaseTiming, "leaseTiming");
      Objects.requireNonNull(ticker, "ticker");
    }

    /** The given namespace, a unique identity, default lease timing, the system ticker. */
    public static Runtime of(String namespace) {
      String host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("registrar");
      return new Runtime(
          namespace,
          host + "_" + UUID.randomUUID(),
          LeaseLeaderElection.Timing.DEFAULTS,
          Ticker.SYSTEM);
    }
  }

  private final RegistrarConfig config;
  private final ApiClient client;
  private final Runtime runtime;
  private final PrometheusMeterRegistry registry = MetricsRegistry.create();
  private final CrdControllers controllers;
  private LeaseLeaderElection election;
  private HealthServer health;
  private final List<Supplier<Optional<String>>> readinessChecks = new CopyOnWriteArrayList<>();

  /**
   * @param config a validated configuration in crd mode
   * @param client the Kubernetes API client (read timeout off, for watches)
   * @param store where entries live (the CLI passes a {@code GrpcEntryStore})
   * @param runtime namespace, identity, lease timing, ticker
   * @throws org.spireregistrar.core.config.ConfigException when a template does not parse (with
   *     {@code pod_controller})
   */
  public CrdMode(RegistrarConfig config, ApiClient client, EntryStore store, Runtime runtime) {
    this.config = Objects.requireNonNull(config, "config");
    if (config.mode() != Mode.CRD) {
      throw new IllegalArgumentException("CrdMode needs a crd-mode configuration");
    }
    this.client = Objects.requireNonNull(client, "client");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.controllers =
        new CrdControllers(
            config,
            client,
            store,
            runtime.namespace(),
            runtime.ticker(),
            (leader, ids) -> new CrdMetrics(registry, leader, ids));
  }

  /** Starts serving health, the informers and controllers, and (if configured) campaigning. */
  public void start() {
    CrdConfig crd = config.crd();
    log.warn(
        "The k8s-workload-registrar is deprecated and no longer maintained. Please migrate to the"
            + " SPIRE Controller Manager (https://github.com/spiffe/spire-controller-manager).");
    log.info(
        "Initializing SPIFFE ID CRD Mode (trust domain {}, cluster {}, namespace {})",
        config.common().trustDomain(),
        config.common().cluster(),
        runtime.namespace());
    health = HealthServer.start(crd.metricsBindAddr(), registry, this::readiness).orElse(null);
    controllers.start();
    if (crd.leaderElection()) {
      election =
          new LeaseLeaderElection(
              client,
              runtime.namespace(),
              LEASE_NAME,
              runtime.identity(),
              runtime.leaseTiming(),
              controllers::setLeader);
      election.start();
    } else {
      controllers.setLeader(true);
    }
  }

  /**
   * Adds a condition to {@code /readyz}: a non-empty reason makes the replica unready (the SpiffeID
   * webhook's certificate close to expiry, say).
   */
  public void addReadinessCheck(Supplier<Optional<String>> check) {
    readinessChecks.add(Objects.requireNonNull(check, "check"));
  }

  /** The controllers' readiness, then each added check's; the first reason wins. */
  Optional<String> readiness() {
    Optional<String> reason = controllers.readiness();
    for (Supplier<Optional<String>> check : readinessChecks) {
      if (reason.isPresent()) {
        return reason;
      }
      reason = check.get();
    }
    return reason;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The bound health/metrics address, when enabled. */
  public Optional<InetSocketAddress> healthAddress() {
    return Optional.ofNullable(health).map(HealthServer::address);
  }

  /** Asks for a full resync now (list SPIRE, look at every object). */
  public void requestFullResync() {
    controllers.queue().requestFullResync();
  }

  /**
   * Waits until every change seen so far has been handled and nothing is pending.
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
    return controllers.queue().awaitIdle(timeout);
  }

  /** Why the SpiffeID {@code namespace/name} is ignored (bad input); empty when it is not. */
  Optional<String> rejection(String namespace, String name) {
    return controllers.spiffeIdController().rejection(new CrdKey.SpiffeIdKey(namespace, name));
  }

  /**
   * Graceful shutdown: stop watching, finish the pass in flight, release the lease, stop serving.
   */
  @Override
  public void close() {
    controllers.close();
    if (election != null) {
      election.close();
    }
    if (health != null) {
      health.close();
    }
    registry.close();
    log.info("CRD mode stopped");
  }
}
