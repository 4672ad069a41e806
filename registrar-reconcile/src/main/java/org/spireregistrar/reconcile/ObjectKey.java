package org.spireregistrar.reconcile;

import java.util.List;
import java.util.Optional;
import org.spireregistrar.core.Selector;

/**
 * The Kubernetes object an owned entry belongs to. Reconcile mode keys entries by their selectors:
 * a pod's entry carries {@code k8s:ns} and {@code k8s:pod-name}, a node's entry {@code
 * k8s_psat:agent_node_name} and {@code k8s_psat:cluster}.
 */
public sealed interface ObjectKey permits ObjectKey.Pod, ObjectKey.Node {

  /** A pod by namespace and name (not UID: a recreated StatefulSet pod keeps its entry). */
  record Pod(String namespace, String name) implements ObjectKey {
    // equals and hashCode by hand: the generated ones go through method handles, which showed in
    // profiles of a full pass (every key of a pass is hashed several times).
    @Override
    public boolean equals(Object o) {
      return this == o
          || (o instanceof Pod p && name.equals(p.name) && namespace.equals(p.namespace));
    }

    @Override
    public int hashCode() {
      return 31 * namespace.hashCode() + name.hashCode();
    }

    @Override
    public String toString() {
      return "pod " + namespace + "/" + name;
    }
  }

  /** A node by name. */
  record Node(String name) implements ObjectKey {
    @Override
    public boolean equals(Object o) {
      return this == o || (o instanceof Node n && name.equals(n.name));
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return "node " + name;
    }
  }

  /**
   * The key of an entry with these (sorted) selectors in {@code cluster}, or empty when the
   * selectors are not those of a pod or node entry of this registrar.
   */
  static Optional<ObjectKey> ofSelectors(List<Selector> selectors, String cluster) {
    if (selectors.size() != 2) {
      return Optional.empty();
    }
    Selector a = selectors.get(0);
    Selector b = selectors.get(1);
    // Selectors are sorted by type then value: "k8s" < "k8s_psat"; "ns:" < "pod-name:".
    if (a.type().equals("k8s") && b.type().equals("k8s")) {
      if (a.value().startsWith("ns:") && b.value().startsWith("pod-name:")) {
        String ns = a.value().substring(3);
        String name = b.value().substring(9);
        if (!ns.isEmpty() && !name.isEmpty()) {
          return Optional.of(new Pod(ns, name));
        }
      }
      return Optional.empty();
    }
    if (a.type().equals("k8s_psat") && b.type().equals("k8s_psat")) {
      if (a.value().startsWith("agent_node_name:") && b.value().equals("cluster:" + cluster)) {
        String name = a.value().substring("agent_node_name:".length());
        if (!name.isEmpty()) {
          return Optional.of(new Node(name));
        }
      }
    }
    return Optional.empty();
  }
}
