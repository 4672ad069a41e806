package org.spireregistrar.crd;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.entry.CrdEntries;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.crd.CrdKey.NodeKey;
import org.spireregistrar.crd.CrdKey.PodKey;

/**
 * The pod and node controllers ({@code pod_controller}, upstream §6.4–6.5): one SpiffeID per Node
 * (in the registrar namespace, label {@code nodeUid}) and per Pod the identity policy applies to
 * (in the pod's namespace, label {@code podUid}), named after the object, owned by it through a
 * non-blocking controller owner reference, with the spec of core {@link CrdEntries} — so the
 * entries are exactly what {@code plan} prints. Unlike upstream:
 *
 * <ul>
 *   <li>a generated SpiffeID is brought back to the desired spec, labels and owner in every field;
 *   <li>a node SpiffeID follows a new node UID;
 *   <li>a pod the policy no longer applies to (label removed, set to false, namespace disabled)
 *       loses its SpiffeID;
 *   <li>a same-name SpiffeID of a pod that is gone (StatefulSet) is deleted at once and replaced;
 *   <li>a hand-written SpiffeID with the pod's name is left alone and the pod's SpiffeID is named
 *       {@code <pod>-pod-<first 8 of UID>} instead (logged once), so it never blocks the pod.
 * </ul>
 */
final class PodController {
  private static final Logger log = LoggerFactory.getLogger(PodController.class);

  private final CrdEntries entries;
  private final CrdCache cache;
  private final SpiffeIdClient client;
  private final String registrarNamespace;
  private final String cluster;
  private final Map<Object, String> logged = new ConcurrentHashMap<>();

  PodController(
      CrdEntries entries, CrdCache cache, SpiffeIdClient client, String namespace, String cluster) {
    this.cluster = cluster;
    this.entries = entries;
    this.cache = cache;
    this.client = client;
    this.registrarNamespace = namespace;
  }

  /** Brings the pod's SpiffeIDs to the desired state; false when a write failed (retry). */
  boolean sync(PodKey key) {
    Workload pod = cache.pod(key);
    Optional<EntrySpec> desired;
    try {
      desired =
          pod == null
              ? Optional.empty()
              : entries.podEntry(pod, cache.endpointsTargeting(pod.uid()), w -> warnOnce(key, w));
    } catch (RejectedObjectException e) {
      // Bad input: its SpiffeID (if any) is left as it is until the pod changes.
      warnOnce(key, e.getMessage());
      return true;
    }
    boolean ok = true;
    SpiffeIdObject keep = null;
    boolean manualAtName = false;
    boolean nameBlocked = false;
    for (SpiffeIdObject s : cache.spiffeIdsOfPod(key)) {
      String podUid = s.label(CrdEntries.POD_UID_LABEL);
      boolean generated = !podUid.isEmpty() || !s.ownerUid("Pod").isEmpty();
      if (!generated) {
        manualAtName = s.name().equals(key.name());
        continue;
      }
      boolean mine = pod != null && (podUid.equals(pod.uid()) || s.ownedBy("Pod", pod.uid()));
      if (mine && desired.isPresent() && keep == null && !s.deleting()) {
        keep = s;
      } else if (mine || !livePod(s)) {
        // Not desired any more, a duplicate, or the SpiffeID of a pod that is gone.
        if (!s.deleting()) {
          log.info(
              "Deleting SpiffeID {}/{}: {}",
              GoQuote.quote(s.namespace()),
              GoQuote.quote(s.name()),
              mine ? "no longer desired for its pod" : "its pod is gone");
          ok &= client.delete(s.namespace(), s.name());
        }
        if (s.name().equals(key.name())) {
          nameBlocked = true; // wait for it to go; its deletion event brings us back
        }
      } else if (s.name().equals(key.name())) {
        nameBlocked = true; // a live pod's SpiffeID (the cache lags): wait
      }
    }
    if (desired.isEmpty() || (keep == null && nameBlocked && !manualAtName)) {
      return ok;
    }
    String name = keep != null ? keep.name() : manualAtName ? altName(key, pod) : key.name();
    JsonObject want = podObject(pod, name, desired.get());
    return ok & apply(key, keep, want, desired.get(), "Pod", pod.uid());
  }

