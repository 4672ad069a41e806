package org.spireregistrar.reconcile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * The current pods, nodes and endpoints as the informers last reported them, with an index from
 * each pod to the Endpoints objects that target it. Thread-safe: informer threads write, the sync
 * thread reads.
 */
final class ClusterCache {
  private final Map<ObjectKey.Pod, CachedPod> pods = new ConcurrentHashMap<>();
  private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
  private final Map<EndpointsKey, EndpointsInfo> endpoints = new ConcurrentHashMap<>();
  private final Map<ObjectKey.Pod, Set<EndpointsKey>> endpointsByPod = new ConcurrentHashMap<>();
  // Counts Endpoints changes: what was computed from them is stale once it moves.
  private final AtomicLong endpointsVersion = new AtomicLong();

  record EndpointsKey(String namespace, String name) {}

  /**
   * A pod's view and, for the sync thread alone, the desired entry last computed from it: the view
   * is immutable and a change replaces the whole {@code CachedPod}, so what was computed from it
   * stays right while the Endpoints it read (DNS names) have not changed.
   */
  static final class CachedPod {
    final Workload pod;
    // Sync thread only: the desired entry (null: none) and the Endpoints version it was computed
    // at (-1: not computed yet).
    private EntrySpec desired;
    private long endpointsVersion = -1;
    // Sync thread only: the owned entry's spec this view was last found in sync with, alone under
    // its selectors, and the index version then (-1: never).
    private EntrySpec syncedSpec;
    private long syncedIndexVersion = -1;

    CachedPod(Workload pod) {
      this.pod = pod;
    }

    /** The desired entry computed at {@code version}, or null when there is none to reuse. */
    Optional<EntrySpec> desiredAt(long version) {
      return endpointsVersion == version ? Optional.ofNullable(desired) : null;
    }

    void desired(Optional<EntrySpec> spec, long version) {
      desired = spec.orElse(null);
      endpointsVersion = version;
    }

    /**
     * Records that the owned entry's spec {@code spec}, alone under its selectors, was found equal
     * to this view's desired entry while the index was at {@code indexVersion}.
     */
    void synced(EntrySpec spec, long indexVersion) {
      syncedSpec = spec;
      syncedIndexVersion = indexVersion;
    }

    /**
     * Whether this view was found in sync with {@code spec} itself (the same object) while the
     * index was at {@code indexVersion}: then nothing has changed on either side since.
     */
    boolean inSync(EntrySpec spec, long indexVersion) {
      return syncedSpec == spec && syncedIndexVersion == indexVersion;
    }

    /**
     * Keeps {@code equal} (an equal spec, e.g. the owned entry's) instead of the computed one, so
     * that the desired entry costs no memory of its own.
     */
    void share(EntrySpec equal) {
      if (desired != null && desired != equal && desired.equals(equal)) {
        desired = equal;
      }
    }
  }

  /** Stores the pod; returns the previous view (null when new). */
  Workload putPod(Workload pod) {
    Workload[] previous = new Workload[1];
    pods.compute(
        new ObjectKey.Pod(pod.namespace(), pod.name()),
        (key, old) -> {
          previous[0] = old == null ? null : old.pod;
          // An equal view (a change the policy does not read) keeps what was computed from it.
          return old != null && old.pod.equals(pod) ? old : new CachedPod(pod);
        });
    return previous[0];
  }

  Workload removePod(String namespace, String name) {
    CachedPod old = pods.remove(new ObjectKey.Pod(namespace, name));
    return old == null ? null : old.pod;
  }

  Workload pod(ObjectKey.Pod key) {
    CachedPod cached = pods.get(key);
    return cached == null ? null : cached.pod;
  }

  /** The pod with what the sync thread computed from it; null when absent. */
  CachedPod cachedPod(ObjectKey.Pod key) {
    return pods.get(key);
  }

  NodeInfo putNode(NodeInfo node) {
    return nodes.put(node.name(), node);
  }

