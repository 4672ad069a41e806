package org.spireregistrar.bench;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Endpoints;
import io.kubernetes.client.openapi.models.V1EndpointsList;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceList;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * The informers of the baseline models with {@code --source api}: what controller-runtime gives the
 * original registrar and spire-controller-manager. Typed caches of <em>full</em> objects ({@code
 * V1Pod}, {@code V1Node}, {@code V1Endpoints}, and for SCM {@code V1Namespace}), as
 * controller-runtime's cache holds full Go structs; lists paged 500 at a time, as client-go's
 * reflector pages. Each event is mapped to the core's view (reading the fields directly, as a Go
 * reconciler reads its struct) and handed to the model.
 */
final class ModelInformers implements AutoCloseable {
  static final int PAGE_SIZE = 500;

  private final SharedInformerFactory factory;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  /**
   * @param namespaces whether to inform on Namespaces too (SCM does, for its namespace selectors)
   */
  ModelInformers(ApiClient client, Strategy model, boolean namespaces) {
    Objects.requireNonNull(model, "model");
    this.factory = new SharedInformerFactory(client);
    informers.add(
        informer(
            client,
            V1Pod.class,
            V1PodList.class,
            "pods",
            V1PodList::getMetadata,
            pod -> model.podUpserted(workload(pod)),
            pod ->
                model.podDeleted(pod.getMetadata().getNamespace(), pod.getMetadata().getName())));
    informers.add(
        informer(
            client,
            V1Node.class,
            V1NodeList.class,
            "nodes",
            V1NodeList::getMetadata,
            node -> model.nodeUpserted(nodeInfo(node)),
            node -> {
              // Neither model deletes node entries on node events in the benchmark's scenarios.
            }));
    informers.add(
        informer(
            client,
            V1Endpoints.class,
            V1EndpointsList.class,
            "endpoints",
            V1EndpointsList::getMetadata,
            ep -> {},
            ep -> {}));
    if (namespaces) {
      informers.add(
          informer(
              client,
              V1Namespace.class,
              V1NamespaceList.class,
              "namespaces",
              V1NamespaceList::getMetadata,
              ns -> {},
              ns -> {}));
    }
  }

  private <T extends KubernetesObject, L extends KubernetesListObject>
      SharedIndexInformer<T> informer(
          ApiClient client,
          Class<T> type,
          Class<L> listType,
          String plural,
          Function<L, V1ListMeta> listMeta,
          Consumer<T> upsert,
          Consumer<T> delete) {
    GenericKubernetesApi<T, L> api =
        new GenericKubernetesApi<>(type, listType, "", "v1", plural, client);
    SharedIndexInformer<T> informer =
        factory.sharedIndexInformerFor(new Paged<>(api, listMeta), type, 0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
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
        });
    return informer;
  }

  /** Lists page by page (concatenating the pages, as client-go's pager does), watches as usual. */
  private static final class Paged<T extends KubernetesObject, L extends KubernetesListObject>
      implements ListerWatcher<T, L> {
    private final GenericKubernetesApi<T, L> api;
    private final Function<L, V1ListMeta> listMeta;

    Paged(GenericKubernetesApi<T, L> api, Function<L, V1ListMeta> listMeta) {
      this.api = api;
      this.listMeta = listMeta;
    }

    @Override
    @SuppressWarnings("unchecked")
    public L list(CallGeneratorParams params) throws ApiException {
      L first = null;
      List<KubernetesObject> items = new ArrayList<>();
      String token = null;
      do {
        ListOptions options = new ListOptions();
        options.setLimit(PAGE_SIZE);
        options.setContinue(token);
        L page = api.list(options).throwsApiException().getObject();
        if (first == null) {
          first = page;
        }
        items.addAll(page.getItems());
        token = listMeta.apply(page).getContinue();
      } while (token != null && !token.isEmpty());
      // The pages' items into the first page's list (whose items list is mutable, from Gson).
      List<KubernetesObject> target = (List<KubernetesObject>) first.getItems();
      target.clear();
      target.addAll(items);
      listMeta.apply(first).setContinue(null);
      return first;
    }

    @Override
    public Watchable<T> watch(CallGeneratorParams params) throws ApiException {
      ListOptions options = new ListOptions();
      options.setResourceVersion(params.resourceVersion);
      options.setTimeoutSeconds(params.timeoutSeconds);
      return api.watch(options);
    }
  }

  /** The core's view of a pod, read from the typed object (what ObjectViews reads from JSON). */
  static Workload workload(V1Pod pod) {
    V1ObjectMeta meta = pod.getMetadata();
    String sa = "default";
    String node = "";
    String hostname = "";
    if (pod.getSpec() != null) {
      if (pod.getSpec().getServiceAccountName() != null
          && !pod.getSpec().getServiceAccountName().isEmpty()) {
        sa = pod.getSpec().getServiceAccountName();
      } else if (pod.getSpec().getServiceAccount() != null
          && !pod.getSpec().getServiceAccount().isEmpty()) {
        sa = pod.getSpec().getServiceAccount();
      }
      node = Objects.requireNonNullElse(pod.getSpec().getNodeName(), "");
      hostname = Objects.requireNonNullElse(pod.getSpec().getHostname(), "");
    }
    String ip = pod.getStatus() == null ? "" : pod.getStatus().getPodIP();
    return new Workload(
        meta.getNamespace(),
        meta.getName(),
        Objects.requireNonNullElse(meta.getUid(), ""),
        sa,
        node,
        hostname,
        Objects.requireNonNullElse(ip, ""),
        Objects.requireNonNullElse(meta.getLabels(), Map.of()),
        Objects.requireNonNullElse(meta.getAnnotations(), Map.of()),
        meta.getDeletionTimestamp() != null);
  }

  static NodeInfo nodeInfo(V1Node node) {
    V1ObjectMeta meta = node.getMetadata();
    return new NodeInfo(
        meta.getName(),
        Objects.requireNonNullElse(meta.getUid(), ""),
        Objects.requireNonNullElse(meta.getAnnotations(), Map.of()));
  }

  void start() {
    factory.startAllRegisteredInformers();
  }

  boolean hasSynced() {
    return informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public void close() {
    factory.stopAllRegisteredInformers();
  }
}
