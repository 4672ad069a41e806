package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Serves the Kubernetes REST protocol over the JDK HTTP server. */
final class ApiHandler implements HttpHandler {
  static final String SELF_SUBJECT_ACCESS_REVIEWS =
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

  /** How many requests {@link #requests()} keeps (~200 bytes each). */
  static final int REQUEST_LOG_CAPACITY = 20_000;

  private static final long DEFAULT_WATCH_TIMEOUT_SECONDS = 1800;

  /**
   * The admission of the request this thread serves, for its warnings. Not an exchange attribute:
   * the JDK 17 HTTP server keeps those per context, shared by every exchange.
   */
  private static final ThreadLocal<Admission> ADMISSION = new ThreadLocal<>();

  private final ObjectStore store;
  private final Registry registry;
  private final ValidatingWebhooks webhooks;
  private final Discovery discovery;
  private final Faults faults;
  private final Duration bookmarkInterval;
  private final Supplier<String> serverAddress;
  private final ConcurrentLinkedDeque<StandInRequest> requestLog = new ConcurrentLinkedDeque<>();
  private final AtomicLong requestTotal = new AtomicLong();
  private final Map<String, LongAdder> countsByVerb = new ConcurrentHashMap<>();
  private volatile boolean closing;
  private volatile Predicate<ResourceAccess> authorizer = access -> true;

  ApiHandler(
      ObjectStore store,
      Registry registry,
      ValidatingWebhooks webhooks,
      Discovery discovery,
      Faults faults,
      Duration bookmarkInterval,
      Supplier<String> serverAddress) {
    this.store = store;
    this.registry = registry;
    this.webhooks = webhooks;
    this.discovery = discovery;
    this.faults = faults;
    this.bookmarkInterval = bookmarkInterval;
    this.serverAddress = serverAddress;
  }

  void authorize(Predicate<ResourceAccess> authorizer) {
    this.authorizer = authorizer;
  }

  void closing() {
    closing = true;
  }

  long requestTotal() {
    return requestTotal.get();
  }

  long count(String verb, String resource) {
    LongAdder n = countsByVerb.get(verb + " " + resource);
    return n == null ? 0 : n.sum();
  }

  long count(Predicate<StandInRequest> matcher) {
    return requestLog.stream().filter(matcher).count();
  }

