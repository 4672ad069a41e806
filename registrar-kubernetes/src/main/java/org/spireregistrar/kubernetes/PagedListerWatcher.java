package org.spireregistrar.kubernetes;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesListObject;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists and watches one resource in all namespaces for an informer, handing it {@link Informed}
 * views instead of whole objects: each object is reduced to its view as soon as it is decoded, so
 * neither the informer's queue nor its cache ever holds a whole object.
 *
 * <p>Lists are paged ({@code limit} items a request, then {@code continue}), so a list of 100,000
 * pods is decoded a page at a time rather than as one response of hundreds of megabytes. The list
 * is read at the most recent resource version (no {@code resourceVersion} on the first page, as
 * paging requires) and reports the first page's resource version, from which the watch resumes: a
 * change made while later pages were read is then delivered again by the watch, never missed. A
 * continue token that expired (410) restarts the list from its first page, a few times at most;
 * then the error goes to the reflector, which lists again after its backoff.
 *
 * <p>Until a list has succeeded once, each object can also be handed to an {@link Early} sink as
 * soon as it is decoded, before the reflector has the whole list (a consumer can start work on a
 * cold start's first objects while the rest are still being read). Should a list fail part way, the
 * objects it delivered that the list which then succeeds does not hold are handed to {@link
 * Early#gone} before that list is returned, so the early sink never keeps an object the informer
 * will not know about. Once the first list has succeeded, nothing more goes to the early sink.
 */
final class PagedListerWatcher<V> implements ListerWatcher<Informed<V>, InformedList<V>> {
  private static final Logger log = LoggerFactory.getLogger(PagedListerWatcher.class);

  /** Times an expired continue token restarts one list. */
  private static final int RESTARTS = 3;

  private final DynamicKubernetesApi api;
  private final Informed.Kind<V> kind;
  private final Function<JsonObject, V> view;
  private final int pageSize;
  private final Early<V> early;
  // Reflector thread only: whether a list has succeeded, and the objects the early sink was given
  // by lists that failed, by key, until a list succeeds.
  private volatile boolean listed;
  private final Map<String, V> abandoned = new LinkedHashMap<>();

  /**
   * Where objects go while the first list is read.
   *
   * @param listed receives each object of the first list as soon as it is decoded
   * @param gone receives an object {@code listed} was given by a list that failed, when the list
   *     that succeeded does not hold it
   */
  record Early<V>(Consumer<V> listed, Consumer<V> gone) {
    Early {
      Objects.requireNonNull(listed, "listed");
      Objects.requireNonNull(gone, "gone");
    }
  }

  /**
   * A lister-watcher with no early sink.
   *
   * @see #PagedListerWatcher(DynamicKubernetesApi, Informed.Kind, Function, int, Early)
   */
  PagedListerWatcher(
      DynamicKubernetesApi api, Informed.Kind<V> kind, Function<JsonObject, V> view, int pageSize) {
    this(api, kind, view, pageSize, null);
  }

  /**
   * @param api the resource, all namespaces
   * @param kind how a view is keyed
   * @param view the object (as the API server sent it) to its view; must not fail
   * @param pageSize items per list request; positive
   * @param early where objects go while the first list is read; null for nowhere
   */
  PagedListerWatcher(
      DynamicKubernetesApi api,
      Informed.Kind<V> kind,
      Function<JsonObject, V> view,
      int pageSize,
      Early<V> early) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be positive");
    }
    this.api = Objects.requireNonNull(api, "api");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.view = Objects.requireNonNull(view, "view");
    this.pageSize = pageSize;
    this.early = early;
  }

  @Override
  public InformedList<V> list(CallGeneratorParams params) throws ApiException {
    Consumer<V> first = early != null && !listed ? early.listed() : null;
    for (int restart = 0; ; restart++) {
      List<Informed<V>> items = new ArrayList<>();
      String listVersion = null;
      String token = null;
      boolean complete = false;
      try {
        do {
          ListOptions options = new ListOptions();
          options.setLimit(pageSize);
          options.setContinue(token);
          options.setTimeoutSeconds(params.timeoutSeconds);
          DynamicKubernetesListObject page = api.list(options).throwsApiException().getObject();
          JsonObject meta = object(page.getRaw(), "metadata");
          if (listVersion == null) {
            listVersion = text(meta, "resourceVersion");
          }
          for (DynamicKubernetesObject o : page.getItems()) {
            Informed<V> item = informed(o.getRaw());
            items.add(item);
            if (first != null) {
              first.accept(item.view());
            }
          }
          token = text(meta, "continue");
        } while (token != null && !token.isEmpty());
        complete = true;
      } catch (ApiException e) {
        if (e.getCode() != 410 || token == null || restart >= RESTARTS) {
          throw e;
        }
        log.info(
            "Listing {}: the continue token expired after {} items; listing again from the start",
            kind.kind(),
            items.size());
        continue;
      } finally {
        if (first != null && !complete) {
          for (Informed<V> item : items) {
            abandoned.put(key(item.view()), item.view());
          }
        }
      }
      if (first != null) {
        listed = true;
        forgetAbandoned(items);
      }
      return new InformedList<>(kind.apiVersion(), kind.kind() + "List", listVersion, items);
    }
  }

  /**
   * Tells the early sink which objects it was given by failed lists are not in {@code items}, the
   * list that succeeded.
   */
  private void forgetAbandoned(List<Informed<V>> items) {
    if (abandoned.isEmpty()) {
      return;
    }
    Set<String> present = new HashSet<>();
    for (Informed<V> item : items) {
      present.add(key(item.view()));
    }
    for (Map.Entry<String, V> e : abandoned.entrySet()) {
      if (!present.contains(e.getKey())) {
        early.gone().accept(e.getValue());
      }
    }
    abandoned.clear();
  }

  private String key(V view) {
    return kind.namespace().apply(view) + "/" + kind.name().apply(view);
  }

  @Override
  public Watchable<Informed<V>> watch(CallGeneratorParams params) throws ApiException {
    ListOptions options = new ListOptions();
    options.setResourceVersion(params.resourceVersion);
    options.setTimeoutSeconds(params.timeoutSeconds);
    return new Views(api.watch(options));
  }

  private Informed<V> informed(JsonObject raw) {
    return new Informed<>(kind, view.apply(raw), text(object(raw, "metadata"), "resourceVersion"));
  }

  private static JsonObject object(JsonObject o, String key) {
    JsonElement e = o == null ? null : o.get(key);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  private static String text(JsonObject o, String key) {
    JsonElement e = o == null ? null : o.get(key);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  /** The watch's events with their objects as views. */
  private final class Views implements Watchable<Informed<V>> {
    private final Watchable<DynamicKubernetesObject> events;

    Views(Watchable<DynamicKubernetesObject> events) {
      this.events = events;
    }

    @Override
    public boolean hasNext() {
      return events.hasNext();
    }

    @Override
    public Watch.Response<Informed<V>> next() {
      Watch.Response<DynamicKubernetesObject> event = events.next();
      if (event.object == null) {
        return new Watch.Response<>(event.type, event.status); // ERROR: a Status, no object
      }
      JsonObject raw = event.object.getRaw();
      Informed<V> informed =
          "BOOKMARK".equals(event.type)
              // Only a resource version: nothing to view, and never stored.
              ? new Informed<>(kind, null, text(object(raw, "metadata"), "resourceVersion"))
              : informed(raw);
      return new Watch.Response<>(event.type, informed);
    }

    @Override
    public Iterator<Watch.Response<Informed<V>>> iterator() {
      return this;
    }

    @Override
    public void close() throws IOException {
      events.close();
    }
  }
}
