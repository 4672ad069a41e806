package org.spireregistrar.kubernetes;

import com.google.gson.JsonObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * Informers for Pods, Nodes and (optionally) Endpoints in all namespaces, delivering the core's
 * views to a {@link ClusterEvents} sink. Watches resume from the last resource version; a dropped
 * or expired (410 Gone) watch re-lists, so nothing is missed.
 *
 * <p>Memory: each object is reduced to its view (and a pod's view further by {@code podView}) as
 * soon as it is decoded, so the informers' caches hold views and resource versions, never whole
 * objects, and lists are read {@value #PAGE_SIZE} objects a page (see {@link PagedListerWatcher}).
 * client-java's {@code setTransform} would come too late for that: it runs when the informer takes
 * objects out of its queue, which by then holds a whole list of whole objects.
 *
 * <p>A sink that {@link ClusterEvents#takesObjectsWhileListing takes objects while listing} gets
 * each object of the first lists as soon as its page is decoded, and {@link
 * ClusterEvents#partlySynced} once the Endpoints (if watched) have synced: a cold start's first
 * entries can then be written while the rest of 100,000 pods are still being read.
 */
public final class ClusterInformers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterInformers.class);

  // One factory per resource: a factory keys informers by Java type, and all three are dynamic.
  private final List<SharedInformerFactory> factories = new ArrayList<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final ClusterEvents sink;
  private final WatchHealth watchHealth = new WatchHealth();
  // The informers whose objects pods' and nodes' entries read besides their own (the Endpoints).
  private final List<SharedIndexInformer<?>> dependencies = new ArrayList<>();
  private final ApiClient client;
  private final int pageSize;
  private volatile boolean closed;
  private Thread syncWatcher;

  /** Items per list request. */
  public static final int PAGE_SIZE = 500;

  /**
   * Informers that keep each pod as {@link ObjectViews} maps it.
   *
   * @param client the API client (read timeout off)
   * @param sink where events go
   * @param endpoints whether to watch Endpoints (only needed for DNS names)
   */
  public ClusterInformers(ApiClient client, ClusterEvents sink, boolean endpoints) {
    this(client, sink, endpoints, UnaryOperator.identity(), PAGE_SIZE);
  }

  /**
   * @param client the API client (read timeout off)
   * @param sink where events go
   * @param endpoints whether to watch Endpoints (only needed for DNS names)
   * @param podView reduces a pod's view further (to the fields a mode's policy reads) before it is
   *     stored and delivered; {@code UnaryOperator.identity()} to keep the whole view
   * @param pageSize items per list request; positive
   */
  public ClusterInformers(
      ApiClient client,
      ClusterEvents sink,
      boolean endpoints,
      UnaryOperator<Workload> podView,
      int pageSize) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.client = Objects.requireNonNull(client, "client");
    this.pageSize = pageSize;
    Objects.requireNonNull(podView, "podView");
    // Lenient: one odd object must never stop an informer. The API server always sets namespaces.
    ObjectViews views = new ObjectViews(ObjectViews.Strictness.LENIENT, "");
    informers.add(
        informer(
            new Resource<>(
                "",
                "v1",
                "pods",
                "Pod",
                raw -> podView.apply(views.pod(raw)),
                Workload::namespace,
                Workload::name),
            sink::podUpserted,
            pod -> sink.podDeleted(pod.namespace(), pod.name())));
    informers.add(
        informer(
            new Resource<>("", "v1", "nodes", "Node", views::node, node -> "", NodeInfo::name),
            sink::nodeUpserted,
            node -> sink.nodeDeleted(node.name())));
    if (endpoints) {
      SharedIndexInformer<?> endpointsInformer =
          informer(
              new Resource<>(
                  "",
                  "v1",
                  "endpoints",
                  "Endpoints",
                  views::endpoints,
                  EndpointsInfo::namespace,
                  EndpointsInfo::name),
              sink::endpointsUpserted,
              e -> sink.endpointsDeleted(e.namespace(), e.name()));
      informers.add(endpointsInformer);
      dependencies.add(endpointsInformer);
    }
  }

  /**
   * A resource to list and watch in all namespaces, kept only as the views {@code view} makes.
   *
   * @param group the API group, e.g. {@code spiffeid.spiffe.io} ({@code ""} for the core group)
   * @param version the group's version, e.g. {@code v1beta1}
   * @param plural the resource, e.g. {@code spiffeids}
   * @param kind the kind, e.g. {@code SpiffeID}
   * @param view the object (as the API server sent it) to its view; must not fail
   * @param namespace a view's namespace
   * @param name a view's name
   */
  public record Resource<V>(
      String group,
      String version,
      String plural,
      String kind,
      Function<JsonObject, V> view,
      Function<V, String> namespace,
      Function<V, String> name) {
    public Resource {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(plural, "plural");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(view, "view");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
    }

    /** The kind's apiVersion: {@code group/version}, or the version alone in the core group. */
    String apiVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  /** An informer of {@code r}, paged, keeping views; see {@link #watchAlso}. */
  private <V> SharedIndexInformer<Informed<V>> informer(
      Resource<V> r, Consumer<V> upsert, Consumer<V> delete) {
    SharedInformerFactory factory = new SharedInformerFactory(client);
    factories.add(factory);
    SharedIndexInformer<Informed<V>> informer =
        factory.sharedIndexInformerFor(
            new PagedListerWatcher<>(
                new DynamicKubernetesApi(r.group(), r.version(), r.plural(), client),
                new Informed.Kind<>(r.apiVersion(), r.kind(), r.namespace(), r.name()),
                r.view(),
                pageSize,
                sink.takesObjectsWhileListing()
                    ? new PagedListerWatcher.Early<>(upsert, delete)
                    : null),
            Informed.type(),
            0,
            watchHealth.<Informed<V>>handler(r.plural()));
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Informed<V> obj) {
            upsert.accept(obj.view());
          }

          @Override
          public void onUpdate(Informed<V> oldObj, Informed<V> newObj) {
            upsert.accept(newObj.view());
          }

          @Override
          public void onDelete(Informed<V> obj, boolean deletedFinalStateUnknown) {
            delete.accept(obj.view());
          }
        });
    return informer;
  }

  /**
   * Also lists and watches the objects of {@code resource} in all namespaces, paged like the others
   * and kept only as its views: {@link ClusterEvents#cachesSynced} then waits for them too, and
   * their list and watch failures count in {@link #watchProblem}. Before {@link #start} only.
   *
   * @param upsert receives each view added or changed
   * @param delete receives the last view of each object deleted
   */
  public <V> void watchAlso(Resource<V> resource, Consumer<V> upsert, Consumer<V> delete) {
    if (syncWatcher != null) {
      throw new IllegalStateException("watchAlso after start");
    }
    informers.add(informer(resource, upsert, delete));
  }

  /** Starts the informers; {@link ClusterEvents#cachesSynced()} follows once all have listed. */
  public void start() {
    factories.forEach(SharedInformerFactory::startAllRegisteredInformers);
    syncWatcher =
        new Thread(
            () -> {
              boolean partly = false;
              try {
                while (!closed && !informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
                  if (!partly && dependencies.stream().allMatch(SharedIndexInformer::hasSynced)) {
                    partly = true;
                    sink.partlySynced();
                  }
                  Thread.sleep(20);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              if (!closed) {
                log.info("Kubernetes caches synced");
                if (!partly) {
                  sink.partlySynced();
                }
                sink.cachesSynced();
              }
              // From now on: end failure streaks (and log their recovery) even with no probe.
              try {
                while (!closed) {
                  Thread.sleep(1000);
                  watchHealth.problem();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "informer-sync-watch");
    syncWatcher.setDaemon(true);
    syncWatcher.start();
  }

  /**
   * Why the watches cannot be trusted now (a list/watch failing for 10 s or more), or empty; also
   * logs the streaks that have ended.
   */
  public Optional<String> watchProblem() {
    return watchHealth.problem();
  }

  /** Whether every informer has listed once. */
  public boolean hasSynced() {
    return informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public void close() {
    closed = true;
    watchHealth.stopping();
    factories.forEach(SharedInformerFactory::stopAllRegisteredInformers);
    if (syncWatcher != null) {
      syncWatcher.interrupt();
    }
  }
}
