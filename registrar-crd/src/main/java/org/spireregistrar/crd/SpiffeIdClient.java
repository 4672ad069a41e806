package org.spireregistrar.crd;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.GoQuote;

/**
 * The Kubernetes writes of crd mode's controllers, on {@code spiffeid.spiffe.io/v1beta1} SpiffeIDs.
 * Each method makes the write, logs a failure (values quoted) and says whether it took effect; none
 * throws for an API error. Writes that depend on the object's current state re-read it and retry on
 * a conflict (409), up to {@value #ATTEMPTS} times, and never touch an object whose UID is not the
 * one they were given (a same-name object created meanwhile).
 */
public final class SpiffeIdClient {
  private static final Logger log = LoggerFactory.getLogger(SpiffeIdClient.class);

  /** Attempts of a read-modify-write before giving up (upstream retries status updates 5 times). */
  static final int ATTEMPTS = 5;

  private final DynamicKubernetesApi api;
  private final CustomObjectsApi customObjects;

  public SpiffeIdClient(ApiClient client) {
    this.customObjects = new CustomObjectsApi(client);
    this.api = new DynamicKubernetesApi("spiffeid.spiffe.io", "v1beta1", "spiffeids", client);
  }

  /** Creates {@code object}; an existing same-name object is a failure (the caller re-reads). */
  public boolean create(JsonObject object) {
    KubernetesApiResponse<DynamicKubernetesObject> r =
        api.create(new DynamicKubernetesObject(object));
    if (!r.isSuccess()) {
      logFailure("create", object, r);
    }
    return r.isSuccess();
  }

  /** Deletes {@code namespace/name}; already gone counts as success. */
  public boolean delete(String namespace, String name) {
    KubernetesApiResponse<DynamicKubernetesObject> r = api.delete(namespace, name);
    if (r.isSuccess() || r.getHttpStatusCode() == 404) {
      return true;
    }
    log.warn(
        "Unable to delete SpiffeID {}/{}: HTTP {} {}",
        GoQuote.quote(namespace),
        GoQuote.quote(name),
        r.getHttpStatusCode(),
        message(r));
    return false;
  }

  /**
   * Applies {@code change} to the object's current state ({@code metadata}, {@code spec}) and
   * writes it, re-reading on conflict.
   *
   * @return false when the object is gone, has another UID, or the write failed
   */
  public boolean modify(String namespace, String name, String uid, Consumer<JsonObject> change) {
    return readModifyWrite(namespace, name, uid, change, false);
  }

  /** Sets {@code status.entryId} (empty removes it) through the status subresource. */
  public boolean setEntryId(String namespace, String name, String uid, String entryId) {
    return readModifyWrite(
        namespace,
        name,
        uid,
        o -> {
          JsonObject status = SpiffeIdObject.object(o, "status");
          if (entryId.isEmpty()) {
            status.remove("entryId");
          } else {
            status.addProperty("entryId", entryId);
          }
          o.add("status", status);
        },
        true);
  }

  /** Removes {@code finalizer} from the object's finalizers (when present). */
  public boolean removeFinalizer(String namespace, String name, String uid, String finalizer) {
    return modify(namespace, name, uid, o -> setFinalizer(o, finalizer, false));
  }

  /** Adds or removes {@code finalizer} in {@code object}'s metadata. */
  static void setFinalizer(JsonObject object, String finalizer, boolean present) {
    JsonObject meta = SpiffeIdObject.object(object, "metadata");
    JsonArray out = new JsonArray();
    boolean seen = false;
    for (JsonElement e : SpiffeIdObject.array(meta, "finalizers")) {
      boolean ours = e.isJsonPrimitive() && e.getAsString().equals(finalizer);
      seen |= ours;
      if (!ours || present) {
        out.add(e);
      }
    }
    if (present && !seen) {
      out.add(finalizer);
    }
    if (out.isEmpty()) {
      meta.remove("finalizers");
    } else {
      meta.add("finalizers", out);
    }
    object.add("metadata", meta);
  }

  private boolean readModifyWrite(
      String namespace, String name, String uid, Consumer<JsonObject> change, boolean status) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Optional<JsonObject> current = get(namespace, name);
      if (current.isEmpty()) {
        return false;
      }
      JsonObject o = current.get();
      if (!uid.isEmpty()
          && !uid.equals(SpiffeIdObject.string(SpiffeIdObject.object(o, "metadata"), "uid"))) {
        return false; // another object of the same name: not ours to change
      }
      change.accept(o);
      if (status) {
        // PUT .../status with the whole object (client-java's updateStatus sends a patch).
        try {
          customObjects
              .replaceNamespacedCustomObjectStatus(
                  "spiffeid.spiffe.io", "v1beta1", namespace, "spiffeids", name, o)
              .execute();
          return true;
        } catch (ApiException e) {
          if (e.getCode() != 409) {
            log.warn(
                "Unable to update status of SpiffeID {}/{}: HTTP {} {}",
                GoQuote.quote(namespace),
                GoQuote.quote(name),
                e.getCode(),
                GoQuote.quote(String.valueOf(e.getResponseBody())));
            return false;
          }
          continue;
        }
      }
      KubernetesApiResponse<DynamicKubernetesObject> r = api.update(new DynamicKubernetesObject(o));
      if (r.isSuccess()) {
        return true;
      }
      if (r.getHttpStatusCode() != 409) {
        logFailure("update", o, r);
        return false;
      }
    }
    log.warn(
        "Unable to update SpiffeID {}/{}: still conflicting after {} attempts",
        GoQuote.quote(namespace),
        GoQuote.quote(name),
        ATTEMPTS);
    return false;
  }

  /** The object, when it exists and could be read. */
  public Optional<JsonObject> get(String namespace, String name) {
    KubernetesApiResponse<DynamicKubernetesObject> r = api.get(namespace, name);
    if (!r.isSuccess()) {
      if (r.getHttpStatusCode() != 404) {
        log.warn(
            "Unable to read SpiffeID {}/{}: HTTP {} {}",
            GoQuote.quote(namespace),
            GoQuote.quote(name),
            r.getHttpStatusCode(),
            message(r));
      }
      return Optional.empty();
    }
    return Optional.of(r.getObject().getRaw().deepCopy());
  }

  private static void logFailure(
      String verb, JsonObject o, KubernetesApiResponse<DynamicKubernetesObject> r) {
    JsonObject meta = SpiffeIdObject.object(o, "metadata");
    log.warn(
        "Unable to {} SpiffeID {}/{}: HTTP {} {}",
        verb,
        GoQuote.quote(SpiffeIdObject.string(meta, "namespace")),
        GoQuote.quote(SpiffeIdObject.string(meta, "name")),
        r.getHttpStatusCode(),
        message(r));
  }

  private static String message(KubernetesApiResponse<?> r) {
    return r.getStatus() == null || r.getStatus().getMessage() == null
        ? ""
        : GoQuote.quote(r.getStatus().getMessage());
  }
}
