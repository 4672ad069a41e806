package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The objects, the resourceVersion counter, the per-type event history and the open watches. One
 * lock guards everything, so writes are totally ordered by resourceVersion, as in etcd. Stored
 * {@link ObjectNode}s are never mutated after they are stored, so they can be serialised outside
 * the lock. Get, create, update, patch and delete cost O(log n); list costs O(n).
 *
 * <p>Writes with an active {@link Admission} are worked out under the lock, admitted without it (a
 * webhook may call back into the stand-in), and stored under it again if the object did not change
 * meanwhile. The store also keeps the objects by uid and by owner uid, for the {@link Controllers},
 * and tells its {@link Listener} of every change.
 */
final class ObjectStore {
  /** Whether a write comes over HTTP (real semantics) or from a test seeding state. */
  enum Origin {
    API,
    SEED
  }

  /**
   * One page of a list. {@code continueToken} is empty on the last page; {@code remaining} is how
   * many more objects of the type follow the page (before selectors), as {@code
   * remainingItemCount}.
   */
  record ListResult(
      List<StoredObject> stored, long resourceVersion, String continueToken, long remaining) {
    /** The page's objects, parsed (fresh trees). */
    List<ObjectNode> items() {
      List<ObjectNode> out = new ArrayList<>(stored.size());
      for (StoredObject o : stored) {
        out.add(o.node());
      }
      return out;
    }
  }

  /** A delete's result; {@code removed} is false when finalizers keep the object. */
  record DeleteResult(ObjectNode object, boolean removed) {}

  /** A delete's {@code propagationPolicy}: what happens to the objects the deleted one owns. */
  enum Propagation {
    /** The object goes now; the garbage collector deletes its dependents afterwards. */
    BACKGROUND,
    /** The object waits, with a {@code foregroundDeletion} finalizer, for its dependents. */
    FOREGROUND,
    /** The object waits, with an {@code orphan} finalizer, until its dependents are released. */
    ORPHAN;

    /** The value of a {@code propagationPolicy} field or parameter; null or "" is Background. */
    static Propagation parse(String value) {
      if (value == null || value.isEmpty()) {
        return BACKGROUND;
      }
      return switch (value) {
        case "Background" -> BACKGROUND;
        case "Foreground" -> FOREGROUND;
        case "Orphan" -> ORPHAN;
        default ->
            throw new ApiStatusException(
                422,
                "Invalid",
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \""
                    + value
                    + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
      };
    }

    Optional<String> finalizer() {
      return switch (this) {
        case BACKGROUND -> Optional.empty();
        case FOREGROUND -> Optional.of(FOREGROUND_FINALIZER);
        case ORPHAN -> Optional.of(ORPHAN_FINALIZER);
      };
    }
  }

  /**
   * Where an object is kept: its type's bucket ({@link ResourceType#qualifiedResource}) and key.
   */
  record Ref(String bucket, String key) {}

  /** Told of every stored change, under the store lock, in resourceVersion order. */
  interface Listener {
    /**
     * @param eventType ADDED, MODIFIED or DELETED
     * @param previous null for ADDED
     * @param object the stored object; for DELETED its final state
     */
    void changed(ResourceType type, String eventType, ObjectNode previous, ObjectNode object);
  }

  /** The garbage collector's finalizer for {@code propagationPolicy: Orphan}. */
  static final String ORPHAN_FINALIZER = "orphan";

  /** The garbage collector's finalizer for {@code propagationPolicy: Foreground}. */
  static final String FOREGROUND_FINALIZER = "foregroundDeletion";

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final String SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";

  private static final class Bucket {
    /** The type the bucket was made for; other versions of the same resource share it. */
    final ResourceType type;

    final TreeMap<String, StoredObject> objects = new TreeMap<>();
    final ArrayDeque<Watcher.Event> history = new ArrayDeque<>();
    final Set<Watcher> watchers = new LinkedHashSet<>();

    /** A watch from resourceVersion N is served iff N >= historyStart. */
    long historyStart;

    Bucket(ResourceType type) {
      this.type = type;
    }
  }

  private final Object lock = new Object();
  private final Map<String, Bucket> buckets = new HashMap<>();
  private final Registry registry;
  private final Clock clock;
  private final int historyCapacity;
  private long resourceVersion;

  /** Every stored object by uid. */
  private final Map<String, Ref> byUid = new HashMap<>();

  /** The objects whose ownerReferences name a uid, by that uid. */
  private final Map<String, Set<Ref>> dependents = new HashMap<>();

  private Listener listener;

  ObjectStore(Registry registry, Clock clock, int historyCapacity) {
    this.registry = registry;
    this.clock = clock;
    this.historyCapacity = historyCapacity;
  }

  long resourceVersion() {
    synchronized (lock) {
      return resourceVersion;
    }
  }

  private Bucket bucket(ResourceType type) {
    return buckets.computeIfAbsent(type.qualifiedResource(), k -> new Bucket(type));
  }

  private static String key(ResourceType type, String namespace, String name) {
    return type.namespaced() ? namespace + "/" + name : name;
  }

  // ---------------------------------------------------------------- reads

