package org.spireregistrar.kubernetes;

import static org.spireregistrar.kubernetes.Permission.Scope.CLUSTER;
import static org.spireregistrar.kubernetes.Permission.Scope.NAMESPACE;

import java.util.ArrayList;
import java.util.List;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;

/**
 * The one list of the Kubernetes API requests each mode makes, as its code makes them: what the
 * start-up self-check asks the API server about ({@link PermissionSelfCheck}) and what the RBAC
 * rules in {@code deploy/<mode>/rbac.yaml} grant (a test holds them equal, rule for rule).
 *
 * <ul>
 *   <li><b>webhook</b>: nothing. The admission server is called by the API server and writes only
 *       to SPIRE; it never calls the Kubernetes API.
 *   <li><b>reconcile</b>: {@code list}/{@code watch} on pods and nodes in all namespaces ({@code
 *       ClusterInformers}: informers list, then watch from the list's resourceVersion, and re-list
 *       after a 410; they never {@code get}), and on endpoints when {@code add_pod_dns_names}; with
 *       {@code leader_election}, {@code get}/{@code create}/{@code update} on leases in the
 *       registrar's namespace ({@link LeaseLeaderElection}: client-java's {@code LeaseLock} reads,
 *       creates and replaces the Lease; the release on shutdown is a replace too).
 *   <li><b>crd</b>: the same informers (endpoints when {@code add_svc_dns_name}), an informer on
 *       SpiffeIDs in all namespaces ({@code list}/{@code watch}); {@code get} and {@code update} on
 *       SpiffeIDs and {@code update} on their {@code status} subresource ({@code SpiffeIdClient}'s
 *       read-modify-write of finalizers and {@code status.entryId}; pod SpiffeIDs live in the pods'
 *       namespaces, so cluster-wide); with {@code pod_controller}, {@code create} and {@code
 *       delete} on SpiffeIDs too (the pod and node controllers); leases as reconcile mode. The
 *       SpiffeID webhook's certificate comes from SPIRE, not from the Kubernetes API.
 * </ul>
 *
 * <p>No mode patches, lists namespaces, writes events or reads Secrets or ConfigMaps.
 */
public final class RequiredPermissions {
  /** The API group of SpiffeIDs ({@code registrar-crd}'s {@code SpiffeIdCrd.GROUP}). */
  public static final String SPIFFEID_GROUP = "spiffeid.spiffe.io";

  /** The API group of Leases. */
  public static final String LEASE_GROUP = "coordination.k8s.io";

  private RequiredPermissions() {}

  /**
   * What {@code config}'s mode calls, in a stable order (by resource, then verb as listed above).
   * Empty for webhook mode.
   */
  public static List<Permission> forConfig(RegistrarConfig config) {
    List<Permission> out = new ArrayList<>();
    switch (config.mode()) {
      case WEBHOOK -> {
        // The API server calls us; we never call it.
      }
      case RECONCILE -> {
        ReconcileConfig rc = config.reconcile();
        informers(out, rc.addPodDnsNames());
        if (rc.leaderElection()) {
          leases(out);
        }
      }
      case CRD -> {
        CrdConfig crd = config.crd();
        informers(out, crd.addSvcDnsName());
        for (String verb : List.of("list", "watch", "get", "update")) {
          out.add(Permission.of(verb, SPIFFEID_GROUP, "spiffeids", CLUSTER));
        }
        if (crd.podController()) {
          out.add(Permission.of("create", SPIFFEID_GROUP, "spiffeids", CLUSTER));
          out.add(Permission.of("delete", SPIFFEID_GROUP, "spiffeids", CLUSTER));
        }
        out.add(new Permission("update", SPIFFEID_GROUP, "spiffeids", "status", CLUSTER));
        if (crd.leaderElection()) {
          leases(out);
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * The file in this repository that grants {@code mode}'s permissions, for messages: {@code
   * deploy/reconcile/rbac.yaml}.
   */
  public static String rbacFile(Mode mode) {
    return "deploy/" + mode.key() + "/rbac.yaml";
  }

  private static void informers(List<Permission> out, boolean endpoints) {
    List<String> resources =
        endpoints ? List.of("pods", "nodes", "endpoints") : List.of("pods", "nodes");
    for (String resource : resources) {
      out.add(Permission.of("list", "", resource, CLUSTER));
      out.add(Permission.of("watch", "", resource, CLUSTER));
    }
  }

  private static void leases(List<Permission> out) {
    for (String verb : List.of("get", "create", "update")) {
      out.add(Permission.of(verb, LEASE_GROUP, "leases", NAMESPACE));
    }
  }
}
