package org.spireregistrar.reconcile;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.model.Workload;

/**
 * The pod fields reconcile mode reads under a configuration: namespace, name, service account,
 * node, termination, the pod IP only with DNS names, the configured label or annotation, and the
 * federation annotation. Pods reduced to them compare equal when a change cannot matter.
 */
final class RelevantFields {
  private RelevantFields() {}

  /** Reduces a pod to the fields reconcile mode reads under {@code config}. */
  static UnaryOperator<Workload> of(RegistrarConfig config) {
    String label = config.common().podLabel();
    String annotation = config.common().podAnnotation();
    boolean dns = config.reconcile().addPodDnsNames();
    return pod ->
        new Workload(
            pod.namespace(),
            pod.name(),
            "",
            pod.serviceAccount(),
            pod.nodeName(),
            "",
            dns ? pod.podIp() : "",
            only(pod.labels(), label),
            only(pod.annotations(), annotation, FEDERATES_WITH),
            pod.terminating());
  }

  private static final String FEDERATES_WITH = "spiffe.io/federatesWith";

  private static Map<String, String> only(Map<String, String> map, String... keys) {
    Map<String, String> out = null;
    for (String k : keys) {
      if (!k.isEmpty() && map.containsKey(k)) {
        if (out == null) {
          out = new HashMap<>(2);
        }
        out.put(k, map.get(k));
      }
    }
    return out == null ? Map.of() : out;
  }
}