  /** The object, parsed afresh: callers may change it. */
  ObjectNode get(ResourceType type, String namespace, String name) {
    return stored(type, namespace, name).node();
  }

  /** The object as stored (compare by identity to tell whether it changed). */
  private StoredObject stored(ResourceType type, String namespace, String name) {
    synchronized (lock) {
      StoredObject obj = bucket(type).objects.get(key(type, namespace, name));
      if (obj == null) {
        throw ApiStatusException.notFound(type, name);
      }
      return obj;
    }
  }

  ListResult list(
      ResourceType type,
      String namespace,
      LabelSelector labels,
      FieldSelector fields,
      long limit,
      String continueToken) {
    synchronized (lock) {
      Bucket bucket = bucket(type);
      NavigableMap<String, StoredObject> range = range(type, bucket, namespace);
      long listRv = resourceVersion;
      if (continueToken != null && !continueToken.isEmpty()) {
        Continue token = Continue.decode(continueToken);
        if (token.rv() < bucket.historyStart) {
          throw ApiStatusException.gone(
              "The provided continue parameter is too old to display a consistent list result."
                  + " You can start a new list without the continue parameter.");
        }
        range = range.tailMap(token.start(), false);
        listRv = token.rv();
      }
      List<StoredObject> items = new ArrayList<>();
      String last = null;
      for (Map.Entry<String, StoredObject> e : range.entrySet()) {
        StoredObject obj = e.getValue();
        if (!obj.matches(null, labels, fields)) {
          continue;
        }
        if (limit > 0 && items.size() == limit) {
          // Only served without selectors (as the API server), and O(remaining) to count.
          long remaining =
              labels.isEverything() && fields.isEverything()
                  ? range.tailMap(last, false).size()
                  : 0;
          return new ListResult(items, listRv, new Continue(listRv, last).encode(), remaining);
        }
        items.add(obj);
        last = e.getKey();
      }
      return new ListResult(items, listRv, "", 0);
    }
  }

  /** Every object of a type, in key order. */
  List<ObjectNode> list(ResourceType type) {
    List<StoredObject> stored;
    synchronized (lock) {
      stored = List.copyOf(bucket(type).objects.values());
    }
    return stored.stream().map(StoredObject::node).toList();
  }

  private static NavigableMap<String, StoredObject> range(
      ResourceType type, Bucket bucket, String namespace) {
    if (type.namespaced() && namespace != null && !namespace.isEmpty()) {
      // '0' follows '/' in ASCII: the keys "<namespace>/<name>" of exactly this namespace.
      return bucket.objects.subMap(namespace + "/", true, namespace + "0", false);
    }
    return bucket.objects;
  }

  // ---------------------------------------------------------------- writes

  ObjectNode create(
      ResourceType type, String namespace, JsonNode body, Origin origin, boolean dryRun) {
    return create(type, namespace, body, origin, dryRun, Admission.NONE);
  }

  /**
   * Creates an object. With an active admission the object is worked out under the lock, admitted
   * without it, and stored under it again (AlreadyExists if another create took the name).
   */
  ObjectNode create(
      ResourceType type,
      String namespace,
      JsonNode body,
      Origin origin,
      boolean dryRun,
      Admission admission) {
    ObjectNode obj = requireObject(body, type);
    ObjectNode meta = Json.metadata(obj);
    String ns = namespaceFor(type, namespace, meta, origin);
    synchronized (lock) {
      prepareCreate(type, ns, obj, origin);
      if (!admission.active()) {
        return commitCreate(type, ns, obj, dryRun);
      }
    }
    admission.validate(
        new Admission.Request(
            "CREATE", type, "", ns, meta.get("name").asText(), obj.deepCopy(), null, dryRun));
    synchronized (lock) {
      return commitCreate(type, ns, obj, dryRun);
    }
  }

  private void prepareCreate(ResourceType type, String ns, ObjectNode obj, Origin origin) {
    ObjectNode meta = Json.metadata(obj);
    String name = meta.path("name").asText("");
    // The NamespaceLifecycle admission plugin runs first, before a generated name exists.
    requireNamespaceAcceptsContent(type, ns, name);
    Bucket bucket = bucket(type);
    if (name.isEmpty() && !meta.path("generateName").asText("").isEmpty()) {
      do {
        name = meta.path("generateName").asText() + randomSuffix();
      } while (bucket.objects.containsKey(key(type, ns, name)));
      meta.put("name", name);
    }
    validateName(type, name);
    if (!meta.path("resourceVersion").asText("").isEmpty()) {
      if (origin == Origin.API) {
        throw new ApiStatusException(
            500,
            "InternalError",
            "Internal error occurred: resourceVersion should not be set on objects to be"
                + " created");
      }
      meta.remove("resourceVersion");
    }
    if (bucket.objects.containsKey(key(type, ns, name))) {
      throw ApiStatusException.alreadyExists(type, name);
    }
    if (type.equals(ResourceType.VALIDATING_WEBHOOK_CONFIGURATIONS)) {
      WebhookConfigurations.defaultAndValidate(type, obj);
    }
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", Json.timestamp(clock.instant()));
    meta.put("generation", 1L);
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    meta.remove("selfLink");
    defaultStatus(type, obj, origin);
  }

