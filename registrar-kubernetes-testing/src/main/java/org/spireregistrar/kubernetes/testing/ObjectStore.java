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
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The objects, the resourceVersion counter, the per-type event history and the open watches. One
 * lock guards everything, so writes are totally ordered by resourceVersion, as in etcd. Stored
 * {@link ObjectNode}s are never mutated after they are stored, so they can be serialised outside
 * the lock. Get, create, update, patch and delete cost O(log n); list costs O(n).
 */
final class ObjectStore {
  /** Whether a write comes over HTTP (real semantics) or from a test seeding state. */
  enum Origin {
    API,
    SEED
  }

  /** One page of a list. {@code continueToken} is empty on the last page. */
  record ListResult(List<ObjectNode> items, long resourceVersion, String continueToken) {}

  /** A delete's result; {@code removed} is false when finalizers keep the object. */
  record DeleteResult(ObjectNode object, boolean removed) {}

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final String SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";

  private static final class Bucket {
    final TreeMap<String, ObjectNode> objects = new TreeMap<>();
    final ArrayDeque<Watcher.Event> history = new ArrayDeque<>();
    final Set<Watcher> watchers = new LinkedHashSet<>();

    /** A watch from resourceVersion N is served iff N >= historyStart. */
    long historyStart;
  }

  private final Object lock = new Object();
  private final Map<String, Bucket> buckets = new HashMap<>();
  private final Registry registry;
  private final Clock clock;
  private final int historyCapacity;
  private long resourceVersion;

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
    return buckets.computeIfAbsent(type.qualifiedResource(), k -> new Bucket());
  }

  private static String key(ResourceType type, String namespace, String name) {
    return type.namespaced() ? namespace + "/" + name : name;
  }

  // ---------------------------------------------------------------- reads

  ObjectNode get(ResourceType type, String namespace, String name) {
    synchronized (lock) {
      ObjectNode obj = bucket(type).objects.get(key(type, namespace, name));
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
      NavigableMap<String, ObjectNode> range = range(type, bucket, namespace);
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
      List<ObjectNode> items = new ArrayList<>();
      String last = null;
      for (Map.Entry<String, ObjectNode> e : range.entrySet()) {
        ObjectNode obj = e.getValue();
        if (!labels.matches(obj.path("metadata").get("labels")) || !fields.matches(obj)) {
          continue;
        }
        if (limit > 0 && items.size() == limit) {
          return new ListResult(items, listRv, new Continue(listRv, last).encode());
        }
        items.add(obj);
        last = e.getKey();
      }
      return new ListResult(items, listRv, "");
    }
  }

  private static NavigableMap<String, ObjectNode> range(
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
    ObjectNode obj = requireObject(body, type);
    ObjectNode meta = Json.metadata(obj);
    String ns = namespaceFor(type, namespace, meta, origin);
    String name = meta.path("name").asText("");
    synchronized (lock) {
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
      String key = key(type, ns, name);
      if (bucket.objects.containsKey(key)) {
        throw ApiStatusException.alreadyExists(type, name);
      }
      meta.put("uid", UUID.randomUUID().toString());
      meta.put("creationTimestamp", Json.timestamp(clock.instant()));
      meta.put("generation", 1L);
      meta.remove("deletionTimestamp");
      meta.remove("deletionGracePeriodSeconds");
      meta.remove("selfLink");
      defaultStatus(type, obj, origin);
      if (dryRun) {
        return obj;
      }
      meta.put("resourceVersion", Long.toString(++resourceVersion));
      bucket.objects.put(key, obj);
      emit(type, bucket, "ADDED", null, obj);
      if (type.equals(ResourceType.CUSTOM_RESOURCE_DEFINITIONS)) {
        serveDefinedResource(obj);
      }
      return obj;
    }
  }

  ObjectNode update(
      ResourceType type,
      String namespace,
      String name,
      JsonNode body,
      boolean statusOnly,
      Origin origin,
      boolean dryRun) {
    ObjectNode proposed = requireObject(body, type);
    synchronized (lock) {
      ObjectNode current = get(type, namespace, name);
      return write(type, current, proposed, statusOnly, origin, dryRun);
    }
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
    synchronized (lock) {
      ObjectNode current;
      try {
        current = get(type, namespace, name);
      } catch (ApiStatusException e) {
        if (patchType != PatchType.APPLY || e.code() != 404) {
          throw e;
        }
        ObjectNode fresh = requireObject(patch, type);
        Json.metadata(fresh).put("name", name);
        return create(type, namespace, fresh, origin, dryRun);
      }
      JsonNode patched =
          switch (patchType) {
            case MERGE, APPLY -> Patches.mergePatch(current, patch);
            case STRATEGIC -> Patches.strategicMergePatch(current, patch);
            case JSON -> Patches.jsonPatch(current, patch, type, name);
          };
      return write(type, current, requireObject(patched, type), statusOnly, origin, dryRun);
    }
  }

  private ObjectNode write(
      ResourceType type,
      ObjectNode current,
      ObjectNode proposed,
      boolean statusOnly,
      Origin origin,
      boolean dryRun) {
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
    }
    ObjectNode resultMeta = Json.metadata(result);
    resultMeta.put("resourceVersion", currentRv);
    long generation = curMeta.path("generation").asLong(1);
    resultMeta.put(
        "generation", specOf(result).equals(specOf(current)) ? generation : generation + 1);

    Bucket bucket = bucket(type);
    boolean deleting = curMeta.has("deletionTimestamp");
    if (deleting && !hasFinalizers(result)) {
      if (dryRun) {
        return result;
      }
      return remove(type, bucket, current, result).object();
    }
    if (result.equals(current) || dryRun) {
      return dryRun ? result : current;
    }
    resultMeta.put("resourceVersion", Long.toString(++resourceVersion));
    bucket.objects.put(key(type, curMeta.path("namespace").asText(""), name), result);
    emit(type, bucket, "MODIFIED", current, result);
    return result;
  }

  DeleteResult delete(
      ResourceType type,
      String namespace,
      String name,
      String preconditionUid,
      String preconditionRv,
      boolean dryRun) {
    synchronized (lock) {
      ObjectNode current = get(type, namespace, name);
      ObjectNode curMeta = (ObjectNode) current.get("metadata");
      if (preconditionUid != null && !preconditionUid.equals(curMeta.get("uid").asText())) {
        throw ApiStatusException.conflict(
            type,
            name,
            "Precondition failed: UID in precondition: "
                + preconditionUid
                + ", UID in object meta: "
                + curMeta.get("uid").asText());
      }
      if (preconditionRv != null
          && !preconditionRv.equals(curMeta.get("resourceVersion").asText())) {
        throw ApiStatusException.conflict(
            type,
            name,
            "Precondition failed: ResourceVersion in precondition: "
                + preconditionRv
                + ", ResourceVersion in object meta: "
                + curMeta.get("resourceVersion").asText());
      }
      Bucket bucket = bucket(type);
      if (hasFinalizers(current)) {
        if (curMeta.has("deletionTimestamp") || dryRun) {
          return new DeleteResult(current, false);
        }
        ObjectNode result = current.deepCopy();
        ObjectNode meta = Json.metadata(result);
        meta.put("deletionTimestamp", Json.timestamp(clock.instant()));
        meta.put("deletionGracePeriodSeconds", 0L);
        meta.put("resourceVersion", Long.toString(++resourceVersion));
        bucket.objects.put(key(type, namespace, name), result);
        emit(type, bucket, "MODIFIED", current, result);
        return new DeleteResult(result, false);
      }
      if (dryRun) {
        return new DeleteResult(current, true);
      }
      return remove(type, bucket, current, current.deepCopy());
    }
  }

  private DeleteResult remove(
      ResourceType type, Bucket bucket, ObjectNode current, ObjectNode finalState) {
    ObjectNode meta = Json.metadata(finalState);
    meta.put("resourceVersion", Long.toString(++resourceVersion));
    bucket.objects.remove(key(type, meta.path("namespace").asText(""), meta.get("name").asText()));
    emit(type, bucket, "DELETED", current, finalState);
    return new DeleteResult(finalState, true);
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
        for (ObjectNode obj : range(type, bucket, namespace).values()) {
          watcher.offer(
              new Watcher.Event(
                  "ADDED",
                  Long.parseLong(obj.get("metadata").get("resourceVersion").asText()),
                  null,
                  obj));
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
      ResourceType type, Bucket bucket, String eventType, ObjectNode previous, ObjectNode object) {
    Watcher.Event event = new Watcher.Event(eventType, resourceVersion, previous, object);
    bucket.history.addLast(event);
    while (bucket.history.size() > historyCapacity) {
      bucket.historyStart = bucket.history.removeFirst().resourceVersion();
    }
    for (Watcher w : bucket.watchers) {
      w.offer(event);
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

  private static boolean hasFinalizers(ObjectNode obj) {
    JsonNode f = obj.path("metadata").get("finalizers");
    return f instanceof ArrayNode a && !a.isEmpty();
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
