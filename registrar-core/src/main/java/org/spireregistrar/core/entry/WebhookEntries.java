package org.spireregistrar.core.entry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.policy.Federation;
import org.spireregistrar.core.policy.IdPolicy;

/**
 * Webhook mode's entries (upstream §3.1, §4.3): one cluster-wide node entry, and one entry per pod
 * parented to it. Immutable and thread-safe.
 *
 * <ul>
 *   <li>cluster node entry: SPIFFE ID {@code spiffe://<td>/k8s-workload-registrar/<cluster>/node},
 *       parent {@code spiffe://<td>/spire/server}, selector {@code k8s_psat:cluster:<cluster>};
 *   <li>pod entry: SPIFFE ID from the {@link IdPolicy}, parent the cluster node ID, selectors
 *       {@code k8s:ns:<ns>} and {@code k8s:pod-name:<name>}, federation from {@code
 *       spiffe.io/federatesWith}.
 * </ul>
 */
public final class WebhookEntries {
  private final TrustDomain trustDomain;
  private final String cluster;
  private final IdPolicy policy;
  private final List<String> disabledNamespaces;
  private final SpiffeId clusterNodeId;

  /**
   * @param trustDomain the normalised trust domain
   * @param cluster the k8s_psat cluster name, a valid ID segment
   * @param policy how pod IDs are chosen
   * @param disabledNamespaces namespaces whose pods get no entry
   * @throws org.spireregistrar.core.config.ConfigException when {@code cluster} cannot be an ID
   *     segment
   */
  public WebhookEntries(
      TrustDomain trustDomain, String cluster, IdPolicy policy, List<String> disabledNamespaces) {
    this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
    this.cluster = Ids.configSegment("cluster", cluster);
    this.policy = Objects.requireNonNull(policy, "policy");
    this.disabledNamespaces = List.copyOf(disabledNamespaces);
    this.clusterNodeId = SpiffeId.of(trustDomain, "k8s-workload-registrar", cluster, "node");
  }

  /** The builder of a configuration (any mode's keys are read as webhook mode would). */
  public static WebhookEntries forConfig(RegistrarConfig config) {
    return new WebhookEntries(
        config.common().trustDomain(),
        config.common().cluster(),
        IdPolicy.forConfig(config),
        config.common().disabledNamespaces());
  }

  /** {@code spiffe://<td>/spire/server}. */
  public SpiffeId serverId() {
    return Ids.serverId(trustDomain);
  }

  /** {@code spiffe://<td>/k8s-workload-registrar/<cluster>/node}. */
  public SpiffeId clusterNodeId() {
    return clusterNodeId;
  }

  /** The cluster node entry every agent of the cluster matches. */
  public EntrySpec clusterNodeEntry() {
    return EntrySpec.of(clusterNodeId, serverId(), List.of(Selector.psat("cluster:" + cluster)));
  }

  /**
   * The entry admission of the pod's CREATE would make.
   *
   * @return empty when the pod's namespace is disabled or the policy does not apply (label or
   *     annotation absent)
   * @throws RejectedObjectException when the ID or the federation annotation is invalid
   */
  public Optional<EntrySpec> podEntry(Workload pod) {
    if (disabledNamespaces.contains(pod.namespace())) {
      return Optional.empty();
    }
    Optional<SpiffeId> id = policy.workloadId(pod);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    List<TrustDomain> federatesWith =
        Federation.of("Pod", pod.namespace(), pod.name(), pod.annotations());
    return Optional.of(
        new EntrySpec(
            id.get(),
            clusterNodeId,
            podSelectors(pod.namespace(), pod.name()),
            List.of(),
            federatesWith,
            false));
  }

  /** {@code [k8s:ns:<namespace>, k8s:pod-name:<name>]}: the key of a pod's entry. */
  public static List<Selector> podSelectors(String namespace, String name) {
    return List.of(Selector.k8s("ns:" + namespace), Selector.k8s("pod-name:" + name));
  }

  /**
   * The entries this mode owns: those parented exactly to the cluster node ID (product decision
   * 2.6; the pod DELETE removes only those).
   */
  public Predicate<Entry> owned() {
    return Ownership.parentedTo(clusterNodeId);
  }
}
