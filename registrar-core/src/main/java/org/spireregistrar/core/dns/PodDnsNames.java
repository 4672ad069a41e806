package org.spireregistrar.core.dns;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.Workload;

/**
 * Reconcile mode's DNS names for a pod (upstream §5.4), the names CoreDNS answers for it.
 *
 * <p>Order: first {@code <ip>.<ns>.pod.<zone>} and {@code <ip>.<ns>.pod} (the first becomes the
 * certificate CN), then the names derived from the Endpoints that target the pod, de-duplicated and
 * sorted byte-wise. A pod without an IP gets no names at all; it is handled again once it has one.
 *
 * <p>Endpoints names: for every Endpoints object with an address ({@code addresses} or {@code
 * notReadyAddresses}) whose targetRef is this pod (kind {@code Pod}, same name and namespace), the
 * search-path set of {@code <svc>}; then per such address the set of {@code <hostname>.<svc>} when
 * the address has a hostname without dots (headless services), otherwise the sets of {@code
 * <ip>.<svc>} and, when the pod name has no dots, {@code <podName>.<svc>}. The search-path set of a
 * prefix {@code p} is {@code p.<ns>.svc.<zone>}, {@code p.<ns>.svc}, {@code p.<ns>}, {@code p}.
 * Endpoints whose name or namespace is empty or contains a dot are skipped.
 *
 * <p>IPs are "munged" as upstream does: an IP containing {@code .} has each dot replaced by {@code
 * -} ({@code 10.1.2.3} → {@code 10-1-2-3}); otherwise each {@code :} is ({@code fd00::5} → {@code
 * fd00--5}). An IPv4-mapped IPv6 address therefore keeps its colons and yields names that {@link
 * #of(Workload, Collection, String, Consumer)} drops.
 */
public final class PodDnsNames {
  private PodDnsNames() {}

  /**
   * All names upstream would generate, unvalidated.
   *
   * @param pod the pod
   * @param endpointsInNamespace Endpoints objects to consider; those of other namespaces and those
   *     not targeting the pod are ignored, so passing more is harmless
   * @param zone the cluster DNS zone, e.g. {@code cluster.local}
   * @return the names in entry order; empty when the pod has no IP
   */
  public static List<String> of(
      Workload pod, Collection<EndpointsInfo> endpointsInNamespace, String zone) {
    if (pod.podIp().isEmpty()) {
      return List.of();
    }
    String ns = pod.namespace();
    List<String> names = new ArrayList<>();
    String podIp = munge(pod.podIp());
    names.add(podIp + "." + ns + ".pod." + zone);
    names.add(podIp + "." + ns + ".pod");
    if (endpointsInNamespace.isEmpty()) {
      return names; // the usual case: no Service selects the pod
    }

    TreeSet<String> endpointNames = new TreeSet<>(DnsNames.BYTE_ORDER);
    for (EndpointsInfo ep : endpointsInNamespace) {
      if (!ep.namespace().equals(ns)
          || !validComponent(ep.name())
          || !validComponent(ep.namespace())) {
        continue;
      }
      List<EndpointsInfo.Address> mine = addressesOf(ep, pod);
      if (mine.isEmpty()) {
        continue;
      }
      String svc = ep.name();
      addSearchPath(endpointNames, svc, ns, zone);
      for (EndpointsInfo.Address address : mine) {
        if (validComponent(address.hostname())) {
          addSearchPath(endpointNames, address.hostname() + "." + svc, ns, zone);
        } else {
          addSearchPath(endpointNames, munge(address.ip()) + "." + svc, ns, zone);
          if (validComponent(address.targetName())) {
            addSearchPath(endpointNames, address.targetName() + "." + svc, ns, zone);
          }
        }
      }
    }
    // The pod-IP names are not de-duplicated against these; they cannot collide in practice.
    names.addAll(endpointNames);
    return names;
  }

  /**
   * {@link #of(Workload, Collection, String)} without the names SPIRE would refuse; each dropped
   * name is reported to {@code warnings} (see {@link DnsNames#keepValid}).
   */
  public static List<String> of(
      Workload pod,
      Collection<EndpointsInfo> endpointsInNamespace,
      String zone,
      Consumer<String> warnings) {
    return DnsNames.keepValid("pod " + pod.ref(), of(pod, endpointsInNamespace, zone), warnings);
  }

  /** Upstream's IP munging: dots to dashes for IPv4 (and IPv4-mapped), else colons to dashes. */
  public static String munge(String ip) {
    if (ip.indexOf('.') >= 0) {
      return ip.replace('.', '-');
    }
    if (ip.indexOf(':') >= 0) {
      return ip.replace(':', '-');
    }
    return ip;
  }

  private static List<EndpointsInfo.Address> addressesOf(EndpointsInfo ep, Workload pod) {
    List<EndpointsInfo.Address> out = new ArrayList<>(1);
    for (EndpointsInfo.Address a : ep.ready()) {
      if (a.targetsPod(pod.namespace(), pod.name())) {
        out.add(a);
      }
    }
    for (EndpointsInfo.Address a : ep.notReady()) {
      if (a.targetsPod(pod.namespace(), pod.name())) {
        out.add(a);
      }
    }
    return out;
  }

  private static void addSearchPath(TreeSet<String> out, String prefix, String ns, String zone) {
    out.add(prefix + "." + ns + ".svc." + zone);
    out.add(prefix + "." + ns + ".svc");
    out.add(prefix + "." + ns);
    out.add(prefix);
  }

  /** Upstream's "valid component": non-empty and without dots. */
  private static boolean validComponent(String s) {
    return !s.isEmpty() && s.indexOf('.') < 0;
  }
}
