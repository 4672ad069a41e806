package org.spireregistrar.crd;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.kubernetes.ObjectViews;

/**
 * A SpiffeID as the controllers see it: the core view plus the metadata they act on.
 *
 * @param view the core view (spec, labels, {@code status.entryId})
 * @param uid {@code metadata.uid}
 * @param finalizers {@code metadata.finalizers}
 * @param deleting whether {@code metadata.deletionTimestamp} is set
 * @param owners {@code metadata.ownerReferences}
 * @param raw the object as read (never modified)
 * @param problem why the object is malformed (a field of the wrong type, read leniently as absent
 *     into {@code view}), without the object reference; empty when it is well-formed
 */
public record SpiffeIdObject(
    SpiffeIdResource view,
    String uid,
    List<String> finalizers,
    boolean deleting,
    List<Owner> owners,
    JsonObject raw,
    String problem) {

  /** The finalizer of the original registrar, which this one honours and sets when needed. */
  public static final String FINALIZER = "finalizers.spiffeid.spiffe.io";

  /** One owner reference. */
  public record Owner(String kind, String name, String uid) {}

  private static final ObjectViews LENIENT = new ObjectViews(ObjectViews.Strictness.LENIENT, "");
  private static final ObjectViews STRICT = new ObjectViews(ObjectViews.Strictness.STRICT, "");

  public SpiffeIdObject {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(uid, "uid");
    finalizers = List.copyOf(finalizers);
    owners = List.copyOf(owners);
    Objects.requireNonNull(raw, "raw");
    Objects.requireNonNull(problem, "problem");
  }

  /**
   * Reads {@code raw}; never throws. A field of the wrong type (which an API server with the CRD's
   * schema would have refused) reads as absent and is named in {@link #problem()}; unknown fields
   * are ignored, as the schema's pruning would drop them.
   */
  public static SpiffeIdObject of(JsonObject raw) {
    SpiffeIdResource view;
    String problem = "";
    try {
      view = STRICT.spiffeId(raw);
    } catch (RejectedObjectException e) {
      view = LENIENT.spiffeId(raw);
      problem = e.reason();
    }
    JsonObject meta = object(raw, "metadata");
    List<String> finalizers = new ArrayList<>();
    for (JsonElement e : array(meta, "finalizers")) {
      if (e.isJsonPrimitive()) {
        finalizers.add(e.getAsString());
      }
    }
    List<Owner> owners = new ArrayList<>();
    for (JsonElement e : array(meta, "ownerReferences")) {
      if (e.isJsonObject()) {
        JsonObject o = e.getAsJsonObject();
        owners.add(new Owner(string(o, "kind"), string(o, "name"), string(o, "uid")));
      }
    }
    return new SpiffeIdObject(
        view,
        string(meta, "uid"),
        finalizers,
        !string(meta, "deletionTimestamp").isEmpty(),
        owners,
        raw,
        problem);
  }

  public String namespace() {
    return view.namespace();
  }

  public String name() {
    return view.name();
  }

  /** {@code status.entryId}; empty when unset. */
  public String entryId() {
    return view.entryId();
  }

  public boolean hasFinalizer() {
    return finalizers.contains(FINALIZER);
  }

  /** The value of label {@code key}; empty when absent. */
  public String label(String key) {
    return view.labels().getOrDefault(key, "");
  }

  /** Whether an owner reference names a {@code kind} with {@code uid}. */
  public boolean ownedBy(String kind, String ownerUid) {
    return owners.stream().anyMatch(o -> o.kind().equals(kind) && o.uid().equals(ownerUid));
  }

  /** The UID of the first owner of {@code kind}; empty when none. */
  public String ownerUid(String kind) {
    return owners.stream()
        .filter(o -> o.kind().equals(kind))
        .map(Owner::uid)
        .findFirst()
        .orElse("");
  }

  static JsonObject object(JsonObject o, String key) {
    JsonElement e = o == null ? null : o.get(key);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
  }

  static JsonArray array(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonArray() ? e.getAsJsonArray() : new JsonArray();
  }

  static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
  }
}