  List<StandInRequest> requests() {
    return List.copyOf(requestLog);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      serve(exchange);
    } catch (ApiStatusException e) {
      tryRespond(exchange, e);
    } catch (IOException e) {
      // The client went away; nothing to answer.
    } catch (RuntimeException e) {
      tryRespond(
          exchange, new ApiStatusException(500, "InternalError", "Internal error occurred: " + e));
    } finally {
      ADMISSION.remove();
      exchange.close();
    }
  }

  private static void tryRespond(HttpExchange exchange, ApiStatusException e) {
    if (exchange.getResponseCode() != -1) {
      return; // the response had started (a watch): the closed stream tells the client
    }
    try {
      respond(exchange, e.code(), e.toStatus());
    } catch (IOException ignored) {
      // The client went away.
    }
  }

  private void serve(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String path = exchange.getRequestURI().getPath();
    String rawQuery = exchange.getRequestURI().getRawQuery();
    Map<String, String> query = parseQuery(rawQuery);
    byte[] body = exchange.getRequestBody().readAllBytes();

    if (path.equals(SELF_SUBJECT_ACCESS_REVIEWS)) {
      selfSubjectAccessReview(exchange, method, path, rawQuery, body);
      return;
    }
    Optional<Route> route;
    try {
      route = Route.parse(path, registry);
    } catch (ApiStatusException e) {
      record(new StandInRequest(method, path, nz(rawQuery), verbOf(method), "", "", "", ""));
      throw e;
    }
    if (route.isEmpty()) {
      record(new StandInRequest(method, path, nz(rawQuery), verbOf(method), "", "", "", ""));
      serveNonResource(exchange, method, path);
      return;
    }
    Route r = route.get();
    String verb = verb(method, r, query);
    StandInRequest request =
        new StandInRequest(
            method,
            path,
            nz(rawQuery),
            verb,
            r.type().plural(),
            r.subresource(),
            r.namespace(),
            r.name());
    recordOrFault(request);
    boolean dryRun = !query.getOrDefault("dryRun", "").isEmpty();
    String contentType = nz(exchange.getRequestHeaders().getFirst("Content-Type"));
    boolean table = nz(exchange.getRequestHeaders().getFirst("Accept")).contains("as=Table");
    ResourceType type = r.type();
    UserInfo user = userOf(exchange);
    switch (verb) {
      case "get" -> {
        ObjectNode obj = store.get(type, r.namespace(), r.name());
        if (table) {
          respond(
              exchange,
              200,
              discovery.table(
                  type,
                  List.of(obj),
                  Json.text(obj, "metadata.resourceVersion"),
                  "",
                  includeObject(query)));
        } else {
          respond(exchange, 200, obj);
        }
      }
      case "list" -> list(exchange, r, query, table);
      case "watch" -> watch(exchange, r, query, table);
      case "create" -> {
        if (r.isStatus()) {
          throw ApiStatusException.methodNotAllowed();
        }
        JsonNode object = parseBody(body, contentType);
        Admission admission = admission(user, writeOptions(query));
        respond(
            exchange,
            201,
            store.create(type, r.namespace(), object, ObjectStore.Origin.API, dryRun, admission));
      }
      case "update" -> {
        JsonNode object = parseBody(body, contentType);
        Admission admission = admission(user, writeOptions(query));
        respond(
            exchange,
            200,
            store.update(
                type,
                r.namespace(),
                r.name(),
                object,
                r.isStatus(),
                ObjectStore.Origin.API,
                dryRun,
                admission));
      }
      case "patch" -> {
        PatchType patchType = PatchType.of(contentType);
        JsonNode patch = parseBody(body, patchType == PatchType.APPLY ? "yaml" : "json");
        Admission admission = admission(user, writeOptions(query));
        respond(
            exchange,
            200,
            store.patch(
                type,
                r.namespace(),
                r.name(),
                patchType,
                patch,
                r.isStatus(),
                ObjectStore.Origin.API,
                dryRun,
                admission));
      }
      case "delete" -> delete(exchange, r, query, body, dryRun, user);
      case "deletecollection" -> deleteCollection(exchange, r, query, body, dryRun, user);
      default -> throw ApiStatusException.methodNotAllowed();
    }
  }

  /**
   * {@code POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews}: the review comes back with
   * {@code status.allowed} from the authorizer ({@code nonResourceAttributes} are always allowed).
   * Recorded as {@code create selfsubjectaccessreviews}, so faults can refuse it.
   */
  private void selfSubjectAccessReview(
      HttpExchange exchange, String method, String path, String rawQuery, byte[] body)
      throws IOException {
    StandInRequest request =
        new StandInRequest(
            method,
            path,
            nz(rawQuery),
            method.equals("POST") ? "create" : verbOf(method),
            "selfsubjectaccessreviews",
            "",
            "",
            "");
    recordOrFault(request);
    if (!method.equals("POST")) {
      throw ApiStatusException.methodNotAllowed();
    }
    String contentType = nz(exchange.getRequestHeaders().getFirst("Content-Type"));
    // kubectl auth can-i sends protobuf, which parseBody answers with 415.
    JsonNode review = parseBody(body, contentType);
    if (!review.isObject()) {
      throw ApiStatusException.badRequest("the body of the request is not a JSON object");
    }
    JsonNode attributes = review.path("spec").path("resourceAttributes");
    boolean allowed;
    if (attributes.isObject()) {
      allowed =
          authorizer.test(
              new ResourceAccess(
                  attributes.path("verb").asText(""),
                  attributes.path("group").asText(""),
                  attributes.path("resource").asText(""),
                  attributes.path("subresource").asText(""),
                  attributes.path("namespace").asText(""),
                  attributes.path("name").asText("")));
    } else if (review.path("spec").path("nonResourceAttributes").isObject()) {
      allowed = true;
    } else {
      throw ApiStatusException.badRequest(
          "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes:"
              + " Invalid value: \"null\": exactly one of nonResourceAttributes or"
              + " resourceAttributes must be specified");
    }
    ObjectNode answer = ((ObjectNode) review).deepCopy();
    answer.put("apiVersion", "authorization.k8s.io/v1");
    answer.put("kind", "SelfSubjectAccessReview");
    ObjectNode status = answer.putObject("status");
    status.put("allowed", allowed);
    if (allowed) {
      status.put("reason", "allowed by the stand-in's authorizer");
    }
    respond(exchange, 201, answer);
  }

  private void serveNonResource(HttpExchange exchange, String method, String path)
      throws IOException {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      throw ApiStatusException.methodNotAllowed();
    }
    List<String> s = Route.segments(path);
    String first = s.isEmpty() ? "" : s.get(0);
    Optional<ObjectNode> doc =
        switch (first) {
          case "api" ->
              s.size() == 1
                  ? Optional.of(discovery.coreVersions(serverAddress.get()))
                  : s.size() == 2 ? discovery.resources("", s.get(1)) : Optional.empty();
          case "apis" ->
              s.size() == 1
                  ? Optional.of(discovery.groupList())
                  : s.size() == 2
                      ? discovery.group(s.get(1))
                      : s.size() == 3 ? discovery.resources(s.get(1), s.get(2)) : Optional.empty();
          case "version" -> s.size() == 1 ? Optional.of(discovery.version()) : Optional.empty();
          case "openapi" -> openApi(s);
          case "" -> Optional.of(rootPaths());
          default -> Optional.empty();
        };
    if (doc.isPresent()) {
      respond(exchange, 200, doc.get());
      return;
    }
    if (s.size() == 1
        && (first.equals("healthz") || first.equals("livez") || first.equals("readyz"))) {
      respondText(exchange, 200, "ok");
      return;
    }
    throw ApiStatusException.routeNotFound();
  }

  private Optional<ObjectNode> openApi(List<String> s) {
    if (s.size() < 2 || !s.get(1).equals("v3")) {
      return Optional.empty(); // no OpenAPI v2: kubectl only needs v3
    }
    if (s.size() == 2) {
      return Optional.of(discovery.openApiRoot());
    }
    if (s.size() == 4 && s.get(2).equals("api")) {
      return discovery.openApi("", s.get(3));
    }
    if (s.size() == 5 && s.get(2).equals("apis")) {
      return discovery.openApi(s.get(3), s.get(4));
    }
    return Optional.empty();
  }

  private ObjectNode rootPaths() {
    ObjectNode doc = Json.object();
    ArrayNode paths = doc.putArray("paths");
    paths.add("/api").add("/api/v1").add("/apis");
    List<String> groupVersions = new ArrayList<>();
    for (ResourceType t : registry.all()) {
      String gv = t.groupVersionPath();
      if (!t.group().isEmpty() && !groupVersions.contains(gv)) {
        groupVersions.add(gv);
      }
    }
    groupVersions.forEach(paths::add);
    paths.add("/healthz").add("/livez").add("/readyz").add("/version");
    return doc;
  }

  private void list(HttpExchange exchange, Route r, Map<String, String> query, boolean table)
      throws IOException {
    ResourceType type = r.type();
    ObjectStore.ListResult result =
        store.list(
            type,
            r.namespace(),
            LabelSelector.parse(query.get("labelSelector")),
            FieldSelector.parse(query.get("fieldSelector"), type),
            parseLong(query.get("limit"), "limit"),
            query.get("continue"));
    String rv = Long.toString(result.resourceVersion());
    if (table) {
      respond(
          exchange,
          200,
          discovery.table(type, result.items(), rv, result.continueToken(), includeObject(query)));
      return;
    }
    ObjectNode meta = Json.object();
    meta.put("resourceVersion", rv);
    if (!result.continueToken().isEmpty()) {
      meta.put("continue", result.continueToken());
      if (query.getOrDefault("labelSelector", "").isEmpty()
          && query.getOrDefault("fieldSelector", "").isEmpty()) {
        meta.put("remainingItemCount", result.remaining()); // as the API server: no selectors
      }
    }
    ObjectNode head = Json.object();
    head.put("kind", type.listKind());
    head.put("apiVersion", type.apiVersion());
    head.set("metadata", meta);
    // The stored objects' bytes are written as they are, streamed: a page (or an unpaged list of
    // 100,000 pods, ~800 MB) is never built as one tree or one array.
    byte[] start = Json.bytes(head);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0); // chunked
    try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), 65536)) {
      out.write(start, 0, start.length - 1); // without the closing brace
      out.write(ITEMS_OPEN);
      boolean first = true;
      for (StoredObject item : result.stored()) {
        if (!first) {
          out.write(',');
        }
        first = false;
        out.write(item.json());
      }
      out.write(ITEMS_CLOSE);
    }
  }

  private static final byte[] ITEMS_OPEN = ",\"items\":[".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ITEMS_CLOSE = "]}".getBytes(StandardCharsets.UTF_8);

  private void delete(
      HttpExchange exchange,
      Route r,
      Map<String, String> query,
      byte[] body,
      boolean dryRun,
      UserInfo user)
      throws IOException {
    ObjectNode options = deleteOptions(query, body);
    JsonNode preconditions = options.path("preconditions");
    Admission admission = admission(user, options);
    ObjectStore.DeleteResult result =
        store.delete(
            r.type(),
            r.namespace(),
            r.name(),
            textOrNull(preconditions.get("uid")),
            textOrNull(preconditions.get("resourceVersion")),
            dryRun || !options.path("dryRun").isEmpty(),
            propagation(options),
            admission);
    if (result.removed() && !r.type().returnsDeletedObject()) {
      respond(exchange, 200, success(r.type(), result.object()));
    } else {
      respond(exchange, 200, result.object());
    }
  }

  private void deleteCollection(
      HttpExchange exchange,
      Route r,
      Map<String, String> query,
      byte[] body,
      boolean dryRun,
      UserInfo user)
      throws IOException {
    ResourceType type = r.type();
    ObjectNode options = deleteOptions(query, body);
    ObjectStore.Propagation propagation = propagation(options);
    Admission admission = admission(user, options);
    ObjectStore.ListResult matching =
        store.list(
            type,
            r.namespace(),
            LabelSelector.parse(query.get("labelSelector")),
            FieldSelector.parse(query.get("fieldSelector"), type),
            0,
            null);
    for (ObjectNode obj : matching.items()) {
      try {
        store.delete(
            type,
            Json.text(obj, "metadata.namespace"),
            Json.text(obj, "metadata.name"),
            null,
            null,
            dryRun || !options.path("dryRun").isEmpty(),
            propagation,
            admission);
      } catch (ApiStatusException e) {
        if (e.code() != 404) {
          throw e; // deleted concurrently: fine; anything else is not
        }
      }
    }
    ObjectNode status = Json.object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    respond(exchange, 200, status);
  }

  /**
   * The request's DeleteOptions: the body's, with {@code propagationPolicy} and {@code
   * orphanDependents} also taken from the query, as the API server reads them.
   */
  private static ObjectNode deleteOptions(Map<String, String> query, byte[] body) {
    JsonNode parsed = body.length == 0 ? Json.object() : parseBody(body, "json");
    ObjectNode options = parsed instanceof ObjectNode o ? o.deepCopy() : Json.object();
    options.remove("kind");
    options.remove("apiVersion");
    if (!query.getOrDefault("propagationPolicy", "").isEmpty()) {
      options.put("propagationPolicy", query.get("propagationPolicy"));
    }
    if (query.containsKey("orphanDependents")) {
      options.put("orphanDependents", isTrue(query.get("orphanDependents")));
    }
    return options;
  }

  private static ObjectStore.Propagation propagation(ObjectNode options) {
    String policy = options.path("propagationPolicy").asText("");
    if (policy.isEmpty() && options.path("orphanDependents").asBoolean(false)) {
      return ObjectStore.Propagation.ORPHAN;
    }
    return ObjectStore.Propagation.parse(policy);
  }

  /** CreateOptions/UpdateOptions fields from the query, for the AdmissionReview. */
  private static ObjectNode writeOptions(Map<String, String> query) {
    ObjectNode options = Json.object();
    if (!query.getOrDefault("fieldManager", "").isEmpty()) {
      options.put("fieldManager", query.get("fieldManager"));
    }
    return options;
  }

  private Admission admission(UserInfo user, ObjectNode options) {
    Admission admission = webhooks.admission(user, options);
    ADMISSION.set(admission);
    return admission;
  }

  /**
   * Who asks: the admin, unless the request impersonates ({@code Impersonate-User} and {@code
   * Impersonate-Group}, as {@code kubectl --as} and {@code --as-group} send).
   */
  private static UserInfo userOf(HttpExchange exchange) {
    String user = exchange.getRequestHeaders().getFirst("Impersonate-User");
    if (user == null || user.isEmpty()) {
      return UserInfo.ADMIN;
    }
    List<String> groups = new ArrayList<>();
    List<String> given = exchange.getRequestHeaders().get("Impersonate-Group");
    if (given != null) {
      groups.addAll(given);
    }
    if (!groups.contains("system:authenticated")) {
      groups.add("system:authenticated");
    }
    return new UserInfo(user, groups);
  }

  /** The webhooks' warnings as {@code Warning: 299 - "<text>"} headers, as the API server sends. */
  private static void addWarnings(HttpExchange exchange) {
    Admission admission = ADMISSION.get();
    if (admission != null) {
      for (String warning : admission.warnings()) {
        exchange
            .getResponseHeaders()
            .add(
                "Warning", "299 - \"" + warning.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
      }
    }
  }

  private static ObjectNode success(ResourceType type, ObjectNode deleted) {
    ObjectNode status = Json.object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    ObjectNode details = status.putObject("details");
    details.put("name", Json.text(deleted, "metadata.name"));
    if (!type.group().isEmpty()) {
      details.put("group", type.group());
    }
    details.put("kind", type.plural());
    details.put("uid", Json.text(deleted, "metadata.uid"));
    return status;
  }

  // ---------------------------------------------------------------- watch

  private void watch(HttpExchange exchange, Route r, Map<String, String> query, boolean table)
      throws IOException {
    ResourceType type = r.type();
    LabelSelector labels = LabelSelector.parse(query.get("labelSelector"));
    String fieldSelector = query.get("fieldSelector");
    if (!r.isCollection()) {
      // The old single-object watch: GET .../pods/web-0?watch=true
      fieldSelector = "metadata.name=" + r.name();
    }
    FieldSelector fields = FieldSelector.parse(fieldSelector, type);
    long timeoutSeconds = parseLong(query.get("timeoutSeconds"), "timeoutSeconds");
    if (timeoutSeconds <= 0) {
      timeoutSeconds = DEFAULT_WATCH_TIMEOUT_SECONDS;
    }
    boolean bookmarks = isTrue(query.get("allowWatchBookmarks"));
    boolean sendInitialEvents = isTrue(query.get("sendInitialEvents"));
    boolean includeObject = includeObject(query);

    Watcher watcher;
    ApiStatusException expired = null;
    try {
      watcher =
          store.watch(
              type, r.namespace(), labels, fields, query.get("resourceVersion"), sendInitialEvents);
    } catch (ApiStatusException e) {
      if (e.code() != 410) {
        throw e;
      }
      watcher = null;
      expired = e;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
    exchange.sendResponseHeaders(200, 0); // chunked
    OutputStream out = exchange.getResponseBody();
    if (expired != null) {
      // As the real API server does: an ERROR event carrying the Status, then the end.
      writeEvent(out, "ERROR", expired.toStatus());
      return;
    }
    try {
      stream(out, watcher, type, timeoutSeconds, bookmarks, table, includeObject);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      store.unregister(watcher);
    }
  }

  private void stream(
      OutputStream out,
      Watcher watcher,
      ResourceType type,
      long timeoutSeconds,
      boolean bookmarks,
      boolean table,
      boolean includeObject)
      throws IOException, InterruptedException {
    long now = System.nanoTime();
    long deadline = now + Duration.ofSeconds(timeoutSeconds).toNanos();
    long nextBookmark = now + bookmarkInterval.toNanos();
    while (!closing) {
      now = System.nanoTime();
      if (now >= deadline) {
        return;
      }
      long waitUntil = bookmarks ? Math.min(deadline, nextBookmark) : deadline;
      Object item = watcher.poll(Math.max(1, (waitUntil - now) / 1_000_000));
      if (Watcher.isClose(item)) {
        return;
      }
      if (item instanceof Watcher.Event stored) {
        Watcher.Event event = watcher.translate(stored);
        if (event != null && table) {
          ObjectNode object = event.object().node();
          writeEvent(
              out,
              event.type(),
              discovery.table(
                  type,
                  List.of(object),
                  Json.text(object, "metadata.resourceVersion"),
                  "",
                  includeObject));
        } else if (event != null) {
          writeEvent(out, event.type(), event.object().json());
        }
      } else if (item instanceof Watcher.Bookmark b) {
        writeEvent(out, "BOOKMARK", bookmark(type, b.resourceVersion(), b.initialEventsEnd()));
      } else if (bookmarks && System.nanoTime() >= nextBookmark) {
        Long rv = store.bookmarkVersion(watcher);
        if (rv != null && !table) {
          writeEvent(out, "BOOKMARK", bookmark(type, rv, false));
        }
        nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
      }
    }
  }

  private static ObjectNode bookmark(ResourceType type, long rv, boolean initialEventsEnd) {
    ObjectNode obj = Json.object();
    obj.put("kind", type.kind());
    obj.put("apiVersion", type.apiVersion());
    ObjectNode meta = obj.putObject("metadata");
    meta.put("resourceVersion", Long.toString(rv));
    if (initialEventsEnd) {
      meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
    }
    return obj;
  }

  /** A watch event whose object is JSON bytes already. */
  private static void writeEvent(OutputStream out, String type, byte[] object) throws IOException {
    byte[] head =
        ("{\"type\":" + Json.MAPPER.writeValueAsString(type) + ",\"object\":")
            .getBytes(StandardCharsets.UTF_8);
    byte[] line = new byte[head.length + object.length + 2];
    System.arraycopy(head, 0, line, 0, head.length);
    System.arraycopy(object, 0, line, head.length, object.length);
    line[line.length - 2] = '}';
    line[line.length - 1] = '\n';
    out.write(line);
    out.flush();
  }

  private static void writeEvent(OutputStream out, String type, JsonNode object)
      throws IOException {
    writeEvent(out, type, Json.bytes(object));
  }

  // ---------------------------------------------------------------- helpers

  /** Records {@code request}, then answers it with the status a fault injects, if one does. */
  private void recordOrFault(StandInRequest request) {
    record(request);
    int fault = faults.statusFor(request);
    if (fault != 0) {
      throw ApiStatusException.injected(fault);
    }
  }

  private void record(StandInRequest request) {
    countsByVerb
        .computeIfAbsent(request.verb() + " " + request.resource(), k -> new LongAdder())
        .increment();
    requestLog.addLast(request);
    // ConcurrentLinkedDeque.size() is O(n): count instead.
    if (requestTotal.incrementAndGet() > REQUEST_LOG_CAPACITY) {
      requestLog.pollFirst();
    }
  }

  private static String verb(String method, Route r, Map<String, String> query) {
    return switch (method) {
      case "GET", "HEAD" ->
          isTrue(query.get("watch")) ? "watch" : r.isCollection() ? "list" : "get";
      case "POST" -> r.isCollection() ? "create" : "post";
      case "PUT" -> r.isCollection() ? "put" : "update";
      case "PATCH" -> r.isCollection() ? "patch-collection" : "patch";
      case "DELETE" -> r.isCollection() ? "deletecollection" : "delete";
      default -> method.toLowerCase(Locale.ROOT);
    };
  }

  private static String verbOf(String method) {
    return method.toLowerCase(Locale.ROOT);
  }

  private static boolean isTrue(String value) {
    return "true".equalsIgnoreCase(value) || "1".equals(value);
  }

  private static boolean includeObject(Map<String, String> query) {
    return "Object".equals(query.get("includeObject"));
  }

  private static JsonNode parseBody(byte[] body, String contentType) {
    if (contentType.toLowerCase(Locale.ROOT).contains("protobuf")) {
      // kubectl sends built-in kinds as protobuf for some commands (create namespace, auth
      // can-i); the stand-in reads JSON and YAML only, and says so rather than failing to parse.
      throw new ApiStatusException(
          415,
          "UnsupportedMediaType",
          "the stand-in reads JSON and YAML request bodies only, not " + contentType);
    }
    try {
      if (contentType.toLowerCase(Locale.ROOT).contains("yaml")) {
        return Json.YAML.readTree(body);
      }
      return Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiStatusException.badRequest(
          "the body of the request could not be decoded: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiStatusException.badRequest(
          "the body of the request could not be decoded: " + e.getMessage());
    }
  }

  private static long parseLong(String value, String param) {
    if (value == null || value.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ApiStatusException.badRequest(
          "invalid value for query parameter " + param + ": \"" + value + "\"");
    }
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  private static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.putIfAbsent(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static void respond(HttpExchange exchange, int code, JsonNode body) throws IOException {
    addWarnings(exchange);
    byte[] bytes = Json.bytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void respondText(HttpExchange exchange, int code, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
