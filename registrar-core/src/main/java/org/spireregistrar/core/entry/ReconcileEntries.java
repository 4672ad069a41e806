package org.spireregistrar.core.entry;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SharedValues;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.dns.PodDnsNames;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.policy.Federation;
import org.spireregistrar.core.policy.IdPolicy;

/**
 * Reconcile mode's entries (upstream §5.3, §5.4). Immutable and thread-safe.
 *
 * <ul>
 *   <li>root ID {@code spiffe://<td>/<controller_name>/<cluster>/node};
 *   <li>node entry: SPIFFE ID root + {@code /<nodeName>}, parent {@code
 *       spiffe://<td>/spire/server}, selectors {@code k8s_psat:agent_node_name:<nodeName>} and
 *       {@code k8s_psat:cluster:<cluster>}, federation from the Node's {@code
 *       spiffe.io/federatesWith} annotation (an upstream quirk kept on purpose: it is harmless, and
 *       dropping it would silently strip federation from node entries that rely on it);
 *   <li>pod entry: SPIFFE ID from the {@link IdPolicy}, parent root + {@code /<spec.nodeName>},
 *       selectors {@code k8s:ns:<ns>} and {@code k8s:pod-name:<name>}, federation from the
 *       annotation, DNS names ({@link PodDnsNames}) when {@code add_pod_dns_names}.
 * </ul>
 */
public final class ReconcileEntries {
  private final TrustDomain trustDomain;
  private final String cluster;
  private final IdPolicy policy;
  private final List<String> disabledNamespaces;
  private final boolean addPodDnsNames;
  private final String clusterDnsZone;
  private final SpiffeId rootId;
  // Node name -> the node's ID, the parent of its pods' entries: computed (and validated) once.
  private static final int PARENTS_LIMIT = 1 << 16;
  private final SharedValues.ByKey<String, SpiffeId> parents =
      new SharedValues.ByKey<>(PARENTS_LIMIT);

  /**
   * @param trustDomain the normalised trust domain
   * @param cluster the k8s_psat cluster name, a valid ID segment
   * @param controllerName {@code controller_name}, a valid ID segment
   * @param policy how pod IDs are chosen
   * @param disabledNamespaces namespaces whose pods get no entry
   * @param addPodDnsNames whether pod entries get DNS names
   * @param clusterDnsZone e.g. {@code cluster.local}
   * @throws org.spireregistrar.core.config.ConfigException when {@code cluster} or {@code
   *     controllerName} cannot be an ID segment
   */
  public ReconcileEntries(
      TrustDomain trustDomain,
      String cluster,
      String controllerName,
      IdPolicy policy,
      List<String> disabledNamespaces,
      boolean addPodDnsNames,
      String clusterDnsZone) {
    this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
    this.cluster = Ids.configSegment("cluster", cluster);
    Ids.configSegment("controller_name", controllerName);
    this.policy = Objects.requireNonNull(policy, "policy");
    this.disabledNamespaces = List.copyOf(disabledNamespaces);
    this.addPodDnsNames = addPodDnsNames;
    this.clusterDnsZone = Objects.requireNonNull(clusterDnsZone, "clusterDnsZone");
    this.rootId = SpiffeId.of(trustDomain, controllerName, cluster, "node");
  }

  /** The builder of a configuration. */
  public static ReconcileEntries forConfig(RegistrarConfig config) {
    ReconcileConfig rc = config.reconcile();
    return new ReconcileEntries(
        config.common().trustDomain(),
        config.common().cluster(),
        rc.controllerName(),
        IdPolicy.forConfig(config),
        config.common().disabledNamespaces(),
        rc.addPodDnsNames(),
        rc.clusterDnsZone());
  }

  /** {@code spiffe://<td>/spire/server}, the parent of node entries. */
  public SpiffeId serverId() {
    return Ids.serverId(trustDomain);
  }

  /** {@code spiffe://<td>/<controller_name>/<cluster>/node}. */
  public SpiffeId rootId() {
    return rootId;
  }

  /**
   * The ID of a node: root + {@code /<nodeName>}.
   *
   * @throws IllegalArgumentException when the name is not a valid ID segment
   */
  public SpiffeId nodeId(String nodeName) {
    return rootId.append(nodeName);
  }

  /**
   * The node's entry.
   *
   * @throws RejectedObjectException {@code Node <name>: …} for a name that is not a valid ID
   *     segment or an invalid federation annotation
   */
  public EntrySpec nodeEntry(NodeInfo node) {
    SpiffeId id = Ids.nodeChild(rootId, node.name(), "Node", "", node.name());
    List<TrustDomain> federatesWith = Federation.of("Node", "", node.name(), node.annotations());
    return new EntrySpec(
        id, serverId(), nodeSelectors(node.name()), List.of(), federatesWith, false);
  }

  /** {@code [k8s_psat:agent_node_name:<nodeName>, k8s_psat:cluster:<cluster>]}. */
  public List<Selector> nodeSelectors(String nodeName) {
    return List.of(
        Selector.psat("agent_node_name:" + nodeName), Selector.psat("cluster:" + cluster));
  }

  /** {@code [k8s:ns:<namespace>, k8s:pod-name:<name>]}: the key of a pod's entry. */
  public static List<Selector> podSelectors(String namespace, String name) {
    return WebhookEntries.podSelectors(namespace, name);
  }

  /**
   * The pod's entry.
   *
   * <p>No entry for a pod in a disabled namespace, a terminating pod (upstream treats it as
   * deleted), a pod the policy does not apply to, or an unscheduled pod. The ID is computed before
   * the scheduling check, so an invalid label is rejected even on an unscheduled pod, as upstream.
   *
   * @param endpoints Endpoints for DNS names (only read when {@code add_pod_dns_names}); any
   *     namespace, those not targeting the pod are ignored
   * @param warnings receives one line per generated DNS name SPIRE would refuse (dropped)
   * @throws RejectedObjectException when the ID or the federation annotation is invalid
   */
  public Optional<EntrySpec> podEntry(
      Workload pod, Collection<EndpointsInfo> endpoints, Consumer<String> warnings) {
    if (disabledNamespaces.contains(pod.namespace()) || pod.terminating()) {
      return Optional.empty();
    }
    Optional<SpiffeId> id = policy.workloadId(pod);
    if (id.isEmpty() || !pod.scheduled()) {
      return Optional.empty();
    }
    SpiffeId parent = podParent(pod);
    List<TrustDomain> federatesWith =
        Federation.of("Pod", pod.namespace(), pod.name(), pod.annotations());
    List<String> dnsNames =
        addPodDnsNames ? PodDnsNames.of(pod, endpoints, clusterDnsZone, warnings) : List.of();
    return Optional.of(
        new EntrySpec(
            id.get(),
            parent,
            podSelectors(pod.namespace(), pod.name()),
            dnsNames,
            federatesWith,
            false));
  }

  /** The pod's node's ID; one instance per node (every pod of a node shares it). */
  private SpiffeId podParent(Workload pod) {
    return parents.get(
        pod.nodeName(), node -> Ids.nodeChild(rootId, node, "Pod", pod.namespace(), pod.name()));
  }

  /**
   * The entries this mode owns: parent or SPIFFE ID under the root ID, segment-aware (product
   * decision 2.6).
   */
  public Predicate<Entry> owned() {
    return Ownership.underRoot(rootId);
  }
}
