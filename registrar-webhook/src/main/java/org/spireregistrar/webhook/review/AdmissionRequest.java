package org.spireregistrar.webhook.review;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * The fields of an AdmissionReview's {@code request} that admission decisions read. Absent strings
 * are {@code ""}; absent (or {@code null}) objects are empty.
 *
 * @param uid echoed in the response
 * @param kind the kind of the object under review
 * @param namespace {@code request.namespace}
 * @param name {@code request.name}
 * @param operation {@code CREATE}, {@code UPDATE}, {@code DELETE} or {@code CONNECT}
 * @param object the object being created or updated (raw JSON)
 * @param oldObject the object before an update or delete (raw JSON)
 * @param dryRun whether the API server will not persist the change
 */
public record AdmissionRequest(
    String uid,
    GroupVersionKind kind,
    String namespace,
    String name,
    String operation,
    Optional<JsonNode> object,
    Optional<JsonNode> oldObject,
    boolean dryRun) {

  public AdmissionRequest {
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(oldObject, "oldObject");
  }

  /** {@code namespace/name}, or {@code name} for cluster-scoped objects. */
  public String ref() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