  private ObjectNode commitCreate(ResourceType type, String ns, ObjectNode obj, boolean dryRun) {
    ObjectNode meta = Json.metadata(obj);
    String name = meta.get("name").asText();
    String key = key(type, ns, name);
    Bucket bucket = bucket(type);
    // Checked again: with admission, the lock was released since prepareCreate.
    if (bucket.objects.containsKey(key)) {
      throw ApiStatusException.alreadyExists(type, name);
    }
    requireNamespaceAcceptsContent(type, ns, name);
    if (dryRun) {
      return obj;
    }
    meta.put("resourceVersion", Long.toString(++resourceVersion));
    StoredObject stored = StoredObject.of(obj);
    bucket.objects.put(key, stored);
    emit(type, bucket, "ADDED", null, null, obj, stored);
    if (type.equals(ResourceType.CUSTOM_RESOURCE_DEFINITIONS)) {
      serveDefinedResource(obj);
    }
    return obj;
  }

  ObjectNode update(
      ResourceType type,
      String namespace,
      String name,
      JsonNode body,
      boolean statusOnly,
      Origin origin,
      boolean dryRun) {
    return update(type, namespace, name, body, statusOnly, origin, dryRun, Admission.NONE);
  }

  ObjectNode update(
      ResourceType type,
      String namespace,
      String name,
      JsonNode body,
      boolean statusOnly,
      Origin origin,
      boolean dryRun,
      Admission admission) {
    requireObject(body, type); // a bad body is refused before the object is looked up
    return modify(
        type,
        namespace,
        name,
        current -> requireObject(body, type),
        statusOnly,
        origin,
        dryRun,
        admission);
  }

  /** Applies a patch to the stored object and writes the result as an update would. */
  ObjectNode patch(
      ResourceType type,
      String namespace,
      String name,
      PatchType patchType,
      JsonNode patch,
      boolean statusOnly,
      Origin origin,
      boolean dryRun) {
    return patch(
        type, namespace, name, patchType, patch, statusOnly, origin, dryRun, Admission.NONE);
  }

  ObjectNode patch(
      ResourceType type,
      String namespace,
      String name,
      PatchType patchType,
      JsonNode patch,
      boolean statusOnly,
      Origin origin,
      boolean dryRun,
      Admission admission) {
    if (patchType == PatchType.APPLY && find(type, namespace, name).isEmpty()) {
      ObjectNode fresh = requireObject(patch, type);
      Json.metadata(fresh).put("name", name);
      return create(type, namespace, fresh, origin, dryRun, admission);
    }
    return modify(
        type,
        namespace,
        name,
        current ->
            requireObject(
                switch (patchType) {
                  case MERGE, APPLY -> Patches.mergePatch(current, patch);
                  case STRATEGIC -> Patches.strategicMergePatch(current, patch);
                  case JSON -> Patches.jsonPatch(current, patch, type, name);
                },
                type),
        statusOnly,
        origin,
        dryRun,
        admission);
  }

  /**
   * Writes what {@code propose} makes of the stored object. With an active admission the result is
   * admitted without the lock and stored only if the object did not change meanwhile; otherwise it
   * is worked out again from the new state, as the API server's GuaranteedUpdate does (so a stale
   * resourceVersion in the body then fails with Conflict).
   */
  ObjectNode modify(
      ResourceType type,
      String namespace,
      String name,
      UnaryOperator<ObjectNode> propose,
      boolean statusOnly,
      Origin origin,
      boolean dryRun,
      Admission admission) {
    while (true) {
      StoredObject currentStored;
      ObjectNode current;
      ObjectNode result;
      synchronized (lock) {
        currentStored = stored(type, namespace, name);
        current = currentStored.node();
        result = prepareWrite(type, current, propose.apply(current), statusOnly, origin);
        if (!admission.active()) {
          return commitWrite(type, currentStored, current, result, dryRun);
        }
      }
      admission.validate(
          new Admission.Request(
              "UPDATE",
              type,
              statusOnly ? "status" : "",
              Json.text(current, "metadata.namespace"),
              name,
              result.deepCopy(),
              current,
              dryRun));
      synchronized (lock) {
        if (stored(type, namespace, name) == currentStored) {
          return commitWrite(type, currentStored, current, result, dryRun);
        }
      }
    }
  }

