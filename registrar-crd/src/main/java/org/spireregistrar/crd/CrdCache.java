package org.spireregistrar.crd;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.spireregistrar.core.entry.CrdEntries;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.crd.CrdKey.NodeKey;
import org.spireregistrar.crd.CrdKey.PodKey;
import org.spireregistrar.crd.CrdKey.SpiffeIdKey;
import org.spireregistrar.kubernetes.ClusterEvents;

/**
 * What the informers saw, with the indexes the controllers need, and the keys each change makes
 * dirty (the Endpoints controller lives here: an Endpoints change dirties the pods it targeted
 * before and after, and their SpiffeIDs). Thread-safe: informer threads write, the sync thread
 * reads.
 */
final class CrdCache implements ClusterEvents {
  /** The label the node controller sets on node SpiffeIDs. */
  static final String NODE_UID_LABEL = "nodeUid";

  private final String registrarNamespace;
  private final Consumer<Collection<CrdKey>> dirty;
  private final Runnable synced;

  private final Map<PodKey, Workload> pods = new HashMap<>();
  private final Map<String, Workload> podsByUid = new HashMap<>();
  private final Map<String, NodeInfo> nodes = new HashMap<>();
  private final Map<String, EndpointsInfo> endpoints = new HashMap<>();
  private final Map<String, Set<String>> endpointsByTargetUid = new HashMap<>();
  private final Map<SpiffeIdKey, SpiffeIdObject> spiffeIds = new HashMap<>();
  private final Map<PodKey, Set<SpiffeIdKey>> spiffeIdsByPod = new HashMap<>();
  private final Map<String, Set<SpiffeIdKey>> spiffeIdsByPodUid = new HashMap<>();
  // Entry IDs of deleted SpiffeIDs, kept when a same-name object is created meanwhile (a
  // recreated pod or node): the old object's entry is still to be deleted.
  private final Map<SpiffeIdKey, Set<String>> goneEntryIds = new HashMap<>();

  /**
   * @param registrarNamespace where node SpiffeIDs live
   * @param dirty receives the keys a change makes dirty
   * @param synced called when the cluster informers have listed once
   */
  CrdCache(String registrarNamespace, Consumer<Collection<CrdKey>> dirty, Runnable synced) {
    this.registrarNamespace = registrarNamespace;
    this.dirty = dirty;
    this.synced = synced;
  }

  // ---------------------------------------------------------------- events

  @Override
  public void podUpserted(Workload pod) {
    PodKey key = new PodKey(pod.namespace(), pod.name());
    synchronized (this) {
      Workload old = pods.put(key, pod);
      if (old != null && !old.uid().equals(pod.uid())) {
        podsByUid.remove(old.uid());
      }
      if (!pod.uid().isEmpty()) {
        podsByUid.put(pod.uid(), pod);
      }
    }
    dirty.accept(List.of(key));
  }

  @Override
  public void podDeleted(String namespace, String name) {
    PodKey key = new PodKey(namespace, name);
    synchronized (this) {
      Workload old = pods.remove(key);
      if (old != null) {
        podsByUid.remove(old.uid(), old);
      }
    }
    dirty.accept(List.of(key));
  }

  @Override
  public void nodeUpserted(NodeInfo node) {
    synchronized (this) {
      nodes.put(node.name(), node);
    }
    dirty.accept(List.of(new NodeKey(node.name())));
  }

  @Override
  public void nodeDeleted(String name) {
    synchronized (this) {
      nodes.remove(name);
    }
    dirty.accept(List.of(new NodeKey(name)));
  }

  @Override
  public void endpointsUpserted(EndpointsInfo ep) {
    endpointsChanged(ep.namespace() + "/" + ep.name(), ep);
  }

  @Override
  public void endpointsDeleted(String namespace, String name) {
    endpointsChanged(namespace + "/" + name, null);
  }

  private void endpointsChanged(String key, EndpointsInfo now) {
    Set<String> uids = new HashSet<>();
    List<CrdKey> keys = new ArrayList<>();
    synchronized (this) {
      EndpointsInfo old = now == null ? endpoints.remove(key) : endpoints.put(key, now);
      if (old != null) {
        for (EndpointsInfo.Address a : old.ready()) {
          uids.add(a.targetUid());
          unindex(endpointsByTargetUid, a.targetUid(), key);
        }
      }
      if (now != null) {
        for (EndpointsInfo.Address a : now.ready()) {
          uids.add(a.targetUid());
          if (!a.targetUid().isEmpty()) {
            endpointsByTargetUid.computeIfAbsent(a.targetUid(), k -> new HashSet<>()).add(key);
          }
        }
      }
      uids.remove("");
      // Every ready address is looked at (upstream stops at the first without a SpiffeID).
      for (String uid : uids) {
        Workload pod = podsByUid.get(uid);
        if (pod != null) {
          keys.add(new PodKey(pod.namespace(), pod.name()));
        }
        keys.addAll(spiffeIdsByPodUid.getOrDefault(uid, Set.of()));
      }
    }
    if (!keys.isEmpty()) {
      dirty.accept(keys);
    }
  }

  @Override
  public void cachesSynced() {
    synced.run();
  }