  private boolean livePod(SpiffeIdObject s) {
    String uid = s.label(CrdEntries.POD_UID_LABEL);
    if (uid.isEmpty()) {
      uid = s.ownerUid("Pod");
    }
    return cache.podLive(uid);
  }

  private String altName(PodKey key, Workload pod) {
    String alt = key.name() + "-pod-" + pod.uid().substring(0, Math.min(8, pod.uid().length()));
    warnOnce(
        key,
        "SpiffeID "
            + GoQuote.quote(key.namespace() + "/" + key.name())
            + " was not generated for pod "
            + GoQuote.quote(pod.ref())
            + " and is left alone; the pod's SpiffeID is "
            + GoQuote.quote(key.namespace() + "/" + alt));
    return alt;
  }

  /** Brings the node's SpiffeID to the desired state; false when a write failed (retry). */
  boolean sync(NodeKey key) {
    NodeInfo node = cache.node(key.name());
    SpiffeIdObject s = cache.spiffeId(new CrdKey.SpiffeIdKey(registrarNamespace, key.name()));
    boolean generated =
        s != null && (!s.label(CrdCache.NODE_UID_LABEL).isEmpty() || !s.ownerUid("Node").isEmpty());
    if (s != null && !generated) {
      warnOnce(
          key,
          "SpiffeID "
              + GoQuote.quote(registrarNamespace + "/" + key.name())
              + " was not generated for node "
              + GoQuote.quote(key.name())
              + "; left alone");
      return true;
    }
    if (node == null) {
      if (s != null && !s.deleting()) {
        log.info("Deleting SpiffeID {}/{}: its node is gone", registrarNamespace, key.name());
        return client.delete(registrarNamespace, key.name());
      }
      return true;
    }
    EntrySpec desired;
    try {
      desired = entries.nodeEntry(node);
    } catch (RejectedObjectException e) {
      warnOnce(key, e.getMessage());
      return true;
    }
    if (s != null && s.deleting()) {
      return true; // its deletion event brings us back
    }
    return apply(key, s, nodeObject(node, desired), desired, "Node", node.uid());
  }

  /** Creates {@code want}, or changes {@code current} to it when it differs. */
  private boolean apply(
      Object key,
      SpiffeIdObject current,
      JsonObject want,
      EntrySpec desired,
      String kind,
      String uid) {
    if (current == null) {
      log.info(
          "Creating SpiffeID {}/{} for {} {}",
          GoQuote.quote(
              SpiffeIdObject.string(SpiffeIdObject.object(want, "metadata"), "namespace")),
          GoQuote.quote(SpiffeIdObject.string(SpiffeIdObject.object(want, "metadata"), "name")),
          kind,
          GoQuote.quote(desired.spiffeId().toString()));
      return client.create(want);
    }
    if (upToDate(current, desired, kind, uid)) {
      logged.remove(key);
      return true;
    }
    log.info(
        "Updating SpiffeID {}/{} to the desired spec of its {}",
        GoQuote.quote(current.namespace()),
        GoQuote.quote(current.name()),
        kind);
    JsonObject wantMeta = SpiffeIdObject.object(want, "metadata");
    return client.modify(
        current.namespace(),
        current.name(),
        current.uid(),
        o -> {
          o.add("spec", want.get("spec").deepCopy());
          JsonObject meta = SpiffeIdObject.object(o, "metadata");
          JsonObject labels = SpiffeIdObject.object(meta, "labels");
          for (var e : SpiffeIdObject.object(wantMeta, "labels").entrySet()) {
            labels.add(e.getKey(), e.getValue().deepCopy());
          }
          meta.add("labels", labels);
          JsonArray owners = new JsonArray();
          for (JsonElement e : SpiffeIdObject.array(meta, "ownerReferences")) {
            if (!(e.isJsonObject()
                && kind.equals(SpiffeIdObject.string(e.getAsJsonObject(), "kind")))) {
              owners.add(e);
            }
          }
          owners.addAll(SpiffeIdObject.array(wantMeta, "ownerReferences"));
          meta.add("ownerReferences", owners);
          o.add("metadata", meta);
        });
  }