  private ObjectNode prepareWrite(
      ResourceType type,
      ObjectNode current,
      ObjectNode proposed,
      boolean statusOnly,
      Origin origin) {
    ObjectNode curMeta = (ObjectNode) current.get("metadata");
    String name = curMeta.get("name").asText();
    ObjectNode meta = Json.metadata(proposed);
    String proposedName = meta.path("name").asText("");
    if (!proposedName.isEmpty() && !proposedName.equals(name)) {
      throw ApiStatusException.badRequest(
          "the name of the object ("
              + proposedName
              + ") does not match the name on the URL ("
              + name
              + ")");
    }
    String proposedNs = meta.path("namespace").asText("");
    if (type.namespaced()
        && !proposedNs.isEmpty()
        && !proposedNs.equals(curMeta.path("namespace").asText())) {
      throw ApiStatusException.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    String rv = meta.path("resourceVersion").asText("");
    String currentRv = curMeta.get("resourceVersion").asText();
    if (!rv.isEmpty() && !rv.equals(currentRv)) {
      throw ApiStatusException.conflict(
          type,
          name,
          "the object has been modified; please apply your changes to the latest version and try"
              + " again");
    }
    String uid = meta.path("uid").asText("");
    String currentUid = curMeta.get("uid").asText();
    if (!uid.isEmpty() && !uid.equals(currentUid)) {
      throw ApiStatusException.conflict(
          type,
          name,
          "Precondition failed: UID in precondition: "
              + uid
              + ", UID in object meta: "
              + currentUid);
    }

    ObjectNode result;
    if (statusOnly) {
      result = current.deepCopy();
      setOrRemove(result, "status", proposed.get("status"));
    } else {
      result = proposed;
      if (type.statusSubresource() && origin == Origin.API) {
        setOrRemove(result, "status", current.get("status"));
      }
      ObjectNode m = Json.metadata(result);
      for (String system :
          List.of(
              "name",
              "namespace",
              "uid",
              "creationTimestamp",
              "deletionTimestamp",
              "deletionGracePeriodSeconds")) {
        setOrRemove(m, system, curMeta.get(system));
      }
      m.remove("selfLink");
      if (curMeta.has("deletionTimestamp")) {
        requireNoNewFinalizers(type, name, current, result);
      }
      if (type.equals(ResourceType.VALIDATING_WEBHOOK_CONFIGURATIONS)) {
        WebhookConfigurations.defaultAndValidate(type, result);
      }
    }
    ObjectNode resultMeta = Json.metadata(result);
    resultMeta.put("resourceVersion", currentRv);
    long generation = curMeta.path("generation").asLong(1);
    resultMeta.put(
        "generation", Json.same(specOf(result), specOf(current)) ? generation : generation + 1);
    return result;
  }

  private ObjectNode commitWrite(
      ResourceType type,
      StoredObject currentStored,
      ObjectNode current,
      ObjectNode result,
      boolean dryRun) {
    Bucket bucket = bucket(type);
    if (current.path("metadata").has("deletionTimestamp") && removable(type, result)) {
      return dryRun ? result : remove(type, bucket, currentStored, current, result).object();
    }
    if (dryRun) {
      return result;
    }
    if (Json.same(result, current)) {
      return current;
    }
    ObjectNode meta = Json.metadata(result);
    meta.put("resourceVersion", Long.toString(++resourceVersion));
    StoredObject stored = StoredObject.of(result);
    bucket.objects.put(
        key(type, meta.path("namespace").asText(""), meta.get("name").asText()), stored);
    emit(type, bucket, "MODIFIED", currentStored, current, result, stored);
    return result;
  }

  DeleteResult delete(
      ResourceType type,
      String namespace,
      String name,
      String preconditionUid,
      String preconditionRv,
      boolean dryRun) {
    return delete(
        type,
        namespace,
        name,
        preconditionUid,
        preconditionRv,
        dryRun,
        Propagation.BACKGROUND,
        Admission.NONE);
  }

  /**
   * Deletes an object. With finalizers (or a propagation policy that adds one, or, for a namespace,
   * content or {@code spec.finalizers}) it only gets a {@code deletionTimestamp}; otherwise it is
   * removed.
   */
  DeleteResult delete(
      ResourceType type,
      String namespace,
      String name,
      String preconditionUid,
      String preconditionRv,
      boolean dryRun,
      Propagation propagation,
      Admission admission) {
    while (true) {
      StoredObject currentStored;
      ObjectNode current;
      synchronized (lock) {
        currentStored = stored(type, namespace, name);
        current = currentStored.node();
        checkDeletePreconditions(type, name, current, preconditionUid, preconditionRv);
        if (!admission.active()) {
          return commitDelete(type, currentStored, current, dryRun, propagation);
        }
      }
      admission.validate(
          new Admission.Request(
              "DELETE",
              type,
              "",
              Json.text(current, "metadata.namespace"),
              name,
              null,
              current,
              dryRun));
      synchronized (lock) {
        if (stored(type, namespace, name) == currentStored) {
          return commitDelete(type, currentStored, current, dryRun, propagation);
        }
      }
    }
  }

  private static void checkDeletePreconditions(
      ResourceType type,
      String name,
      ObjectNode current,
      String preconditionUid,
      String preconditionRv) {
    JsonNode curMeta = current.get("metadata");
    if (preconditionUid != null && !preconditionUid.equals(curMeta.get("uid").asText())) {
      throw ApiStatusException.conflict(
          type,
          name,
          "Precondition failed: UID in precondition: "
              + preconditionUid
              + ", UID in object meta: "
              + curMeta.get("uid").asText());
    }
    if (preconditionRv != null && !preconditionRv.equals(curMeta.get("resourceVersion").asText())) {
      throw ApiStatusException.conflict(
          type,
          name,
          "Precondition failed: ResourceVersion in precondition: "
              + preconditionRv
              + ", ResourceVersion in object meta: "
              + curMeta.get("resourceVersion").asText());
    }
  }

  private DeleteResult commitDelete(
      ResourceType type,
      StoredObject currentStored,
      ObjectNode current,
      boolean dryRun,
      Propagation propagation) {
    Bucket bucket = bucket(type);
    ObjectNode result = current.deepCopy();
    ObjectNode meta = Json.metadata(result);
    // Orphan and Foreground are carried out by the garbage collector through these finalizers.
    propagation.finalizer().ifPresent(f -> addFinalizer(result, f));
    if (!meta.has("deletionTimestamp") && removable(type, result)) {
      return dryRun
          ? new DeleteResult(current, true)
          : remove(type, bucket, currentStored, current, result);
    }
    if (!meta.has("deletionTimestamp")) {
      meta.put("deletionTimestamp", Json.timestamp(clock.instant()));
      meta.put("deletionGracePeriodSeconds", 0L);
    }
    if (type.equals(ResourceType.NAMESPACES)) {
      ObjectNode status =
          result.get("status") instanceof ObjectNode s ? s : result.putObject("status");
      status.put("phase", "Terminating");
    }
    if (Json.same(result, current) || dryRun) {
      return new DeleteResult(dryRun ? result : current, false);
    }
    meta.put("resourceVersion", Long.toString(++resourceVersion));
    StoredObject stored = StoredObject.of(result);
    bucket.objects.put(
        key(type, meta.path("namespace").asText(""), meta.get("name").asText()), stored);
    emit(type, bucket, "MODIFIED", currentStored, current, result, stored);
    return new DeleteResult(result, false);
  }

  private DeleteResult remove(
      ResourceType type,
      Bucket bucket,
      StoredObject currentStored,
      ObjectNode current,
      ObjectNode finalState) {
    ObjectNode meta = Json.metadata(finalState);
    meta.put("resourceVersion", Long.toString(++resourceVersion));
    bucket.objects.remove(key(type, meta.path("namespace").asText(""), meta.get("name").asText()));
    emit(type, bucket, "DELETED", currentStored, current, finalState, StoredObject.of(finalState));
    return new DeleteResult(finalState, true);
  }

  /**
   * Whether an object being deleted can go: no finalizers, and for a namespace also no {@code
   * spec.finalizers} and nothing left in it.
   */
  private boolean removable(ResourceType type, ObjectNode obj) {
    if (hasFinalizers(obj)) {
      return false;
    }
    if (!type.equals(ResourceType.NAMESPACES)) {
      return true;
    }
    JsonNode specFinalizers = obj.path("spec").get("finalizers");
    return !(specFinalizers instanceof ArrayNode a && !a.isEmpty())
        && !hasContent(Json.text(obj, "metadata.name"));
  }

  /** Whether any namespaced object of any type is stored in the namespace. */
  private boolean hasContent(String namespace) {
    for (Bucket b : buckets.values()) {
      if (b.type.namespaced() && !range(b.type, b, namespace).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** As the NamespaceLifecycle admission plugin: nothing new goes into a terminating namespace. */
  private void requireNamespaceAcceptsContent(ResourceType type, String namespace, String name) {
    if (!type.namespaced()) {
      return;
    }
    StoredObject stored = bucket(ResourceType.NAMESPACES).objects.get(namespace);
    ObjectNode ns = stored == null ? null : stored.node();
    if (ns != null && ns.path("metadata").has("deletionTimestamp")) {
      ObjectNode cause = Json.object();
      cause.put("reason", "NamespaceTerminating"); // StatusCause.Type is "reason" in JSON
      cause.put("message", "namespace " + namespace + " is being terminated");
      cause.put("field", "metadata.namespace");
      throw ApiStatusException.forbidden(
          type,
          name,
          "unable to create new content in namespace "
              + namespace
              + " because it is being terminated",
          cause);
    }
  }

  /**
   * The namespace controller's last step, as its {@code /finalize} call and final delete: once a
   * terminating namespace is empty, its {@code kubernetes} spec finalizer goes, and so does the
   * namespace unless {@code metadata.finalizers} keep it.
   *
   * @return whether the namespace is gone
   */
  boolean finalizeNamespace(String name) {
    synchronized (lock) {
      Bucket bucket = bucket(ResourceType.NAMESPACES);
      StoredObject currentStored = bucket.objects.get(name);
      if (currentStored == null) {
        return true;
      }
      ObjectNode current = currentStored.node();
      if (!current.path("metadata").has("deletionTimestamp") || hasContent(name)) {
        return false;
      }
      ObjectNode result = current.deepCopy();
      if (result.path("spec").get("finalizers") instanceof ArrayNode finalizers) {
        for (int i = finalizers.size() - 1; i >= 0; i--) {
          if (finalizers.get(i).asText().equals("kubernetes")) {
            finalizers.remove(i);
          }
        }
        if (finalizers.isEmpty()) {
          ((ObjectNode) result.get("spec")).remove("finalizers");
        }
      }
      if (removable(ResourceType.NAMESPACES, result)) {
        remove(ResourceType.NAMESPACES, bucket, currentStored, current, result);
        return true;
      }
      if (!Json.same(result, current)) {
        Json.metadata(result).put("resourceVersion", Long.toString(++resourceVersion));
        StoredObject stored = StoredObject.of(result);
        bucket.objects.put(name, stored);
        emit(ResourceType.NAMESPACES, bucket, "MODIFIED", currentStored, current, result, stored);
      }
      return false;
    }
  }

  // ---------------------------------------------------------------- lookups for the control loops

  /** An object, or empty. */
  Optional<ObjectNode> find(ResourceType type, String namespace, String name) {
    synchronized (lock) {
      return Optional.ofNullable(bucket(type).objects.get(key(type, namespace, name)))
          .map(StoredObject::node);
    }
  }

  /** The object a reference names, or empty if it is gone. */
  Optional<ObjectNode> find(Ref ref) {
    synchronized (lock) {
      Bucket bucket = buckets.get(ref.bucket());
      return bucket == null
          ? Optional.empty()
          : Optional.ofNullable(bucket.objects.get(ref.key())).map(StoredObject::node);
    }
  }

  /** The type of the objects a reference's bucket holds. */
  ResourceType typeOf(Ref ref) {
    synchronized (lock) {
      return buckets.get(ref.bucket()).type;
    }
  }

  /** The stored object with this uid, or empty. */
  Optional<Ref> refOf(String uid) {
    synchronized (lock) {
      return Optional.ofNullable(byUid.get(uid));
    }
  }

  /** The objects whose {@code ownerReferences} name this uid. */
  List<Ref> dependentsOf(String ownerUid) {
    synchronized (lock) {
      Set<Ref> refs = dependents.get(ownerUid);
      return refs == null ? List.of() : List.copyOf(refs);
    }
  }

  /** Every namespaced object in a namespace, by type and then name. */
  List<Ref> contentOf(String namespace) {
    synchronized (lock) {
      List<Ref> out = new ArrayList<>();
      for (Map.Entry<String, Bucket> e : new TreeMap<>(buckets).entrySet()) {
        Bucket b = e.getValue();
        if (b.type.namespaced()) {
          for (String key : range(b.type, b, namespace).keySet()) {
            out.add(new Ref(e.getKey(), key));
          }
        }
      }
      return out;
    }
  }

  /** Called for every stored change, under the store lock, so it must only take note. */
  void listener(Listener listener) {
    synchronized (lock) {
      this.listener = listener;
    }
  }

  private void reindex(Bucket bucket, String eventType, ObjectNode previous, ObjectNode object) {
    if (previous != null) {
      unindex(bucket, previous);
    }
    if (!eventType.equals("DELETED")) {
      Ref ref = refTo(bucket, object);
      byUid.put(Json.text(object, "metadata.uid"), ref);
      for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
        dependents.computeIfAbsent(owner.path("uid").asText(""), k -> new HashSet<>()).add(ref);
      }
    }
  }

  private void unindex(Bucket bucket, ObjectNode object) {
    Ref ref = refTo(bucket, object);
    byUid.remove(Json.text(object, "metadata.uid"), ref);
    for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
      String uid = owner.path("uid").asText("");
      Set<Ref> refs = dependents.get(uid);
      if (refs != null && refs.remove(ref) && refs.isEmpty()) {
        dependents.remove(uid);
      }
    }
  }

  private static Ref refTo(Bucket bucket, ObjectNode object) {
    return refTo(bucket.type, object);
  }

  /** Where an object of this type is kept. */
  static Ref refTo(ResourceType type, ObjectNode object) {
    return new Ref(
        type.qualifiedResource(),
        key(type, Json.text(object, "metadata.namespace"), Json.text(object, "metadata.name")));
  }

  // ---------------------------------------------------------------- watches

  /**
   * Opens a watch. With no resourceVersion (or "0", or sendInitialEvents) the current objects
   * arrive first as ADDED; otherwise the events after that resourceVersion are replayed.
   *
   * @throws ApiStatusException 410 Expired when the resourceVersion is older than the history
   */
  Watcher watch(
      ResourceType type,
      String namespace,
      LabelSelector labels,
      FieldSelector fields,
      String fromResourceVersion,
      boolean sendInitialEvents) {
    Watcher watcher = new Watcher(type, namespace, labels, fields);
    synchronized (lock) {
      Bucket bucket = bucket(type);
      String rv = fromResourceVersion == null ? "" : fromResourceVersion;
      if (rv.isEmpty() || rv.equals("0") || sendInitialEvents) {
        for (StoredObject obj : range(type, bucket, namespace).values()) {
          watcher.offer(new Watcher.Event("ADDED", obj.resourceVersion(), null, obj));
        }
        if (sendInitialEvents) {
          watcher.offer(new Watcher.Bookmark(resourceVersion, true));
        }
      } else {
        long from = parseResourceVersion(rv);
        if (from < bucket.historyStart) {
          throw ApiStatusException.gone(
              "too old resource version: " + from + " (" + bucket.historyStart + ")");
        }
        List<Watcher.Event> replay = new ArrayList<>();
        for (Iterator<Watcher.Event> it = bucket.history.descendingIterator(); it.hasNext(); ) {
          Watcher.Event e = it.next();
          if (e.resourceVersion() <= from) {
            break;
          }
          replay.add(e);
        }
        for (int i = replay.size() - 1; i >= 0; i--) {
          watcher.offer(replay.get(i));
        }
      }
      bucket.watchers.add(watcher);
    }
    return watcher;
  }

  /** The resourceVersion for a bookmark now, or null if events are still queued for it. */
  Long bookmarkVersion(Watcher watcher) {
    synchronized (lock) {
      return watcher.isIdle() ? resourceVersion : null;
    }
  }

  void unregister(Watcher watcher) {
    synchronized (lock) {
      bucket(watcher.type()).watchers.remove(watcher);
    }
  }

  int openWatches() {
    synchronized (lock) {
      return buckets.values().stream().mapToInt(b -> b.watchers.size()).sum();
    }
  }

  /** Ends every open watch stream; clients must re-watch. */
  void dropWatches() {
    synchronized (lock) {
      for (Bucket b : buckets.values()) {
        b.watchers.forEach(Watcher::close);
        b.watchers.clear();
      }
    }
  }

  /**
   * Compacts the history: every resourceVersion issued so far becomes too old to watch from (410
   * Gone) or to continue a list from. Open watches are not affected.
   */
  void expireHistory() {
    synchronized (lock) {
      resourceVersion++;
      for (Bucket b : buckets.values()) {
        b.history.clear();
        b.historyStart = resourceVersion;
      }
    }
  }

  private void emit(
      ResourceType type,
      Bucket bucket,
      String eventType,
      StoredObject previousStored,
      ObjectNode previous,
      ObjectNode object,
      StoredObject stored) {
    Watcher.Event event = new Watcher.Event(eventType, resourceVersion, previousStored, stored);
    bucket.history.addLast(event);
    while (bucket.history.size() > historyCapacity) {
      bucket.historyStart = bucket.history.removeFirst().resourceVersion();
    }
    for (Watcher w : bucket.watchers) {
      w.offer(event);
    }
    reindex(bucket, eventType, previous, object);
    if (listener != null) {
      listener.changed(type, eventType, previous, object);
    }
  }

  // ---------------------------------------------------------------- helpers

  private ObjectNode requireObject(JsonNode body, ResourceType type) {
    if (body == null || !body.isObject()) {
      throw ApiStatusException.badRequest(
          "the body of the request was not a " + type.kind() + " object");
    }
    ObjectNode obj = ((ObjectNode) body).deepCopy();
    String apiVersion = obj.path("apiVersion").asText("");
    String kind = obj.path("kind").asText("");
    if (!apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion())) {
      throw ApiStatusException.badRequest(
          "the API version in the data ("
              + apiVersion
              + ") does not match the expected API"
              + " version ("
              + type.apiVersion()
              + ")");
    }
    if (!kind.isEmpty() && !kind.equals(type.kind())) {
      throw ApiStatusException.badRequest(
          "the kind in the data ("
              + kind
              + ") does not match the expected kind ("
              + type.kind()
              + ")");
    }
    // The real server fills both in from the URL, and puts them first.
    ObjectNode out = Json.object();
    out.put("apiVersion", type.apiVersion());
    out.put("kind", type.kind());
    obj.remove("apiVersion");
    obj.remove("kind");
    out.setAll(obj);
    return out;
  }

  private static String namespaceFor(
      ResourceType type, String namespace, ObjectNode meta, Origin origin) {
    String bodyNs = meta.path("namespace").asText("");
    if (!type.namespaced()) {
      meta.remove("namespace");
      return "";
    }
    String ns = namespace == null || namespace.isEmpty() ? bodyNs : namespace;
    if (ns.isEmpty()) {
      if (origin == Origin.API) {
        throw ApiStatusException.badRequest("the namespace of the object must be set");
      }
      ns = "default";
    }
    if (!bodyNs.isEmpty() && !bodyNs.equals(ns)) {
      throw ApiStatusException.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    meta.put("namespace", ns);
    return ns;
  }

  private static void validateName(ResourceType type, String name) {
    if (name.isEmpty()) {
      throw ApiStatusException.invalid(
          type, "", "metadata.name: Required value: name or generateName is required");
    }
    boolean label = type.equals(ResourceType.NAMESPACES);
    Pattern pattern = label ? DNS_LABEL : DNS_SUBDOMAIN;
    int max = label ? 63 : 253;
    if (name.length() > max || !pattern.matcher(name).matches()) {
      String rule =
          label
              ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or"
                  + " '-', and must start and end with an alphanumeric character (e.g. 'my-name', "
                  + " or '123-abc', regex used for validation is '"
                  + DNS_LABEL.pattern()
                  + "')"
              : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters,"
                  + " '-' or '.', and must start and end with an alphanumeric character (e.g."
                  + " 'example.com', regex used for validation is '"
                  + DNS_SUBDOMAIN.pattern()
                  + "')";
      throw ApiStatusException.invalid(
          type, name, "metadata.name: Invalid value: \"" + name + "\": " + rule);
    }
  }

  private void defaultStatus(ResourceType type, ObjectNode obj, Origin origin) {
    if (origin == Origin.API && type.statusSubresource()) {
      obj.remove("status"); // the real server ignores status on create
    }
    if (obj.has("status")) {
      return;
    }
    if (type.equals(ResourceType.PODS)) {
      obj.putObject("status").put("phase", "Pending");
    } else if (type.equals(ResourceType.NAMESPACES)) {
      obj.putObject("status").put("phase", "Active");
    } else if (type.equals(ResourceType.CUSTOM_RESOURCE_DEFINITIONS)) {
      // Served at once, as kubectl wait --for condition=Established expects.
      ObjectNode status = obj.putObject("status");
      ArrayNode conditions = status.putArray("conditions");
      for (String condition : List.of("NamesAccepted", "Established")) {
        ObjectNode c = conditions.addObject();
        c.put("type", condition);
        c.put("status", "True");
        c.put("lastTransitionTime", Json.timestamp(clock.instant()));
        c.put("reason", condition.equals("Established") ? "InitialNamesAccepted" : "NoConflicts");
        c.put("message", "the initial names have been accepted");
      }
      status.set("acceptedNames", obj.path("spec").path("names").deepCopy());
      ArrayNode stored = status.putArray("storedVersions");
      for (JsonNode v : obj.path("spec").path("versions")) {
        if (v.path("storage").asBoolean(false)) {
          stored.add(v.path("name").asText());
        }
      }
    }
  }

  private void serveDefinedResource(ObjectNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText("");
    JsonNode names = spec.path("names");
    boolean namespaced = !"Cluster".equals(spec.path("scope").asText("Namespaced"));
    List<String> shortNames = new ArrayList<>();
    names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      ResourceType type =
          new ResourceType(
              group,
              version.path("name").asText(),
              names.path("kind").asText(),
              names.path("plural").asText(),
              namespaced,
              version.path("subresources").has("status"),
              true,
              shortNames,
              Set.of());
      registry.register(type);
    }
  }

  private static JsonNode specOf(ObjectNode obj) {
    ObjectNode copy = obj.deepCopy();
    copy.remove("metadata");
    copy.remove("status");
    return copy;
  }

  /** As the API server's metadata validation: a deleting object gets no new finalizers. */
  private static void requireNoNewFinalizers(
      ResourceType type, String name, ObjectNode current, ObjectNode result) {
    List<String> added = new ArrayList<>();
    for (JsonNode f : result.path("metadata").path("finalizers")) {
      if (!hasFinalizer(current, f.asText()) && !added.contains(f.asText())) {
        added.add(f.asText());
      }
    }
    if (!added.isEmpty()) {
      added.sort(null);
      throw ApiStatusException.invalid(
          type,
          name,
          "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being"
              + " deleted, found new finalizers []string{"
              + String.join(", ", added.stream().map(f -> "\"" + f + "\"").toList())
              + "}");
    }
  }

  static boolean hasFinalizers(ObjectNode obj) {
    JsonNode f = obj.path("metadata").get("finalizers");
    return f instanceof ArrayNode a && !a.isEmpty();
  }

  static boolean hasFinalizer(JsonNode obj, String finalizer) {
    for (JsonNode f : obj.path("metadata").path("finalizers")) {
      if (f.asText().equals(finalizer)) {
        return true;
      }
    }
    return false;
  }

  private static void addFinalizer(ObjectNode obj, String finalizer) {
    if (!hasFinalizer(obj, finalizer)) {
      ObjectNode meta = Json.metadata(obj);
      ArrayNode finalizers =
          meta.get("finalizers") instanceof ArrayNode a ? a : meta.putArray("finalizers");
      finalizers.add(finalizer);
    }
  }

  private static void setOrRemove(ObjectNode target, String field, JsonNode value) {
    if (value == null || value.isMissingNode()) {
      target.remove(field);
    } else {
      target.set(field, value.deepCopy());
    }
  }

  private static long parseResourceVersion(String rv) {
    try {
      return Long.parseLong(rv);
    } catch (NumberFormatException e) {
      throw ApiStatusException.badRequest("invalid resource version: " + rv);
    }
  }

  private static String randomSuffix() {
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(SUFFIX_CHARS.charAt(ThreadLocalRandom.current().nextInt(SUFFIX_CHARS.length())));
    }
    return s.toString();
  }

  /** A list continuation: where the last page ended and at which resourceVersion. */
  private record Continue(long rv, String start) {
    String encode() {
      ObjectNode token = Json.object();
      token.put("v", "meta.k8s.io/v1");
      token.put("rv", rv);
      token.put("start", start);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(token));
    }

    static Continue decode(String token) {
      try {
        JsonNode node = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(token));
        if (!node.path("rv").canConvertToLong() || !node.path("start").isTextual()) {
          throw new IOException("missing rv or start");
        }
        return new Continue(node.get("rv").asLong(), node.get("start").asText());
      } catch (IOException | IllegalArgumentException e) {
        throw ApiStatusException.badRequest("continue key is not valid: " + e.getMessage());
      }
    }
  }
}
