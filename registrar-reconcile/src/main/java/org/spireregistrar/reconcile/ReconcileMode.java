package org.spireregistrar.reconcile;

import io.kubernetes.client.openapi.ApiClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.kubernetes.ClusterInformers;
import org.spireregistrar.kubernetes.HealthServer;
import org.spireregistrar.kubernetes.LeaseLeaderElection;
import org.spireregistrar.kubernetes.MetricsRegistry;

/**
 * Reconcile mode assembled: informers feed the {@link SyncEngine}; a Lease elects the writer when
 * {@code leader_election} is on; {@code /metrics}, {@code /healthz} and {@code /readyz} are served
 * on {@code metrics_addr}. The caller owns the {@link EntryStore} and the API client.
 */
public final class ReconcileMode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReconcileMode.class);

  /** Settings that are not in the HCL file. */
  public record Runtime(String namespace, String identity, LeaseLeaderElection.Timing leaseTiming) {
    /** The registrar's own namespace, a unique identity, default lease timing. */
    public static Runtime of(String namespace) {
      String host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("registrar");
      return new Runtime(
          namespace, host + "_" + UUID.randomUUID(), LeaseLeaderElection.Timing.DEFAULTS);
    }
  }

  private final RegistrarConfig config;
  private final ApiClient client;
  private final Runtime runtime;
  private final PrometheusMeterRegistry registry = MetricsRegistry.create();
  private final SyncEngine engine;
  private final ClusterInformers informers;
  private volatile boolean leader;
  private LeaseLeaderElection election;
  private HealthServer health;

  /**
   * @param config a validated configuration in reconcile mode
   * @param client the Kubernetes API client
   * @param store where entries live (the CLI passes a {@code GrpcEntryStore})
   * @param runtime namespace and identity for leader election
   * @param extra another listener (the demo prints changes); {@link SyncListener#NONE} for none
   */
  public ReconcileMode(
      RegistrarConfig config,
      ApiClient client,
      EntryStore store,
      Runtime runtime,
      SyncListener extra) {
    this.config = Objects.requireNonNull(config, "config");
    this.client = Objects.requireNonNull(client, "client");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    ReconcileMetrics metrics = new ReconcileMetrics(registry, () -> leader);
    SyncListener listener = SyncListener.both(metrics, extra);
    // Pods are reduced to what the policy reads before the informers store them, once: the
    // engine takes them as they come.
    this.engine =
        SyncEngine.forConfig(
            config, new MeteredEntryStore(store, registry), listener, UnaryOperator.identity());
    this.informers =
        new ClusterInformers(
            client,
            engine,
            config.reconcile().addPodDnsNames(),
            SyncEngine.relevantView(config),
            ClusterInformers.PAGE_SIZE);
  }

  /** Starts serving health, syncing and (if configured) campaigning for leadership. */
  public void start() {
    ReconcileConfig rc = config.reconcile();
    log.info(
        "The k8s-workload-registrar reconcile mode is starting (trust domain {}, cluster {})",
        config.common().trustDomain(),
        config.common().cluster());
    health =
        HealthServer.start(
                rc.metricsAddr(),
                registry,
                this::readiness,
                engine::liveness,
                HealthServer.Options.DEFAULTS)
            .orElse(null);
    engine.start();
    informers.start();
    if (rc.leaderElection()) {
      election =
          new LeaseLeaderElection(
              client,
              runtime.namespace(),
              rc.leaseName(),
              runtime.identity(),
              runtime.leaseTiming(),
              isLeader -> {
                leader = isLeader;
                engine.setLeader(isLeader);
              });
      election.start();
    } else {
      leader = true;
      engine.setLeader(true);
    }
  }

  private Optional<String> readiness() {
    SyncEngine.Status s = engine.status();
    return Readiness.of(
        s.cachesSynced(),
        informers::watchProblem,
        s.leader(),
        s.spireReachable(),
        s.lastSuccessNanos(),
        System.nanoTime(),
        Readiness.staleAfter(config.reconcile().resyncInterval()));
  }

  public SyncEngine engine() {
    return engine;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The bound health/metrics address, when enabled. */
  public Optional<java.net.InetSocketAddress> healthAddress() {
    return Optional.ofNullable(health).map(HealthServer::address);
  }

  /**
   * Graceful shutdown: stop watching, finish the write in flight, release the lease, stop serving.
   */
  @Override
  public void close() {
    informers.close();
    engine.close();
    if (election != null) {
      election.close();
    }
    if (health != null) {
      health.close();
    }
    registry.close();
    log.info("Reconcile mode stopped");
  }
}
