package org.spireregistrar.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * A deterministic cluster for the benchmark: pods spread over nodes and namespaces, each labelled
 * with the workload label reconcile mode's label policy reads, and a churn script (pods created,
 * relabelled, deleted) drawn from the same seed.
 *
 * <p>Only compact per-pod numbers are kept here; every {@link Workload} handed out is built afresh
 * (new strings, new maps), so the objects a strategy caches are reachable from the strategy alone
 * and the heap scenario measures the strategy, not this source.
 */
final class SyntheticCluster {
  /** The pod label the benchmark configuration names ({@code pod_label}). */
  static final String LABEL = "spire-workload";

  static final int NAMESPACES = 40;
  static final int APPS = 400;

  private final Random random;
  private final int nodes;
  private final List<Pod> pods = new ArrayList<>();
  private long nextId;

  /**
   * One pod in compact form: every string of its {@link Workload} derives from these numbers.
   *
   * @param deployment the app the pod belongs to (its name and service account)
   * @param label the app its workload label names (a relabel changes only this)
   */
  record Pod(long id, int namespace, int deployment, int label, int node, int suffix) {}

  /** What a churn event does. */
  enum Op {
    CREATE,
    RELABEL,
    DELETE
  }

  /**
   * One churn event.
   *
   * @param atNanos when to deliver it, from the start of the churn
   * @param op what happens
   * @param pod the pod after the event (for DELETE, the pod deleted)
   * @param workload the pod view to deliver (null for DELETE)
   */
  record Event(long atNanos, Op op, Pod pod, Workload workload) {}

  SyntheticCluster(long seed, int podCount, int nodeCount) {
    if (podCount < 0) {
      throw new IllegalArgumentException("--pods must not be negative: " + podCount);
    }
    if (nodeCount < 1) {
      throw new IllegalArgumentException("--nodes must be at least 1: " + nodeCount);
    }
    this.random = new Random(seed);
    this.nodes = nodeCount;
    for (int i = 0; i < podCount; i++) {
      pods.add(newPod());
    }
  }

  int podCount() {
    return pods.size();
  }

  /** Fresh views of every node. */
  List<NodeInfo> nodes() {
    List<NodeInfo> out = new ArrayList<>(nodes);
    for (int i = 0; i < nodes; i++) {
      out.add(new NodeInfo(nodeName(i), "node-uid-" + i, Map.of()));
    }
    return out;
  }

  /** Every pod now, in compact form. */
  List<Pod> pods() {
    return List.copyOf(pods);
  }

  /** Fresh views of every pod, in creation order. */
  List<Workload> workloads() {
    List<Workload> out = new ArrayList<>(pods.size());
    for (Pod p : pods) {
      out.add(workload(p));
    }
    return out;
  }

  /**
   * A churn script of {@code count} events, {@code intervalNanos} apart, a third each of creates,
   * relabels and deletes in random order; applies them to this cluster's state as it goes.
   */
  List<Event> churn(int count, long intervalNanos) {
    List<Event> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long at = i * intervalNanos;
      Op op = pods.isEmpty() ? Op.CREATE : Op.values()[random.nextInt(3)];
      switch (op) {
        case CREATE -> {
          Pod p = newPod();
          pods.add(p);
          out.add(new Event(at, op, p, workload(p)));
        }
        case RELABEL -> {
          int idx = random.nextInt(pods.size());
          Pod old = pods.get(idx);
          int label = (old.label() + 1 + random.nextInt(APPS - 1)) % APPS;
          Pod p =
              new Pod(old.id(), old.namespace(), old.deployment(), label, old.node(), old.suffix());
          pods.set(idx, p);
          out.add(new Event(at, op, p, workload(p)));
        }
        case DELETE -> {
          Pod p = removeAt(random.nextInt(pods.size()));
          out.add(new Event(at, op, p, null));
        }
      }
    }
    return out;
  }

  private Pod newPod() {
    long id = nextId++;
    int app = random.nextInt(APPS);
    return new Pod(
        id,
        random.nextInt(NAMESPACES),
        app,
        app,
        random.nextInt(nodes),
        random.nextInt(36 * 36 * 36 * 36 * 36));
  }

  private Pod removeAt(int idx) {
    // Swap-remove: O(1), and still deterministic for a given seed.
    Pod removed = pods.get(idx);
    Pod last = pods.remove(pods.size() - 1);
    if (idx < pods.size()) {
      pods.set(idx, last);
    }
    return removed;
  }

  static String nodeName(int i) {
    return String.format("node-%03d", i);
  }

  static String namespace(Pod p) {
    return "team-" + p.namespace();
  }

  /** {@code <app>-<5 base-36 chars>-<id>}: unique, and shaped like a Deployment's pod names. */
  static String podName(Pod p) {
    String suffix = Integer.toString(p.suffix(), 36);
    return appName(p.deployment())
        + "-"
        + "00000".substring(suffix.length())
        + suffix
        + "-"
        + p.id();
  }

  static String appName(int app) {
    return "app-" + app;
  }

  /** A fresh view of the pod: scheduled, with an IP, labelled with its app. */
  static Workload workload(Pod p) {
    String deployment = appName(p.deployment());
    String label = appName(p.label());
    long ip = p.id() + 1;
    String podIp = "10." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255);
    return new Workload(
        namespace(p),
        podName(p),
        "pod-uid-" + p.id(),
        "sa-" + deployment,
        nodeName(p.node()),
        "",
        podIp,
        Map.of(LABEL, label, "app", deployment),
        Map.of(),
        false);
  }
}
