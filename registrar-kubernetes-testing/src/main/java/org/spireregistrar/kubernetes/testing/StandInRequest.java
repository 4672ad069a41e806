package org.spireregistrar.kubernetes.testing;

import java.util.Objects;

/**
 * One HTTP request the stand-in received, as tests inspect it and as fault rules match it.
 *
 * @param method HTTP method, e.g. {@code GET}
 * @param path the decoded URL path, e.g. {@code /api/v1/namespaces/default/pods}
 * @param query the raw query string, {@code ""} if none
 * @param verb the Kubernetes verb ({@code get}, {@code list}, {@code watch}, {@code create}, {@code
 *     update}, {@code patch}, {@code delete}, {@code deletecollection}); for requests that are not
 *     about a resource (discovery, {@code /version}) the lowercase HTTP method
 * @param resource the resource plural, e.g. {@code pods}; {@code ""} when not about a resource
 * @param subresource e.g. {@code status}; {@code ""} if none
 * @param namespace {@code ""} if none
 * @param name {@code ""} for collection requests
 */
public record StandInRequest(
    String method,
    String path,
    String query,
    String verb,
    String resource,
    String subresource,
    String namespace,
    String name) {

  /** Requires every component to be non-null. */
  public StandInRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(verb, "verb");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(subresource, "subresource");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** Whether this request is about a resource (not discovery or {@code /version}). */
  public boolean isResourceRequest() {
    return !resource.isEmpty();
  }

  /**
   * The API group the path names: {@code ""} for {@code /api/...} (the core group) and for requests
   * that are not about a resource, else the segment after {@code /apis/}.
   */
  public String group() {
    if (!isResourceRequest() || !path.startsWith("/apis/")) {
      return "";
    }
    int end = path.indexOf('/', "/apis/".length());
    return end < 0 ? "" : path.substring("/apis/".length(), end);
  }

  /** Whether the verb and resource are these, e.g. {@code is("watch", "pods")}. */
  public boolean is(String verb, String resource) {
    return this.verb.equals(verb) && this.resource.equals(resource);
  }
}