  void spiffeIdUpserted(SpiffeIdObject s) {
    SpiffeIdKey key = new SpiffeIdKey(s.namespace(), s.name());
    List<CrdKey> keys = new ArrayList<>(List.of(key));
    synchronized (this) {
      SpiffeIdObject old = spiffeIds.put(key, s);
      if (old != null) {
        unindex(spiffeIdsByPod, podOf(old), key);
        unindex(spiffeIdsByPodUid, old.label(CrdEntries.POD_UID_LABEL), key);
      }
      String podUid = s.label(CrdEntries.POD_UID_LABEL);
      if (!podUid.isEmpty()) {
        spiffeIdsByPodUid.computeIfAbsent(podUid, k -> new HashSet<>()).add(key);
      }
      PodKey pod = podOf(s);
      if (pod != null) {
        spiffeIdsByPod.computeIfAbsent(pod, k -> new HashSet<>()).add(key);
        keys.add(pod);
      }
      nodeOf(s).ifPresent(keys::add);
    }
    dirty.accept(keys);
  }

  void spiffeIdDeleted(SpiffeIdObject s) {
    SpiffeIdKey key = new SpiffeIdKey(s.namespace(), s.name());
    List<CrdKey> keys = new ArrayList<>(List.of(key));
    synchronized (this) {
      SpiffeIdObject old = spiffeIds.remove(key);
      SpiffeIdObject last = old != null ? old : s;
      // The final state can be newer than the cached one (a status write whose event has not
      // arrived yet): the entries both name are to be looked at.
      for (SpiffeIdObject state : List.of(s, last)) {
        if (!state.entryId().isEmpty()) {
          goneEntryIds.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(state.entryId());
        }
      }
      unindex(spiffeIdsByPod, podOf(last), key);
      unindex(spiffeIdsByPodUid, last.label(CrdEntries.POD_UID_LABEL), key);
      PodKey pod = podOf(last);
      if (pod != null) {
        keys.add(pod);
      }
      nodeOf(last).ifPresent(keys::add);
    }
    dirty.accept(keys);
  }

  /** The pod a generated SpiffeID is for: its Pod owner's name, else its own name. */
  private static PodKey podOf(SpiffeIdObject s) {
    if (s == null || s.label(CrdEntries.POD_UID_LABEL).isEmpty()) {
      return null;
    }
    String name =
        s.owners().stream()
            .filter(o -> o.kind().equals("Pod"))
            .map(SpiffeIdObject.Owner::name)
            .findFirst()
            .orElse(s.name());
    return new PodKey(s.namespace(), name);
  }

  private Optional<CrdKey> nodeOf(SpiffeIdObject s) {
    if (s.namespace().equals(registrarNamespace) && !s.label(NODE_UID_LABEL).isEmpty()) {
      return Optional.of(new NodeKey(s.name()));
    }
    return Optional.empty();
  }

  private static <K, V> void unindex(Map<K, Set<V>> index, K key, V value) {
    if (key == null) {
      return;
    }
    Set<V> set = index.get(key);
    if (set != null && set.remove(value) && set.isEmpty()) {
      index.remove(key);
    }
  }

  // ---------------------------------------------------------------- reads (sync thread)

  synchronized Workload pod(PodKey key) {
    return pods.get(key);
  }

  synchronized boolean podLive(String uid) {
    return podsByUid.containsKey(uid);
  }

  synchronized NodeInfo node(String name) {
    return nodes.get(name);
  }

  synchronized SpiffeIdObject spiffeId(SpiffeIdKey key) {
    return spiffeIds.get(key);
  }

  /** The SpiffeIDs generated for the pod {@code key} names (by owner or name). */
  synchronized List<SpiffeIdObject> spiffeIdsOfPod(PodKey key) {
    Set<SpiffeIdKey> keys = new LinkedHashSet<>();
    keys.add(new SpiffeIdKey(key.namespace(), key.name()));
    keys.addAll(spiffeIdsByPod.getOrDefault(key, Set.of()));
    List<SpiffeIdObject> out = new ArrayList<>();
    for (SpiffeIdKey k : keys) {
      SpiffeIdObject s = spiffeIds.get(k);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  /** The Endpoints with a ready address targeting the pod with {@code uid}. */
  synchronized List<EndpointsInfo> endpointsTargeting(String uid) {
    List<EndpointsInfo> out = new ArrayList<>();
    for (String key : endpointsByTargetUid.getOrDefault(uid, Set.of())) {
      EndpointsInfo ep = endpoints.get(key);
      if (ep != null) {
        out.add(ep);
      }
    }
    return out;
  }

  /** The last known entry ID of a SpiffeID that is gone; cleared once handled. */
  synchronized Set<String> takeGoneEntryIds(SpiffeIdKey key) {
    Set<String> ids = goneEntryIds.remove(key);
    return ids == null ? Set.of() : ids;
  }

  synchronized List<SpiffeIdObject> allSpiffeIds() {
    return List.copyOf(spiffeIds.values());
  }

  /** Every key, for a full resync. */
  synchronized List<CrdKey> allKeys() {
    List<CrdKey> out = new ArrayList<>();
    out.addAll(pods.keySet());
    for (String n : nodes.keySet()) {
      out.add(new NodeKey(n));
    }
    for (SpiffeIdObject s : spiffeIds.values()) {
      out.add(new SpiffeIdKey(s.namespace(), s.name()));
      PodKey pod = podOf(s);
      if (pod != null) {
        out.add(pod);
      }
      nodeOf(s).ifPresent(out::add);
    }
    out.addAll(goneEntryIds.keySet());
    return out;
  }

  synchronized int spiffeIdCount() {
    return spiffeIds.size();
  }
}