  private static boolean upToDate(SpiffeIdObject s, EntrySpec desired, String kind, String uid) {
    String label = kind.equals("Pod") ? CrdEntries.POD_UID_LABEL : CrdCache.NODE_UID_LABEL;
    if (!s.label(label).equals(uid) || !s.ownedBy(kind, uid)) {
      return false;
    }
    try {
      return CrdEntries.fromSpiffeId(s.view()).equals(desired)
          && s.view().spec().dnsNames().equals(desired.dnsNames());
    } catch (RejectedObjectException e) {
      return false;
    }
  }

  private JsonObject podObject(Workload pod, String name, EntrySpec spec) {
    JsonObject selector = new JsonObject();
    selector.addProperty("podUid", pod.uid());
    selector.addProperty("namespace", pod.namespace());
    selector.addProperty("nodeName", pod.nodeName());
    return object(
        pod.namespace(),
        name,
        CrdEntries.POD_UID_LABEL,
        owner("v1", "Pod", pod.name(), pod.uid()),
        spec,
        selector);
  }

  private JsonObject nodeObject(NodeInfo node, EntrySpec spec) {
    JsonObject selector = new JsonObject();
    selector.addProperty("cluster", cluster);
    selector.addProperty("agent_node_uid", node.uid());
    return object(
        registrarNamespace,
        node.name(),
        CrdCache.NODE_UID_LABEL,
        owner("v1", "Node", node.name(), node.uid()),
        spec,
        selector);
  }

  private static JsonObject owner(String apiVersion, String kind, String name, String uid) {
    JsonObject o = new JsonObject();
    o.addProperty("apiVersion", apiVersion);
    o.addProperty("kind", kind);
    o.addProperty("name", name);
    o.addProperty("uid", uid);
    o.addProperty("controller", true);
    // Non-blocking, as upstream: pods and nodes can be deleted while the registrar is down.
    o.addProperty("blockOwnerDeletion", false);
    return o;
  }

  private static JsonObject object(
      String namespace,
      String name,
      String label,
      JsonObject owner,
      EntrySpec spec,
      JsonObject selector) {
    JsonObject meta = new JsonObject();
    meta.addProperty("name", name);
    meta.addProperty("namespace", namespace);
    JsonObject labels = new JsonObject();
    labels.addProperty(label, owner.get("uid").getAsString());
    meta.add("labels", labels);
    JsonArray owners = new JsonArray();
    owners.add(owner);
    meta.add("ownerReferences", owners);
    JsonObject s = new JsonObject();
    s.addProperty("parentId", spec.parentId().toString());
    s.addProperty("spiffeId", spec.spiffeId().toString());
    s.add("selector", selector);
    if (!spec.dnsNames().isEmpty()) {
      JsonArray dns = new JsonArray();
      spec.dnsNames().forEach(dns::add);
      s.add("dnsNames", dns);
    }
    if (!spec.federatesWith().isEmpty()) {
      JsonArray fed = new JsonArray();
      for (TrustDomain td : spec.federatesWith()) {
        fed.add(td.name());
      }
      s.add("federatesWith", fed);
    }
    if (spec.downstream()) {
      s.addProperty("downstream", true);
    }
    JsonObject o = new JsonObject();
    o.addProperty("apiVersion", "spiffeid.spiffe.io/v1beta1");
    o.addProperty("kind", "SpiffeID");
    o.add("metadata", meta);
    o.add("spec", s);
    return o;
  }

  /** Logs {@code message} at WARN once per key until it changes (no log flood on resyncs). */
  private void warnOnce(Object key, String message) {
    if (!message.equals(logged.put(key, message))) {
      log.warn("{}", message);
    }
  }
}
