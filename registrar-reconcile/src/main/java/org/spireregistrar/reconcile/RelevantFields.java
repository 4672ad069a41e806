package org.spireregistrar.reconcile;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.spireregistrar.core.SharedValues;
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
    // Every pod's view is kept: one copy of the strings many pods repeat.
    SharedValues<String> strings = new SharedValues<>(STRINGS);
    return pod -> {
      Workload reduced =
          new Workload(
              strings.share(pod.namespace()),
              pod.name(),
              "",
              strings.share(pod.serviceAccount()),
              strings.share(pod.nodeName()),
              "",
              dns ? pod.podIp() : "",
              only(pod.labels(), strings, label),
              only(pod.annotations(), strings, annotation, FEDERATES_WITH),
              pod.terminating());
      // Already reduced (by the informer): keep the one instance.
      return reduced.equals(pod) ? pod : reduced;
    };
  }

  private static final String FEDERATES_WITH = "spiffe.io/federatesWith";

  /** Most strings shared (namespaces, nodes, service accounts, label and annotation values). */
  static final int STRINGS = 1 << 16;

  private static Map<String, String> only(
      Map<String, String> map, SharedValues<String> strings, String... keys) {
    Map<String, String> out = null;
    for (String k : keys) {
      String v;
      if (!k.isEmpty() && (v = map.get(k)) != null) {
        if (out == null) {
          out = new HashMap<>(2);
        }
        // The key is the configuration's own string: shared already.
        out.put(k, strings.share(v));
      }
    }
    return out == null ? Map.of() : out;
  }
}
