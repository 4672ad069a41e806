package org.spireregistrar.kubernetes;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.Workload;

/**
 * Informers for Pods, Nodes and (optionally) Endpoints in all namespaces, delivering the core's
 * views to a {@link ClusterEvents} sink. Watches resume from the last resource version; a dropped
 * or expired (410 Gone) watch re-lists, so nothing is missed.
 */
public final class ClusterInformers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterInformers.class);

  // One factory per resource: a factory keys informers by Java type, and all three are dynamic.
  private final List<SharedInformerFactory> factories = new ArrayList<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final ClusterEvents sink;
  private final WatchHealth watchHealth = new WatchHealth();
  private volatile boolean closed;
  private Thread syncWatcher;

  /**
   * @param client the API client (read timeout off)
   * @param sink where events go
   * @param endpoints whether to watch Endpoints (only needed for DNS names)
   */
  public ClusterInformers(ApiClient client, ClusterEvents sink, boolean endpoints) {
    this.sink = Objects.requireNonNull(sink, "sink");
    // Lenient: one odd object must never stop an informer. The API server always sets namespaces.
    ObjectViews views = new ObjectViews(ObjectViews.Strictness.LENIENT, "");
    informers.add(
        informer(
            client,
            "pods",
            o -> sink.podUpserted(views.pod(o.getRaw())),
            o -> {
              Workload pod = views.pod(o.getRaw());
              sink.podDeleted(pod.namespace(), pod.name());
            }));
    informers.add(
        informer(
            client,
            "nodes",
            o -> sink.nodeUpserted(views.node(o.getRaw())),
            o -> sink.nodeDeleted(views.node(o.getRaw()).name())));
    if (endpoints) {
      informers.add(
          informer(
              client,
              "endpoints",
              o -> sink.endpointsUpserted(views.endpoints(o.getRaw())),
              o -> {
                EndpointsInfo e = views.endpoints(o.getRaw());
                sink.endpointsDeleted(e.namespace(), e.name());
              }));
    }
  }

  private SharedIndexInformer<DynamicKubernetesObject> informer(
      ApiClient client,
      String plural,
      java.util.function.Consumer<DynamicKubernetesObject> upsert,
      java.util.function.Consumer<DynamicKubernetesObject> delete) {
    SharedInformerFactory factory = new SharedInformerFactory(client);
    factories.add(factory);
    SharedIndexInformer<DynamicKubernetesObject> informer =
        factory.sharedIndexInformerFor(
            new DynamicKubernetesApi("", "v1", plural, client),
            DynamicKubernetesObject.class,
            0,
            "", // all namespaces
            watchHealth.<DynamicKubernetesObject>handler(plural));
    informer.addEventHandler(handler(upsert, delete));
    return informer;
  }

  private static <T extends io.kubernetes.client.common.KubernetesObject>
      ResourceEventHandler<T> handler(
          java.util.function.Consumer<T> upsert, java.util.function.Consumer<T> delete) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        upsert.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        upsert.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        delete.accept(obj);
      }
    };
  }

  /** Starts the informers; {@link ClusterEvents#cachesSynced()} follows once all have listed. */
  public void start() {
    factories.forEach(SharedInformerFactory::startAllRegisteredInformers);
    syncWatcher =
        new Thread(
            () -> {
              try {
                while (!closed && !informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
                  Thread.sleep(20);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              if (!closed) {
                log.info("Kubernetes caches synced");
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
    factories.forEach(SharedInformerFactory::stopAllRegisteredInformers);
    if (syncWatcher != null) {
      syncWatcher.interrupt();
    }
  }
}
