package org.spireregistrar.core.dns;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.template.CrdTemplates;
import org.spireregistrar.core.template.GoTemplate;
import org.spireregistrar.core.template.TemplateData;
import org.spireregistrar.core.template.TemplateException;

/**
 * CRD mode's DNS names for a pod (upstream §6.5, §6.6): the rendered {@code dns_name_templates} in
 * order (the first becomes the certificate CN), then {@code <endpointsName>.<namespace>.svc} for
 * every Endpoints object with a <em>ready</em> address targeting the pod, appended at the end,
 * de-duplicated.
 *
 * <p>An address targets the pod by {@code targetRef.uid} when both the address and the pod carry a
 * UID (upstream matches SpiffeIDs by their {@code podUid} label); when either UID is missing (e.g.
 * hand-written manifests given to {@code plan}), by kind {@code Pod}, namespace and name. Service
 * names are sorted byte-wise: upstream appends them in event order, which is not reproducible.
 *
 * <p>DNS templates have their spaces removed before parsing, as upstream does. Instances are
 * immutable and thread-safe.
 */
public final class ServiceDnsNames {
  private final List<GoTemplate> templates;
  private final Map<String, String> context;

  /**
   * @param dnsNameTemplates {@code dns_name_templates}; empty for no template names
   * @param context the {@code context} map, {@code .Context.<key>} in templates
   * @throws ConfigException {@code parsing dns name template: <reason>}
   */
  public ServiceDnsNames(List<String> dnsNameTemplates, Map<String, String> context) {
    List<GoTemplate> parsed = new ArrayList<>(dnsNameTemplates.size());
    for (int i = 0; i < dnsNameTemplates.size(); i++) {
      String text = dnsNameTemplates.get(i);
      try {
        parsed.add(GoTemplate.parse(CrdTemplates.dnsTemplateName(i), text.replace(" ", "")));
      } catch (TemplateException e) {
        throw new ConfigException("parsing dns name template: " + e.getMessage());
      }
    }
    this.templates = List.copyOf(parsed);
    this.context = Map.copyOf(context);
  }

  /** The templates of a crd-mode configuration. */
  public static ServiceDnsNames forConfig(CrdConfig crd) {
    return new ServiceDnsNames(crd.dnsNameTemplates(), crd.context());
  }

  /**
   * The rendered templates, in order, unvalidated.
   *
   * @throws RejectedObjectException {@code Pod <ns>/<name>: executing dns name template: <reason>},
   *     the reason naming the template as {@code dns_name_templates[<i>]}
   */
  public List<String> templateNames(Workload pod) {
    if (templates.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(templates.size());
    Map<String, ?> data = TemplateData.forPod(pod, context);
    for (int i = 0; i < templates.size(); i++) {
      try {
        out.add(templates.get(i).execute(data));
      } catch (TemplateException e) {
        throw new RejectedObjectException(
            "Pod", pod.namespace(), pod.name(), "executing dns name template: " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * The pod's names: templates, then (when {@code addServiceNames}) service names; de-duplicated,
   * first occurrence kept; names SPIRE would refuse dropped and reported to {@code warnings} as
   * {@code pod <ns>/<name>: dropped DNS name "<name>": <reason>}.
   *
   * @throws RejectedObjectException when a template fails to render for this pod
   */
  public List<String> of(
      Workload pod,
      Collection<EndpointsInfo> endpoints,
      boolean addServiceNames,
      Consumer<String> warnings) {
    Set<String> names = new LinkedHashSet<>(templateNames(pod));
    if (addServiceNames) {
      names.addAll(serviceNames(pod, endpoints));
    }
    return DnsNames.keepValid("pod " + pod.ref(), List.copyOf(names), warnings);
  }

  /**
   * {@code <endpointsName>.<namespace>.svc} for each Endpoints object with a ready address
   * targeting {@code pod} (by UID when both sides have one, else by kind, namespace and name),
   * sorted byte-wise, unvalidated.
   */
  public static List<String> serviceNames(Workload pod, Collection<EndpointsInfo> endpoints) {
    return serviceNames(
        endpoints,
        a ->
            !pod.uid().isEmpty() && !a.targetUid().isEmpty()
                ? a.targetUid().equals(pod.uid())
                : a.targetsPod(pod.namespace(), pod.name()));
  }

  /**
   * {@code <endpointsName>.<namespace>.svc} for each Endpoints object with a ready address whose
   * {@code targetRef.uid} is {@code podUid} (how upstream finds a SpiffeID by its {@code podUid}
   * label), sorted byte-wise; empty for an empty UID.
   */
  public static List<String> serviceNamesForPodUid(
      String podUid, Collection<EndpointsInfo> endpoints) {
    if (podUid.isEmpty()) {
      return List.of();
    }
    return serviceNames(endpoints, a -> a.targetUid().equals(podUid));
  }

  private static List<String> serviceNames(
      Collection<EndpointsInfo> endpoints, Predicate<EndpointsInfo.Address> targetsPod) {
    TreeSet<String> out = new TreeSet<>(DnsNames.BYTE_ORDER);
    for (EndpointsInfo ep : endpoints) {
      for (EndpointsInfo.Address address : ep.ready()) {
        if (targetsPod.test(address)) {
          out.add(ep.name() + "." + ep.namespace() + ".svc");
          break;
        }
      }
    }
    return List.copyOf(out);
  }
}
