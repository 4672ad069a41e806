package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.util.ClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An in-process Kubernetes API server for tests and the {@code demo} command. It speaks the real
 * REST protocol over plain HTTP on the loopback interface, so the production client (client-java,
 * informers, leader election) and {@code kubectl} work against it unchanged.
 *
 * <p>What it does, as the real API server does:
 *
 * <ul>
 *   <li>get, list, create, update (PUT), patch (JSON merge patch; JSON patch; strategic merge patch
 *       applied as a merge patch; server-side apply applied as a merge patch that creates a missing
 *       object), delete and deletecollection, for the {@linkplain ResourceType#builtIns() built-in
 *       types} and any {@linkplain #register registered} or CRD-defined type;
 *   <li>{@code uid}, {@code creationTimestamp}, {@code generation} and a global {@code
 *       resourceVersion} counter; 409 AlreadyExists, 409 Conflict on a stale resourceVersion, 404
 *       NotFound, each with a {@code Status} body and the real message text;
 *   <li>the {@code status} subresource: writes to the main resource keep the stored status, writes
 *       to {@code /status} change only the status, and create over HTTP drops the status;
 *   <li>finalizers: delete sets {@code deletionTimestamp} and keeps the object (MODIFIED) until an
 *       update removes the last finalizer (DELETED); a deleting object gets no new finalizers;
 *   <li>validating admission webhooks: every write over HTTP (create, update, patch, delete, also
 *       of {@code /status}) is sent, as an {@code AdmissionReview} v1 or v1beta1, to each webhook
 *       of the stored {@code ValidatingWebhookConfiguration}s whose {@code rules}, {@code
 *       namespaceSelector} and {@code objectSelector} match, over HTTPS to its {@code url} or to
 *       its {@code service} (at the address given by {@link #serviceAddress}), checking the server
 *       certificate against {@code caBundle} and the host name, presenting the client certificate
 *       set by {@link #webhookClientCertificate} or {@link #admissionKubeconfig}, within {@code
 *       timeoutSeconds}. A denial fails the request with the webhook's {@code Status} and {@code
 *       admission webhook "<name>" denied the request: <message>}; a failed call fails it with 500
 *       {@code Internal error occurred: failed calling webhook "<name>": …} unless {@code
 *       failurePolicy} is {@code Ignore}; webhook warnings become {@code Warning} headers. The
 *       request's user is the admin, or whom it impersonates ({@code kubectl --as});
 *   <li>garbage collection through {@code ownerReferences}: once every owner of an object is gone
 *       (by uid) the object is deleted (its finalizers honoured); {@code propagationPolicy: Orphan}
 *       releases the dependents first and {@code Foreground} deletes them first, through the {@code
 *       orphan} and {@code foregroundDeletion} finalizers;
 *   <li>namespace deletion: a namespace with objects or finalizers becomes {@code Terminating}, its
 *       objects are deleted (those with finalizers stay until the finalizers are removed), it goes
 *       once empty, and creating anything in it meanwhile is refused with 403 Forbidden;
 *   <li>label selectors ({@code =, ==, !=, in, notin, exists, !exists}), field selectors on {@code
 *       metadata.name}, {@code metadata.namespace} and the type's field labels (e.g. {@code
 *       spec.nodeName}), {@code limit}/{@code continue} paging (a page carries the first page's
 *       resourceVersion and, without selectors, {@code remainingItemCount}; a continue token older
 *       than the history is 410 Gone);
 *   <li>HTTP streaming watch ({@code ?watch=true}, chunked, one JSON event per line) from a
 *       resourceVersion, replayed from a bounded per-type history; a version older than the history
 *       gets an ERROR event with a 410 {@code Status}; {@code allowWatchBookmarks}, {@code
 *       timeoutSeconds} and {@code sendInitialEvents} are honoured;
 *   <li>discovery ({@code /api}, {@code /apis}, {@code /api/v1}, {@code /apis/<group>/<version>},
 *       {@code /version}) and {@code Table} responses, so {@code kubectl get}, {@code get -w},
 *       {@code create -f}, {@code apply -f}, {@code label} and {@code delete} work.
 * </ul>
 *
 * <p>The garbage collector and the namespace controller run on their own thread after the write
 * that needs them returns, as in a cluster; {@link #awaitControllers} waits until they are done.
 * They act as the API would (their deletes and updates go through the webhooks, as their service
 * accounts); what a webhook refuses them is tried again after the next change.
 *
 * <p>Seeding ({@link #create}, {@link #load}, {@link #patch}, {@link #delete}) bypasses the
 * webhooks, as writing to etcd would; garbage collection and the terminating-namespace check still
 * apply. Seeding gives every object a new uid, so {@code ownerReferences} copied from a cluster
 * dump name owners that are gone, and the garbage collector deletes those objects (references to
 * kinds the stand-in does not serve, such as ReplicaSets, are left alone).
 *
 * <p>{@code SelfSubjectAccessReview}s ({@code authorization.k8s.io/v1}) are answered by a
 * configurable authorizer ({@link #authorize}, {@link #grantOnly}; everything is allowed by
 * default), so a program's permission self-check can be tested; nothing else is authorised.
 *
 * <p>What it does not do: authentication, authorisation (beyond answering those reviews), mutating
 * webhooks, admission policies, schema validation (beyond object names and webhook configurations),
 * defaulting (beyond a pod's {@code Pending} and a namespace's {@code Active} phase, and webhook
 * configurations), namespace existence checks, graceful pod deletion, protobuf request bodies, and
 * consistent snapshots across list pages (a continued list reads the current state). Webhooks are
 * called one after another, not in parallel, and an object matched in another version through
 * {@code matchPolicy: Equivalent} is sent unconverted. A namespace with nothing in it and no
 * finalizers goes at once rather than after a {@code Terminating} phase.
 *
 * <p>Fault injection: {@link #dropWatches()}, {@link #expireHistory()}, {@link #failNext} and
 * {@link #failRequests}. Every request is recorded ({@link #requests()}, {@link #requestCount}).
 *
 * <p>Objects are stored as their JSON bytes (see {@code StoredObject}), and lists and watches write
 * those bytes as they are, streamed: 100,000 realistic pods take about their JSON size on the heap
 * (~800 MB), not the several times more a parsed tree would, and an unpaged list of them is never
 * built in memory as one response.
 *
 * <p>Thread-safe. Each open watch is served by its own thread, which blocks between events.
 *
 * <p>Loading this class sets the system property {@value #NODELAY_PROPERTY} to {@code true} unless
 * it is set: without it every request takes ~40 ms. The JDK reads it when the first JDK HTTP server
 * of the JVM starts, so a program that starts another JDK HTTP server earlier should set it first
 * too.
 */
public final class KubernetesApiStandIn implements AutoCloseable {
  /** The JDK HTTP server's switch for TCP_NODELAY; see the static initialiser. */
  public static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

  private static final int DEFAULT_HISTORY = 10_000;
  private static final Duration DEFAULT_BOOKMARK_INTERVAL = Duration.ofSeconds(10);

  static {
    // The JDK HTTP server writes a response's headers and body separately; with Nagle's algorithm
    // on, the body then waits for the client's delayed ACK: ~40 ms per request. The property is
    // read once, when the first JDK HTTP server in the JVM starts.
    if (System.getProperty(NODELAY_PROPERTY) == null) {
      System.setProperty(NODELAY_PROPERTY, "true");
    }
  }

  private final Registry registry;
  private final ObjectStore store;
  private final Faults faults = new Faults();
  private final WebhookTransport webhookTransport = new WebhookTransport();
  private final Controllers controllers;
  private final ApiHandler handler;
  private final HttpServer server;
  private final ExecutorService executor;

  private KubernetesApiStandIn(Builder b) throws IOException {
    registry = new Registry();
    ResourceType.builtIns().forEach(registry::register);
    b.types.forEach(registry::register);
    store = new ObjectStore(registry, b.clock, b.historySize);
    ValidatingWebhooks webhooks = new ValidatingWebhooks(store, registry, webhookTransport);
    controllers = new Controllers(store, registry, webhooks);
    Discovery discovery = new Discovery(registry, b.clock);
    server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 256);
    handler =
        new ApiHandler(
            store,
            registry,
            webhooks,
            discovery,
            faults,
            b.bookmarkInterval,
            () -> "127.0.0.1:" + server.getAddress().getPort());
    server.createContext("/", handler);
    executor = Executors.newCachedThreadPool(daemonThreads());
    server.setExecutor(executor);
    controllers.start();
    server.start();
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "k8s-api-stand-in-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Starts a stand-in on a random free loopback port, with the defaults. */
  public static KubernetesApiStandIn start() {
    return builder().start();
  }

  /**
   * Starts a stand-in on the given loopback port ({@code 0} for a random free one).
   *
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static KubernetesApiStandIn start(int port) {
    return builder().port(port).start();
  }

  /** A builder for a stand-in with non-default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a stand-in; every one has a default. */
  public static final class Builder {
    private int port;
    private int historySize = DEFAULT_HISTORY;
    private Duration bookmarkInterval = DEFAULT_BOOKMARK_INTERVAL;
    private Clock clock = Clock.systemUTC();
    private final List<ResourceType> types = new ArrayList<>();

    private Builder() {}

    /** The loopback port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is not in 0..65535");
      }
      this.port = port;
      return this;
    }

    /**
     * How many events each resource type keeps for watches resuming from a resourceVersion (default
     * 10,000); a watch from an older version gets 410 Gone. Each event holds the object before and
     * after the change, so this bounds the memory the history takes.
     */
    public Builder historySize(int events) {
      if (events < 1) {
        throw new IllegalArgumentException("historySize " + events + " must be at least 1");
      }
      this.historySize = events;
      return this;
    }

    /** How often an idle watch that allows bookmarks gets a BOOKMARK event (default 10 s). */
    public Builder bookmarkInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("bookmarkInterval " + interval + " must be positive");
      }
      this.bookmarkInterval = interval;
      return this;
    }

    /** The clock for {@code creationTimestamp}, {@code deletionTimestamp} and table ages. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Serves another resource type from the start (see {@link #register}). */
    public Builder resource(ResourceType type) {
      types.add(Objects.requireNonNull(type, "type"));
      return this;
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public KubernetesApiStandIn start() {
      try {
        return new KubernetesApiStandIn(this);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot start the Kubernetes API stand-in on 127.0.0.1:" + port + ": " + e, e);
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** The base URL, e.g. {@code http://127.0.0.1:40123}. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** A client-java client for this stand-in, with no read timeout (watches stay open). */
  public ApiClient client() {
    return new ClientBuilder().setBasePath(url()).setReadTimeout(Duration.ZERO).build();
  }

  /**
   * Writes a kubeconfig whose current context points at this stand-in over plain HTTP, with the
   * namespace {@code default}; use it with {@code kubectl --kubeconfig} or client-java's {@code
   * Config.fromConfig}.
   *
   * @return {@code file}
   * @throws UncheckedIOException if the file cannot be written
   */
  public Path writeKubeconfig(Path file) {
    String config =
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: stand-in",
            "  cluster:",
            "    server: " + url(),
            "contexts:",
            "- name: stand-in",
            "  context:",
            "    cluster: stand-in",
            "    user: stand-in",
            "    namespace: default",
            "current-context: stand-in",
            "preferences: {}",
            "users:",
            "- name: stand-in",
            "  user: {}",
            "");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return Files.writeString(file, config);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file + ": " + e, e);
    }
  }

  /** Ends every watch and stops serving. Idempotent. */
  @Override
  public void close() {
    handler.closing();
    controllers.close();
    store.dropWatches();
    server.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- admission webhooks

  /**
   * Where the Service {@code namespace/name} is reached, for webhooks whose {@code
   * clientConfig.service} names it (there is no cluster DNS or kube-proxy): calls go to this
   * address whatever the service port, and the server certificate must still be valid for {@code
   * <name>.<namespace>.svc}. A later call for the same service replaces the address.
   */
  public void serviceAddress(String namespace, String name, InetSocketAddress address) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    webhookTransport.serviceAddress(namespace, name, Objects.requireNonNull(address, "address"));
  }

  /**
   * The client certificate the stand-in presents to the webhook servers called {@code serverName},
   * as a user of the API server's admission kubeconfig ({@code --admission-control-config-file})
   * does: {@code <service>.<namespace>.svc} (or with {@code :<port>} for a port other than 443) for
   * a service, the URL's {@code host} or {@code host:port}, {@code *.<suffix>}, or {@code *} for
   * every server. Without one, no client certificate is sent.
   *
   * @param chain the certificate first, then any intermediates
   */
  public void webhookClientCertificate(
      String serverName, PrivateKey key, X509Certificate... chain) {
    Objects.requireNonNull(serverName, "serverName");
    Objects.requireNonNull(key, "key");
    if (chain.length == 0) {
      throw new IllegalArgumentException("webhookClientCertificate: the chain is empty");
    }
    webhookTransport.clientCertificate(serverName, key, List.of(chain));
  }

  /**
   * Reads the client certificates of an admission kubeconfig, as the API server reads the one its
   * {@code WebhookAdmissionConfiguration} names: each user's {@code client-certificate-data} and
   * {@code client-key-data} (or {@code client-certificate} and {@code client-key} files) serve the
   * webhook servers its name matches (see {@link #webhookClientCertificate}). Keys must be PKCS#8
   * PEM ({@code PRIVATE KEY}).
   *
   * @throws IllegalArgumentException naming the file and user when something cannot be read
   */
  public void admissionKubeconfig(Path kubeconfig) {
    webhookTransport.kubeconfig(Objects.requireNonNull(kubeconfig, "kubeconfig"));
  }

  // ---------------------------------------------------------------- control loops

  /**
   * Waits until the garbage collector and the namespace controller have done all the work the
   * writes so far caused (work a webhook refused waits for the next change and does not count).
   * Every write queues its follow-up work before it returns, so after this returns the effects of
   * earlier deletes are visible.
   *
   * @throws IllegalStateException if that takes longer than {@code timeout}
   */
  public void awaitControllers(Duration timeout) {
    try {
      if (!controllers.awaitIdle(timeout)) {
        throw new IllegalStateException("the controllers were still busy after " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the controllers", e);
    }
  }

  // ---------------------------------------------------------------- types

  /**
   * Serves a resource type from now on; one with the same group, version and plural is replaced.
   */
  public void register(ResourceType type) {
    registry.register(Objects.requireNonNull(type, "type"));
  }

  /** The type served for an apiVersion and kind, e.g. {@code ("v1", "Pod")}. */
  public Optional<ResourceType> resourceType(String apiVersion, String kind) {
    return registry.byKind(apiVersion, kind);
  }

  // ---------------------------------------------------------------- seeding and inspection

  /**
   * Stores an object as a controller or a test fixture would, bypassing HTTP: unlike an HTTP
   * create, its {@code status} is kept, a set {@code resourceVersion} is ignored and a namespaced
   * object without a namespace goes to {@code default}. Watches see it as ADDED.
   *
   * @param collectionPath e.g. {@code /api/v1/namespaces/default/pods} or {@code /api/v1/nodes}
   * @return the stored object (a copy)
   * @throws ApiStatusException 409 AlreadyExists, 422 Invalid name, 400 bad body
   * @throws IllegalArgumentException if the path is not a collection path that is served
   */
  public ObjectNode create(String collectionPath, JsonNode object) {
    Route route = route(collectionPath);
    if (!route.isCollection() || !route.subresource().isEmpty()) {
      throw new IllegalArgumentException(
          "create: \"" + collectionPath + "\" is an object path, not a collection path");
    }
    return store
        .create(route.type(), route.namespace(), object, ObjectStore.Origin.SEED, false)
        .deepCopy();
  }

  /** {@link #create(String, JsonNode)} with the object given as nested maps and lists. */
  public ObjectNode create(String collectionPath, Map<String, ?> object) {
    JsonNode tree = Json.MAPPER.valueToTree(object);
    return create(collectionPath, tree);
  }

  /**
   * {@link #create(String, JsonNode)} with a client-java model object (e.g. a {@code V1Pod}),
   * serialised as client-java serialises it; {@code apiVersion} and {@code kind} may be left unset.
   */
  public ObjectNode create(String collectionPath, KubernetesObject object) {
    String json = JSON.serialize(Objects.requireNonNull(object, "object"));
    try {
      return create(collectionPath, Json.MAPPER.readTree(json));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot re-read client-java JSON: " + e, e);
    }
  }

  /**
   * Stores an object, finding its type from {@code apiVersion} and {@code kind}; otherwise as
   * {@link #create(String, JsonNode)}.
   *
   * @throws IllegalArgumentException if no type is served for the apiVersion and kind
   */
  public ObjectNode create(JsonNode object) {
    ResourceType type = typeOf(object, "create");
    return store
        .create(
            type, Json.text(object, "metadata.namespace"), object, ObjectStore.Origin.SEED, false)
        .deepCopy();
  }

  /**
   * Stores every object in a YAML or JSON file, or in every {@code .yaml}, {@code .yml} and {@code
   * .json} file under a directory (recursively, in path order). Files may hold several documents; a
   * {@code kind: List} (or any {@code *List} with {@code items}) contributes its items. Empty
   * documents are skipped. Objects are stored as by {@link #create(JsonNode)}, in order, so a
   * CustomResourceDefinition serves its type to the documents after it.
   *
   * @return the stored objects, in order
   * @throws IllegalArgumentException naming the file and document for an unparsable document or an
   *     unknown kind
   * @throws UncheckedIOException if a file cannot be read
   */
  public List<ObjectNode> load(Path fileOrDirectory) {
    List<Path> files;
    if (Files.isDirectory(fileOrDirectory)) {
      try (Stream<Path> walk = Files.walk(fileOrDirectory)) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(
                    p -> {
                      String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                      return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
                    })
                .sorted()
                .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + fileOrDirectory + ": " + e, e);
      }
    } else {
      files = List.of(fileOrDirectory);
    }
    List<ObjectNode> stored = new ArrayList<>();
    for (Path file : files) {
      int index = 0;
      for (JsonNode doc : documents(file)) {
        index++;
        List<JsonNode> objects = new ArrayList<>();
        if (doc.path("kind").asText("").endsWith("List") && doc.path("items").isArray()) {
          doc.get("items").forEach(objects::add);
        } else {
          objects.add(doc);
        }
        for (JsonNode obj : objects) {
          try {
            stored.add(create(obj));
          } catch (IllegalArgumentException | ApiStatusException e) {
            throw new IllegalArgumentException(
                file + ": document " + index + ": " + e.getMessage(), e);
          }
        }
      }
    }
    return stored;
  }

  private static List<JsonNode> documents(Path file) {
    List<JsonNode> docs = new ArrayList<>();
    try (JsonParser parser = Json.YAML.createParser(file.toFile());
        MappingIterator<JsonNode> it = Json.YAML.readValues(parser, JsonNode.class)) {
      int index = 0;
      while (it.hasNextValue()) {
        index++;
        JsonNode doc;
        try {
          doc = it.nextValue();
        } catch (IOException e) {
          throw new IllegalArgumentException(
              file + ": document " + index + ": not valid YAML: " + e.getMessage(), e);
        }
        if (doc != null && doc.isObject() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e, e);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  /**
   * The object at a path, e.g. {@code /api/v1/namespaces/default/pods/web-0}.
   *
   * @return a copy, or empty if there is none
   */
  public Optional<ObjectNode> get(String objectPath) {
    Route route = objectRoute(objectPath, "get");
    try {
      return Optional.of(store.get(route.type(), route.namespace(), route.name()).deepCopy());
    } catch (ApiStatusException e) {
      return Optional.empty();
    }
  }

  /** Every object at a collection path (all namespaces for {@code /api/v1/pods}), in key order. */
  public List<ObjectNode> list(String collectionPath) {
    Route route = route(collectionPath);
    if (!route.isCollection()) {
      throw new IllegalArgumentException(
          "list: \"" + collectionPath + "\" is an object path, not a collection path");
    }
    return store
        .list(
            route.type(),
            route.namespace(),
            LabelSelector.EVERYTHING,
            FieldSelector.EVERYTHING,
            0,
            null)
        .items()
        .stream()
        .map(ObjectNode::deepCopy)
        .toList();
  }

  /**
   * Applies a JSON merge patch to an object as a controller would: {@code status} may change
   * together with the rest (a path ending in {@code /status} changes only the status). Watches see
   * MODIFIED, or DELETED when the patch removes the last finalizer of a deleting object.
   *
   * @return the stored result (a copy)
   * @throws ApiStatusException 404 if there is no such object, 409 on a stale resourceVersion
   */
  public ObjectNode patch(String objectPath, JsonNode mergePatch) {
    Route route = objectRoute(objectPath, "patch");
    return store
        .patch(
            route.type(),
            route.namespace(),
            route.name(),
            PatchType.MERGE,
            mergePatch,
            route.isStatus(),
            ObjectStore.Origin.SEED,
            false)
        .deepCopy();
  }

  /** {@link #patch(String, JsonNode)} with the patch given as nested maps and lists. */
  public ObjectNode patch(String objectPath, Map<String, ?> mergePatch) {
    JsonNode tree = Json.MAPPER.valueToTree(mergePatch);
    return patch(objectPath, tree);
  }

  /**
   * Deletes an object as an HTTP DELETE would: with finalizers it only gets a {@code
   * deletionTimestamp}.
   *
   * @return false if there was no such object
   */
  public boolean delete(String objectPath) {
    Route route = objectRoute(objectPath, "delete");
    try {
      store.delete(route.type(), route.namespace(), route.name(), null, null, false);
      return true;
    } catch (ApiStatusException e) {
      if (e.code() == 404) {
        return false;
      }
      throw e;
    }
  }

  /** The current (latest issued) resourceVersion. */
  public String resourceVersion() {
    return Long.toString(store.resourceVersion());
  }

  private Route route(String path) {
    try {
      return Route.parse(path, registry)
          .orElseThrow(
              () -> new IllegalArgumentException("\"" + path + "\" is not a resource path"));
    } catch (ApiStatusException e) {
      throw new IllegalArgumentException(
          "\"" + path + "\" names no served resource: " + e.getMessage(), e);
    }
  }

  private Route objectRoute(String path, String operation) {
    Route route = route(path);
    if (route.isCollection()) {
      throw new IllegalArgumentException(
          operation + ": \"" + path + "\" is a collection path, not an object path");
    }
    return route;
  }

  private ResourceType typeOf(JsonNode object, String operation) {
    String apiVersion = Json.text(object, "apiVersion");
    String kind = Json.text(object, "kind");
    return registry
        .byKind(apiVersion, kind)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    operation
                        + ": no resource type is served for apiVersion \""
                        + apiVersion
                        + "\" and kind \""
                        + kind
                        + "\""));
  }

  // ---------------------------------------------------------------- faults and counters

  /** Ends every open watch stream cleanly, as an API server restart or a load balancer would. */
  public void dropWatches() {
    store.dropWatches();
  }

  /** How many watch streams are open. */
  public int openWatches() {
    return store.openWatches();
  }

  /**
   * Compacts the event history: every resourceVersion issued so far becomes too old, so watches
   * resuming from one get an ERROR event with 410 Gone and list continue tokens get 410. Open
   * watches go on; combine with {@link #dropWatches()} to force clients to re-list.
   */
  public void expireHistory() {
    store.expireHistory();
  }

  /**
   * Fails the next {@code count} resource requests (not discovery) with HTTP {@code status} and a
   * {@code Status} body; replaces any earlier {@code failNext}.
   */
  public void failNext(int count, int status) {
    requireErrorStatus(status);
    if (count < 0) {
      throw new IllegalArgumentException("failNext: count " + count + " must not be negative");
    }
    faults.failNext(count, status);
  }

  /**
   * Fails every resource request the predicate matches with HTTP {@code status} until the returned
   * handle is closed (or {@link #clearFaults()}).
   */
  public AutoCloseable failRequests(Predicate<StandInRequest> matcher, int status) {
    requireErrorStatus(status);
    return faults.failRequests(Objects.requireNonNull(matcher, "matcher"), status);
  }

  /**
   * Decides what {@code SelfSubjectAccessReview}s answer: {@code status.allowed} is whether {@code
   * allowed} accepts the review's {@code resourceAttributes}. The default allows everything. Only
   * the reviews ask it: the stand-in does not authorise its other requests. To make the review
   * itself fail (forbidden, say), use {@link #failRequests} on resource {@code
   * selfsubjectaccessreviews}.
   */
  public void authorize(Predicate<ResourceAccess> allowed) {
    handler.authorize(Objects.requireNonNull(allowed, "allowed"));
  }

  /**
   * {@link #authorize} with a set of grants: a review is allowed when {@code granted} holds its
   * access, or the same access to any object (a grant without a name covers every name), or the
   * same access in all namespaces (a cluster-wide grant covers each namespace).
   */
  public void grantOnly(Collection<ResourceAccess> granted) {
    Set<ResourceAccess> grants = Set.copyOf(granted);
    authorize(
        access -> {
          ResourceAccess any = access.anyName();
          return grants.contains(access)
              || grants.contains(any)
              || grants.contains(
                  new ResourceAccess(
                      any.verb(), any.group(), any.resource(), any.subresource(), "", ""));
        });
  }

  /** Removes every injected fault. */
  public void clearFaults() {
    faults.clear();
  }

  /** How many requests were received in total. */
  public long requestCount() {
    return handler.requestTotal();
  }

  /**
   * How many requests had this verb and resource since the start, e.g. {@code ("watch", "pods")};
   * exact however many there were. For requests that are not about a resource, the verb is the
   * lowercase HTTP method and the resource {@code ""}.
   */
  public long requestCount(String verb, String resource) {
    return handler.count(verb, resource);
  }

  /**
   * How many of the recorded requests (the last 20,000) match, e.g. {@code r ->
   * r.namespace().equals("prod")}.
   */
  public long requestCount(Predicate<StandInRequest> matcher) {
    return handler.count(matcher);
  }

  /** The recorded requests (the last 20,000), oldest first. */
  public List<StandInRequest> requests() {
    return handler.requests();
  }

  private static void requireErrorStatus(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("fault status " + status + " is not in 400..599");
    }
  }
}