  NodeInfo removeNode(String name) {
    return nodes.remove(name);
  }

  NodeInfo node(String name) {
    return nodes.get(name);
  }

  /**
   * Stores the Endpoints object and returns the pods whose DNS names may change: those targeted by
   * the previous or the new version.
   */
  synchronized Set<ObjectKey.Pod> putEndpoints(EndpointsInfo info) {
    EndpointsKey key = new EndpointsKey(info.namespace(), info.name());
    EndpointsInfo old = endpoints.put(key, info);
    Set<ObjectKey.Pod> affected = new HashSet<>();
    if (old != null) {
      unindex(key, old, affected);
    }
    for (ObjectKey.Pod pod : targets(info)) {
      endpointsByPod.computeIfAbsent(pod, k -> ConcurrentHashMap.newKeySet()).add(key);
      affected.add(pod);
    }
    // After the change: a pass that read the old version may have seen the new Endpoints (its
    // results are discarded), but one that read the new version never sees the old ones.
    endpointsVersion.incrementAndGet();
    return affected;
  }

  /** Removes the Endpoints object; returns the pods it targeted. */
  synchronized Set<ObjectKey.Pod> removeEndpoints(String namespace, String name) {
    EndpointsKey key = new EndpointsKey(namespace, name);
    EndpointsInfo old = endpoints.remove(key);
    Set<ObjectKey.Pod> affected = new HashSet<>();
    if (old != null) {
      unindex(key, old, affected);
    }
    endpointsVersion.incrementAndGet(); // after the change, as in putEndpoints
    return affected;
  }

  private void unindex(EndpointsKey key, EndpointsInfo old, Set<ObjectKey.Pod> affected) {
    for (ObjectKey.Pod pod : targets(old)) {
      Set<EndpointsKey> set = endpointsByPod.get(pod);
      if (set != null) {
        set.remove(key);
        if (set.isEmpty()) {
          endpointsByPod.remove(pod);
        }
      }
      affected.add(pod);
    }
  }

  private static Set<ObjectKey.Pod> targets(EndpointsInfo info) {
    Set<ObjectKey.Pod> out = new HashSet<>();
    for (List<EndpointsInfo.Address> list : List.of(info.ready(), info.notReady())) {
      for (EndpointsInfo.Address a : list) {
        if ("Pod".equals(a.targetKind()) && !a.targetName().isEmpty()) {
          String ns = a.targetNamespace().isEmpty() ? info.namespace() : a.targetNamespace();
          out.add(new ObjectKey.Pod(ns, a.targetName()));
        }
      }
    }
    return out;
  }

  /** How many times an Endpoints object was stored or removed. */
  long endpointsVersion() {
    return endpointsVersion.get();
  }

  /** The Endpoints objects that target the pod. */
  List<EndpointsInfo> endpointsFor(ObjectKey.Pod pod) {
    Set<EndpointsKey> keys = endpointsByPod.get(pod);
    if (keys == null) {
      return List.of();
    }
    List<EndpointsInfo> out = new ArrayList<>(keys.size());
    for (EndpointsKey k : keys) {
      EndpointsInfo e = endpoints.get(k);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  /** Pods and nodes held. */
  int size() {
    return pods.size() + nodes.size();
  }

  /**
   * Every pod's and node's key, read from the cache as it is iterated (no copy is made): weakly
   * consistent, so an object added or removed meanwhile may or may not be among them.
   */
  Iterable<ObjectKey> keys() {
    return () ->
        new Iterator<>() {
          private final Iterator<ObjectKey.Pod> pod = pods.keySet().iterator();
          private final Iterator<String> node = nodes.keySet().iterator();

          @Override
          public boolean hasNext() {
            return pod.hasNext() || node.hasNext();
          }

          @Override
          public ObjectKey next() {
            return pod.hasNext() ? pod.next() : new ObjectKey.Node(node.next());
          }
        };
  }
}
