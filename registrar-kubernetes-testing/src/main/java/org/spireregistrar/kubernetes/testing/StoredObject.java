package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An object as the store keeps it: its JSON bytes, exactly as they are served, plus the two things
 * list and watch filtering read on every object (namespace and labels). A parsed Jackson tree of a
 * real pod takes several times its JSON size on the heap; bytes keep 100,000 pods in a few hundred
 * MiB and are written to a list or watch response without re-serialising. Immutable.
 */
final class StoredObject {
  private final byte[] json;
  private final String namespace;
  private final JsonNode labels;
  private final long resourceVersion;

  private StoredObject(byte[] json, String namespace, JsonNode labels, long resourceVersion) {
    this.json = json;
    this.namespace = namespace;
    this.labels = labels;
    this.resourceVersion = resourceVersion;
  }

  /** Serialises {@code object}; later changes to it are not seen. */
  static StoredObject of(ObjectNode object) {
    JsonNode labels = object.path("metadata").get("labels");
    return new StoredObject(
        Json.bytes(object),
        Json.text(object, "metadata.namespace"),
        labels == null ? null : labels.deepCopy(),
        object.path("metadata").path("resourceVersion").asLong(0));
  }

  /** {@code metadata.resourceVersion}. */
  long resourceVersion() {
    return resourceVersion;
  }

  /** The JSON bytes; callers must not change them. */
  byte[] json() {
    return json;
  }

  /** {@code metadata.namespace}, {@code ""} for cluster-scoped objects. */
  String namespace() {
    return namespace;
  }

  /** {@code metadata.labels}, or null when absent. */
  JsonNode labels() {
    return labels;
  }

  /** A fresh, mutable tree of the object. */
  ObjectNode node() {
    try {
      return (ObjectNode) Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot re-read a stored object: " + e, e);
    }
  }

  /** Whether the object is in {@code namespace} (null: any) and matches both selectors. */
  boolean matches(String namespace, LabelSelector labelSelector, FieldSelector fieldSelector) {
    if (namespace != null && !namespace.equals(this.namespace)) {
      return false;
    }
    if (!labelSelector.matches(labels)) {
      return false;
    }
    return fieldSelector.isEverything() || fieldSelector.matches(node());
  }
}
