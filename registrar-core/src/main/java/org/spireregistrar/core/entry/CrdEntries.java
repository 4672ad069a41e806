package org.spireregistrar.core.entry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.dns.DnsNameValidator;
import org.spireregistrar.core.dns.DnsNames;
import org.spireregistrar.core.dns.ServiceDnsNames;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.policy.Federation;
import org.spireregistrar.core.policy.IdPolicy;

/**
 * CRD mode's entries (upstream §6.3–§6.6): the entries of the SpiffeID objects the node and pod
 * controllers generate, and of hand-written SpiffeIDs. Immutable and thread-safe.
 *
 * <ul>
 *   <li>node entry: SPIFFE ID {@code spiffe://<td>/k8s-workload-registrar/<cluster>/node/<node>},
 *       parent {@code spiffe://<td>/spire/server}, selectors {@code k8s_psat:cluster:<cluster>} and
 *       {@code k8s_psat:agent_node_uid:<node UID>};
 *   <li>pod entry: SPIFFE ID from the {@link IdPolicy}, parent the node's ID, selectors {@code
 *       k8s:pod-uid:<uid>}, {@code k8s:ns:<ns>}, {@code k8s:node-name:<node>}, federation from the
 *       annotation, DNS names from {@link ServiceDnsNames} (templates, then services when {@code
 *       add_svc_dns_name}).
 * </ul>
 */
public final class CrdEntries {
  /**
   * The label the pod controller puts on generated SpiffeIDs; the Endpoints controller reads it.
   */
  public static final String POD_UID_LABEL = "podUid";

  private final TrustDomain trustDomain;
  private final String cluster;
  private final IdPolicy policy;
  private final ServiceDnsNames dnsNames;
  private final boolean addSvcDnsName;
  private final List<String> disabledNamespaces;
  private final SpiffeId nodeRoot;

  /**
   * @param trustDomain the normalised trust domain
   * @param cluster the k8s_psat cluster name, a valid ID segment
   * @param policy how pod IDs are chosen
   * @param dnsNames the DNS name templates
   * @param addSvcDnsName whether {@code <svc>.<ns>.svc} names are appended
   * @param disabledNamespaces namespaces whose pods get no entry
   * @throws org.spireregistrar.core.config.ConfigException when {@code cluster} cannot be an ID
   *     segment
   */
  public CrdEntries(
      TrustDomain trustDomain,
      String cluster,
      IdPolicy policy,
      ServiceDnsNames dnsNames,
      boolean addSvcDnsName,
      List<String> disabledNamespaces) {
    this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
    this.cluster = Ids.configSegment("cluster", cluster);
    this.policy = Objects.requireNonNull(policy, "policy");
    this.dnsNames = Objects.requireNonNull(dnsNames, "dnsNames");
    this.addSvcDnsName = addSvcDnsName;
    this.disabledNamespaces = List.copyOf(disabledNamespaces);
    this.nodeRoot = SpiffeId.of(trustDomain, "k8s-workload-registrar", cluster, "node");
  }

  /**
   * The builder of a configuration.
   *
   * @throws org.spireregistrar.core.config.ConfigException when a template does not parse
   */
  public static CrdEntries forConfig(RegistrarConfig config) {
    CrdConfig crd = config.crd();
    return new CrdEntries(
        config.common().trustDomain(),
        config.common().cluster(),
        IdPolicy.forConfig(config),
        ServiceDnsNames.forConfig(crd),
        crd.addSvcDnsName(),
        config.common().disabledNamespaces());
  }

  /** {@code spiffe://<td>/spire/server}. */
  public SpiffeId serverId() {
    return Ids.serverId(trustDomain);
  }

  /**
   * {@code spiffe://<td>/k8s-workload-registrar/<cluster>/node/<nodeName>}.
   *
   * @throws IllegalArgumentException when the name is not a valid ID segment
   */
  public SpiffeId nodeId(String nodeName) {
    return nodeRoot.append(nodeName);
  }

