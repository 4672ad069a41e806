package org.spireregistrar.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Reconcile-mode keys (upstream §1.3, plus {@code resync_interval}), defaults applied.
 *
 * @param metricsAddr listen address of /metrics, /healthz, /readyz; "0" disables
 * @param leaderElection whether to elect a leader on a Lease
 * @param leaderElectionResourceLock "leases"; any other value is refused at validation when leader
 *     election is on, and unused (kept as written) when it is off
 * @param controllerName forms part of the node IDs and the lease name
 * @param addPodDnsNames whether pod entries get DNS names
 * @param clusterDnsZone the cluster DNS zone, e.g. cluster.local
 * @param resyncInterval how often a full resync runs
 */
public record ReconcileConfig(
    String metricsAddr,
    boolean leaderElection,
    String leaderElectionResourceLock,
    String controllerName,
    boolean addPodDnsNames,
    String clusterDnsZone,
    Duration resyncInterval) {

  public static final ReconcileConfig DEFAULTS =
      new ReconcileConfig(
          ":8080",
          false,
          "leases",
          "spire-k8s-registrar",
          false,
          "cluster.local",
          Duration.ofMinutes(10));

  public ReconcileConfig {
    Objects.requireNonNull(metricsAddr, "metricsAddr");
    Objects.requireNonNull(leaderElectionResourceLock, "leaderElectionResourceLock");
    Objects.requireNonNull(controllerName, "controllerName");
    Objects.requireNonNull(clusterDnsZone, "clusterDnsZone");
    Objects.requireNonNull(resyncInterval, "resyncInterval");
  }

  /** The Lease name: {@code <controller_name>-leader-election}. */
  public String leaseName() {
    return controllerName + "-leader-election";
  }
}
