package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the control plane does around stored objects, on one worker thread, acting through the store
 * as a controller acts through the API (so webhooks see its writes, as its service account):
 *
 * <ul>
 *   <li>the garbage collector: an object all of whose {@code ownerReferences} name owners that are
 *       gone (by uid) is deleted; owners deleted with {@code propagationPolicy: Orphan} (the {@code
 *       orphan} finalizer) release their dependents first, owners deleted with {@code Foreground}
 *       (the {@code foregroundDeletion} finalizer) wait until their {@code blockOwnerDeletion}
 *       dependents are gone;
 *   <li>the namespace controller: a terminating namespace's objects are deleted (their finalizers
 *       are honoured), and the namespace goes once it is empty.
 * </ul>
 *
 * <p>The store tells the worker of every change while holding its lock, so by the time a write
 * returns, the work it causes is queued: {@link #awaitIdle} then waits for it deterministically.
 * Work that fails (a webhook denies the controller's write) is retried after the next change to the
 * store, not on a timer, so the worker always becomes idle.
 */
final class Controllers implements ObjectStore.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Controllers.class);

  private sealed interface Item permits ObjectItem, NamespaceItem {}

  /** Look at an object: its owners, or the GC finalizer it is being deleted with. */
  private record ObjectItem(ObjectStore.Ref ref) implements Item {}

  /** Empty a terminating namespace and let it go. */
  private record NamespaceItem(String name) implements Item {}

  private final ObjectStore store;
  private final Registry registry;
  private final ValidatingWebhooks webhooks;
  private final Object monitor = new Object();
  private final Set<Item> pending = new LinkedHashSet<>();
  private final Set<Item> deferred = new LinkedHashSet<>();
  private final Thread worker;
  private boolean busy;
  private boolean closed;

  Controllers(ObjectStore store, Registry registry, ValidatingWebhooks webhooks) {
    this.store = store;
    this.registry = registry;
    this.webhooks = webhooks;
    worker = new Thread(this::run, "k8s-api-stand-in-controllers");
    worker.setDaemon(true);
  }

  void start() {
    store.listener(this);
    worker.start();
  }

  void close() {
    synchronized (monitor) {
      closed = true;
      monitor.notifyAll();
    }
    worker.interrupt();
  }

  /**
   * Waits until there is no queued work and none in progress.
   *
   * @return false if that did not happen within the timeout
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (monitor) {
      while (!pending.isEmpty() || busy) {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
          return false;
        }
        monitor.wait(ms);
      }
      return true;
    }
  }

  // ---------------------------------------------------------------- what to look at

  @Override
  public void changed(ResourceType type, String eventType, ObjectNode previous, ObjectNode object) {
    List<Item> items = new ArrayList<>();
    JsonNode meta = object.path("metadata");
    if (eventType.equals("DELETED")) {
      // Its dependents may now have no owner left, and its owners may be waiting for it.
      for (ObjectStore.Ref dependent : store.dependentsOf(meta.path("uid").asText())) {
        items.add(new ObjectItem(dependent));
      }
      for (JsonNode owner : meta.path("ownerReferences")) {
        store.refOf(owner.path("uid").asText("")).ifPresent(ref -> items.add(new ObjectItem(ref)));
      }
      String namespace = meta.path("namespace").asText("");
      if (type.namespaced() && terminating(namespace)) {
        items.add(new NamespaceItem(namespace));
      }
    } else {
      boolean deleting = meta.has("deletionTimestamp");
      if (meta.path("ownerReferences").size() > 0
          || deleting
              && (ObjectStore.hasFinalizer(object, ObjectStore.ORPHAN_FINALIZER)
                  || ObjectStore.hasFinalizer(object, ObjectStore.FOREGROUND_FINALIZER))) {
        items.add(new ObjectItem(ObjectStore.refTo(type, object)));
      }
      if (deleting && type.equals(ResourceType.NAMESPACES)) {
        items.add(new NamespaceItem(meta.path("name").asText()));
      }
    }
    synchronized (monitor) {
      pending.addAll(items);
      // Something changed: what failed before may succeed now.
      pending.addAll(deferred);
      deferred.clear();
      if (!pending.isEmpty()) {
        monitor.notifyAll();
      }
    }
  }

  private boolean terminating(String namespace) {
    return store
        .find(ResourceType.NAMESPACES, "", namespace)
        .map(ns -> ns.path("metadata").has("deletionTimestamp"))
        .orElse(false);
  }

  private void run() {
    while (true) {
      Item item;
      synchronized (monitor) {
        busy = false;
        monitor.notifyAll();
        while (pending.isEmpty() && !closed) {
          try {
            monitor.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        Iterator<Item> it = pending.iterator();
        item = it.next();
        it.remove();
        busy = true;
      }
      try {
        if (item instanceof ObjectItem o) {
          process(o.ref());
        } else if (item instanceof NamespaceItem n) {
          emptyNamespace(n.name());
        }
      } catch (ApiStatusException e) {
        if (e.code() == 409) {
          requeue(item); // the object changed meanwhile: look again
        } else if (e.code() != 404) {
          LOG.warn("{}: {}; retried after the next change", item, e.getMessage());
          defer(item);
        }
      } catch (RuntimeException e) {
        LOG.warn("{} failed; retried after the next change", item, e);
        defer(item);
      }
    }
  }

  private void requeue(Item item) {
    synchronized (monitor) {
      pending.add(item);
    }
  }

  private void defer(Item item) {
    synchronized (monitor) {
      deferred.add(item);
    }
  }

  // ---------------------------------------------------------------- garbage collector

  private void process(ObjectStore.Ref ref) {
    Optional<ObjectNode> found = store.find(ref);
    if (found.isEmpty()) {
      return;
    }
    ResourceType type = store.typeOf(ref);
    ObjectNode obj = found.get();
    if (obj.path("metadata").has("deletionTimestamp")) {
      if (ObjectStore.hasFinalizer(obj, ObjectStore.ORPHAN_FINALIZER)) {
        orphanDependents(type, obj);
      } else if (ObjectStore.hasFinalizer(obj, ObjectStore.FOREGROUND_FINALIZER)) {
        deleteDependentsFirst(type, obj);
      }
      return; // otherwise it is being deleted already
    }
    if (obj.path("metadata").path("ownerReferences").size() > 0) {
      attemptToDelete(type, obj);
    }
  }

  /** Releases every dependent (removes its reference to the owner), then the orphan finalizer. */
  private void orphanDependents(ResourceType type, ObjectNode owner) {
    String uid = Json.text(owner, "metadata.uid");
    for (ObjectStore.Ref ref : store.dependentsOf(uid)) {
      Optional<ObjectNode> dependent = store.find(ref);
      if (dependent.isPresent()) {
        update(store.typeOf(ref), dependent.get(), o -> removeOwnerReferences(o, Set.of(uid)));
      }
    }
    update(type, owner, o -> removeFinalizer(o, ObjectStore.ORPHAN_FINALIZER));
  }

  /**
   * Deletes the dependents of an owner deleted in the foreground, and lets the owner go once none
   * that blocks it ({@code blockOwnerDeletion: true}) is left.
   */
  private void deleteDependentsFirst(ResourceType type, ObjectNode owner) {
    String uid = Json.text(owner, "metadata.uid");
    for (ObjectStore.Ref ref : store.dependentsOf(uid)) {
      Optional<ObjectNode> dependent = store.find(ref);
      if (dependent.isPresent() && !dependent.get().path("metadata").has("deletionTimestamp")) {
        attemptToDelete(store.typeOf(ref), dependent.get());
      }
    }
    for (ObjectStore.Ref ref : store.dependentsOf(uid)) {
      Optional<ObjectNode> dependent = store.find(ref);
      if (dependent.isPresent() && blocks(dependent.get(), uid)) {
        return; // its removal brings the owner back here
      }
    }
    update(type, owner, o -> removeFinalizer(o, ObjectStore.FOREGROUND_FINALIZER));
  }

  private static boolean blocks(ObjectNode dependent, String ownerUid) {
    for (JsonNode ref : dependent.path("metadata").path("ownerReferences")) {
      if (ref.path("uid").asText("").equals(ownerUid)
          && ref.path("blockOwnerDeletion").asBoolean(false)) {
        return true;
      }
    }
    return false;
  }

  /**
   * As the garbage collector's attemptToDeleteItem: with an owner that exists and is not being
   * deleted in the foreground, the object stays (losing its references to owners that are gone);
   * otherwise it is deleted.
   */
  private void attemptToDelete(ResourceType type, ObjectNode obj) {
    String namespace = Json.text(obj, "metadata.namespace");
    List<String> solid = new ArrayList<>();
    List<String> dangling = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    for (JsonNode ref : obj.path("metadata").path("ownerReferences")) {
      String uid = ref.path("uid").asText("");
      Optional<ResourceType> ownerType =
          registry.byKind(ref.path("apiVersion").asText(""), ref.path("kind").asText(""));
      if (ownerType.isEmpty()) {
        solid.add(uid); // a kind nobody serves cannot be looked up: keep the object
        continue;
      }
      if (ownerType.get().namespaced() && !type.namespaced()) {
        dangling.add(uid); // a cluster-scoped object cannot have a namespaced owner
        continue;
      }
      Optional<ObjectNode> owner =
          store.find(
              ownerType.get(),
              ownerType.get().namespaced() ? namespace : "",
              ref.path("name").asText(""));
      if (owner.isEmpty() || !Json.text(owner.get(), "metadata.uid").equals(uid)) {
        dangling.add(uid);
      } else if (owner.get().path("metadata").has("deletionTimestamp")
          && ObjectStore.hasFinalizer(owner.get(), ObjectStore.FOREGROUND_FINALIZER)) {
        waiting.add(uid);
      } else {
        solid.add(uid);
      }
    }
    if (!solid.isEmpty()) {
      if (!dangling.isEmpty() || !waiting.isEmpty()) {
        Set<String> gone = new LinkedHashSet<>(dangling);
        gone.addAll(waiting);
        update(type, obj, o -> removeOwnerReferences(o, gone));
      }
      return;
    }
    ObjectStore.Propagation policy;
    if (!waiting.isEmpty() && !store.dependentsOf(Json.text(obj, "metadata.uid")).isEmpty()) {
      policy = ObjectStore.Propagation.FOREGROUND;
    } else if (ObjectStore.hasFinalizer(obj, ObjectStore.ORPHAN_FINALIZER)) {
      policy = ObjectStore.Propagation.ORPHAN;
    } else if (ObjectStore.hasFinalizer(obj, ObjectStore.FOREGROUND_FINALIZER)) {
      policy = ObjectStore.Propagation.FOREGROUND;
    } else {
      policy = ObjectStore.Propagation.BACKGROUND;
    }
    delete(type, obj, policy, UserInfo.GARBAGE_COLLECTOR);
  }

  // ---------------------------------------------------------------- namespace controller

  private void emptyNamespace(String name) {
    if (!terminating(name)) {
      return;
    }
    ApiStatusException failure = null;
    for (ObjectStore.Ref ref : store.contentOf(name)) {
      Optional<ObjectNode> obj = store.find(ref);
      if (obj.isEmpty() || obj.get().path("metadata").has("deletionTimestamp")) {
        continue;
      }
      try {
        delete(
            store.typeOf(ref),
            obj.get(),
            ObjectStore.Propagation.BACKGROUND,
            UserInfo.NAMESPACE_CONTROLLER);
      } catch (ApiStatusException e) {
        if (e.code() != 404 && failure == null) {
          failure = e; // go on with the rest, as the namespace controller does
        }
      }
    }
    store.finalizeNamespace(name);
    if (failure != null) {
      throw failure;
    }
  }

  // ---------------------------------------------------------------- writes

  private void delete(
      ResourceType type, ObjectNode obj, ObjectStore.Propagation policy, UserInfo user) {
    ObjectNode options = Json.object();
    options.put(
        "propagationPolicy",
        switch (policy) {
          case BACKGROUND -> "Background";
          case FOREGROUND -> "Foreground";
          case ORPHAN -> "Orphan";
        });
    store.delete(
        type,
        Json.text(obj, "metadata.namespace"),
        Json.text(obj, "metadata.name"),
        Json.text(obj, "metadata.uid"),
        null,
        false,
        policy,
        webhooks.admission(user, options));
  }

  /** Changes the object as a controller's update would, if it is still the same object (uid). */
  private void update(ResourceType type, ObjectNode obj, Consumer<ObjectNode> change) {
    String uid = Json.text(obj, "metadata.uid");
    String name = Json.text(obj, "metadata.name");
    store.modify(
        type,
        Json.text(obj, "metadata.namespace"),
        name,
        current -> {
          if (!Json.text(current, "metadata.uid").equals(uid)) {
            throw ApiStatusException.conflict(type, name, "the object was replaced");
          }
          ObjectNode proposed = current.deepCopy();
          change.accept(proposed);
          return proposed;
        },
        false,
        ObjectStore.Origin.API,
        false,
        webhooks.admission(UserInfo.GARBAGE_COLLECTOR, Json.object()));
  }

  private static void removeOwnerReferences(ObjectNode obj, Set<String> uids) {
    ObjectNode meta = Json.metadata(obj);
    if (meta.get("ownerReferences") instanceof ArrayNode refs) {
      for (int i = refs.size() - 1; i >= 0; i--) {
        if (uids.contains(refs.get(i).path("uid").asText(""))) {
          refs.remove(i);
        }
      }
      if (refs.isEmpty()) {
        meta.remove("ownerReferences");
      }
    }
  }

  private static void removeFinalizer(ObjectNode obj, String finalizer) {
    ObjectNode meta = Json.metadata(obj);
    if (meta.get("finalizers") instanceof ArrayNode finalizers) {
      for (int i = finalizers.size() - 1; i >= 0; i--) {
        if (finalizers.get(i).asText().equals(finalizer)) {
          finalizers.remove(i);
        }
      }
      if (finalizers.isEmpty()) {
        meta.remove("finalizers");
      }
    }
  }
}