  /**
   * The entry of the node's generated SpiffeID.
   *
   * @throws RejectedObjectException {@code Node <name>: …} when the node has no UID or its name is
   *     not a valid ID segment
   */
  public EntrySpec nodeEntry(NodeInfo node) {
    SpiffeId id = Ids.nodeChild(nodeRoot, node.name(), "Node", "", node.name());
    if (node.uid().isEmpty()) {
      throw new RejectedObjectException(
          "Node",
          "",
          node.name(),
          "metadata.uid is empty; crd mode selects nodes by agent_node_uid");
    }
    return EntrySpec.of(
        id,
        serverId(),
        List.of(
            Selector.psat("cluster:" + cluster), Selector.psat("agent_node_uid:" + node.uid())));
  }

  /**
   * The entry of the pod's generated SpiffeID.
   *
   * <p>No entry for a pod in a disabled namespace, an unscheduled pod, or a pod the policy does not
   * apply to. Terminating pods keep their entry (upstream deletes it only when the Pod object is
   * gone).
   *
   * @param endpoints Endpoints for service names (only read when {@code add_svc_dns_name})
   * @param warnings receives one line per generated DNS name SPIRE would refuse (dropped)
   * @throws RejectedObjectException when the ID, a DNS template or the federation annotation fails,
   *     or the pod has no UID
   */
  public Optional<EntrySpec> podEntry(
      Workload pod, Collection<EndpointsInfo> endpoints, Consumer<String> warnings) {
    if (disabledNamespaces.contains(pod.namespace()) || !pod.scheduled()) {
      return Optional.empty();
    }
    Optional<SpiffeId> id = policy.workloadId(pod);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    if (pod.uid().isEmpty()) {
      throw new RejectedObjectException(
          "Pod",
          pod.namespace(),
          pod.name(),
          "metadata.uid is empty; crd mode selects pods by k8s:pod-uid");
    }
    SpiffeId parent = Ids.nodeChild(nodeRoot, pod.nodeName(), "Pod", pod.namespace(), pod.name());
    List<TrustDomain> federatesWith =
        Federation.of("Pod", pod.namespace(), pod.name(), pod.annotations());
    List<String> names = dnsNames.of(pod, endpoints, addSvcDnsName, warnings);
    return Optional.of(
        new EntrySpec(
            id.get(),
            parent,
            List.of(
                Selector.k8s("pod-uid:" + pod.uid()),
                Selector.k8s("ns:" + pod.namespace()),
                Selector.k8s("node-name:" + pod.nodeName())),
            names,
            federatesWith,
            false));
  }

  /**
   * The entry of a SpiffeID object as the SpiffeID controller writes it, plus, when {@code
   * add_svc_dns_name} and the object has a {@code podUid} label, the {@code <svc>.<ns>.svc} names
   * the Endpoints controller would append (generated names: invalid ones are dropped with a
   * warning).
   *
   * @throws RejectedObjectException see {@link #fromSpiffeId(SpiffeIdResource)}
   */
  public EntrySpec spiffeIdEntry(
      SpiffeIdResource resource, Collection<EndpointsInfo> endpoints, Consumer<String> warnings) {
    return spiffeIdEntry(resource, endpoints, addSvcDnsName, warnings);
  }

  /**
   * Rejects a SpiffeID whose entry's {@code what} ("SPIFFE ID", "parent ID") is not in the SPIRE
   * server's trust domain, with the message the SpiffeID controller logs and {@code plan} shows.
   *
   * @throws RejectedObjectException naming the SpiffeID, the ID and the server's trust domain
   */
  public static void requireInTrustDomain(
      String namespace, String name, String what, SpiffeId id, TrustDomain serverDomain) {
    if (!id.trustDomain().equals(serverDomain)) {
      throw new RejectedObjectException(
          "SpiffeID",
          namespace,
          name,
          what
              + " "
              + GoQuote.quote(id.toString())
              + " is not in the trust domain of the SPIRE server "
              + GoQuote.quote(serverDomain.name()));
    }
  }

