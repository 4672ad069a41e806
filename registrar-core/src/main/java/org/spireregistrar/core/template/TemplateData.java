package org.spireregistrar.core.template;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.spireregistrar.core.model.Workload;

/**
 * The data the CRD-mode templates see (upstream §6.5): {@code .Pod.Name}, {@code .Pod.UID}, {@code
 * .Pod.Namespace}, {@code .Pod.ServiceAccount}, {@code .Pod.Hostname}, {@code .Pod.NodeName} and
 * {@code .Context.<key>}. Names are case-sensitive. Entries are in Go's field order, so that {@code
 * {{.Pod}}} prints as upstream's struct would.
 */
public final class TemplateData {
  private TemplateData() {}

  /** The data for rendering {@code pod}'s templates; {@code context} is the config's map. */
  public static Map<String, Object> forPod(Workload pod, Map<String, String> context) {
    Objects.requireNonNull(pod, "pod");
    return of(
        pod.serviceAccount(),
        pod.namespace(),
        pod.name(),
        pod.uid(),
        pod.hostname(),
        pod.nodeName(),
        context);
  }

  /**
   * Upstream's start-up check data: every Pod field {@code "xx"}, the UID {@code "123"}, and the
   * configured context.
   */
  public static Map<String, Object> dummy(Map<String, String> context) {
    return of("xx", "xx", "xx", "123", "xx", "xx", context);
  }

  private static Map<String, Object> of(
      String serviceAccount,
      String namespace,
      String name,
      String uid,
      String hostname,
      String nodeName,
      Map<String, String> context) {
    Map<String, Object> pod = new LinkedHashMap<>(8);
    pod.put("ServiceAccount", serviceAccount);
    pod.put("Namespace", namespace);
    pod.put("Name", name);
    pod.put("UID", uid);
    pod.put("Hostname", hostname);
    pod.put("NodeName", nodeName);
    Map<String, Object> data = new LinkedHashMap<>(4);
    data.put("Context", Map.copyOf(Objects.requireNonNullElse(context, Map.of())));
    data.put("Pod", Collections.unmodifiableMap(pod));
    return Collections.unmodifiableMap(data);
  }
}