  /**
   * {@link #spiffeIdEntry(SpiffeIdResource, Collection, Consumer)} without a pod controller (no
   * templates needed).
   *
   * @param addSvcDnsName whether the Endpoints controller runs ({@code add_svc_dns_name})
   */
  public static EntrySpec spiffeIdEntry(
      SpiffeIdResource resource,
      Collection<EndpointsInfo> endpoints,
      boolean addSvcDnsName,
      Consumer<String> warnings) {
    EntrySpec spec = fromSpiffeId(resource);
    String podUid = resource.labels().getOrDefault(POD_UID_LABEL, "");
    if (!addSvcDnsName || podUid.isEmpty()) {
      return spec;
    }
    Set<String> names = new LinkedHashSet<>(spec.dnsNames());
    List<String> extra = new ArrayList<>();
    for (String svc : ServiceDnsNames.serviceNamesForPodUid(podUid, endpoints)) {
      if (!names.contains(svc)) {
        extra.add(svc);
      }
    }
    if (extra.isEmpty()) {
      return spec;
    }
    names.addAll(
        DnsNames.keepValid(
            "SpiffeID " + resource.namespace() + "/" + resource.name(), extra, warnings));
    return spec.withDnsNames(List.copyOf(names));
  }

  /**
   * The entry a SpiffeID object describes (upstream §6.3 step 4), with every selector kind of
   * upstream §3.3. Hand-written DNS names are validated and refused (product decision 2.8).
   *
   * @throws RejectedObjectException of kind {@code SpiffeID}, with reasons {@code malformed CRD
   *     parent ID: <reason>}, {@code malformed CRD SPIFFE ID: <reason>}, {@code invalid DNS name
   *     "<name>": <reason>}, {@code invalid federated trust domain "<td>": <reason>}, {@code
   *     selector list is empty} or a selector problem
   */
  public static EntrySpec fromSpiffeId(SpiffeIdResource resource) {
    SpiffeIdResource.Spec spec = resource.spec();
    SpiffeId parent;
    try {
      parent = SpiffeId.parse(spec.parentId());
    } catch (IllegalArgumentException e) {
      throw reject(resource, "malformed CRD parent ID: " + e.getMessage());
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(spec.spiffeId());
    } catch (IllegalArgumentException e) {
      throw reject(resource, "malformed CRD SPIFFE ID: " + e.getMessage());
    }
    List<Selector> selectors;
    try {
      selectors = selectors(spec.selector());
    } catch (IllegalArgumentException e) {
      throw reject(resource, e.getMessage());
    }
    if (selectors.isEmpty()) {
      throw reject(resource, "selector list is empty");
    }
    for (String name : spec.dnsNames()) {
      Optional<String> problem = DnsNameValidator.problem(name);
      if (problem.isPresent()) {
        throw reject(resource, "invalid DNS name \"" + name + "\": " + problem.get());
      }
    }
    List<TrustDomain> federatesWith = new ArrayList<>(spec.federatesWith().size());
    for (String item : spec.federatesWith()) {
      try {
        federatesWith.add(Federation.trustDomain(item));
      } catch (IllegalArgumentException e) {
        throw reject(resource, e.getMessage());
      }
    }
    return new EntrySpec(id, parent, selectors, spec.dnsNames(), federatesWith, spec.downstream());
  }

  /** The selectors of {@code spec.selector}, in upstream's order (the entry sorts them anyway). */
  private static List<Selector> selectors(SpiffeIdResource.Selector s) {
    List<Selector> out = new ArrayList<>();
    if (!s.cluster().isEmpty()) {
      out.add(Selector.psat("cluster:" + s.cluster()));
    }
    if (!s.agentNodeUid().isEmpty()) {
      out.add(Selector.psat("agent_node_uid:" + s.agentNodeUid()));
    }
    for (Map.Entry<String, String> label : new TreeMap<>(s.podLabel()).entrySet()) {
      out.add(Selector.k8s("pod-label:" + label.getKey() + ":" + label.getValue()));
    }
    addK8s(out, "pod-name:", s.podName());
    addK8s(out, "pod-uid:", s.podUid());
    addK8s(out, "ns:", s.namespace());
    addK8s(out, "sa:", s.serviceAccount());
    addK8s(out, "container-name:", s.containerName());
    addK8s(out, "container-image:", s.containerImage());
    addK8s(out, "node-name:", s.nodeName());
    for (String raw : s.arbitrary()) {
      // The type is always k8s and the value the whole raw string (upstream §3.3).
      out.add(Selector.k8s(raw));
    }
    return out;
  }

  private static void addK8s(List<Selector> out, String prefix, String value) {
    if (!value.isEmpty()) {
      out.add(Selector.k8s(prefix + value));
    }
  }

  private static RejectedObjectException reject(SpiffeIdResource r, String reason) {
    return new RejectedObjectException("SpiffeID", r.namespace(), r.name(), reason);
  }
}
