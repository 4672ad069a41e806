package org.spireregistrar.kubernetes;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.util.Objects;
import java.util.function.Function;

/**
 * What an informer keeps of one Kubernetes object: the core's view of it (only the fields the
 * policies read) and its resource version, which the reflector resumes its watch from. The object
 * as the API server sent it is dropped as soon as the view is made, before anything is stored, so
 * an informer's cache holds views, not whole objects (a pod is several KiB of JSON with managed
 * fields, containers and status).
 *
 * <p>Its metadata (namespace, name, resource version: all the informer's cache and reflector read)
 * is made on demand from the view, so no copy of it is kept.
 *
 * @param <V> the view
 */
final class Informed<V> implements KubernetesObject {
  /** How a kind of object is viewed and keyed. */
  record Kind<V>(
      String apiVersion, String kind, Function<V, String> namespace, Function<V, String> name) {
    Kind {
      Objects.requireNonNull(apiVersion, "apiVersion");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
    }
  }

  private final Kind<V> kind;
  private final V view;
  // The resource version as a number when it is one (as the API server's are), else as text.
  private final long version;
  private final String versionText;

  /**
   * @param view the object's view; {@code null} only for a watch BOOKMARK, which carries nothing
   *     but a resource version and is never stored
   */
  Informed(Kind<V> kind, V view, String resourceVersion) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.view = view;
    long number = numeric(resourceVersion);
    this.version = number;
    this.versionText = number < 0 ? resourceVersion : null;
  }

  private static long numeric(String s) {
    if (s == null || s.isEmpty() || s.length() > 18 || s.charAt(0) == '0') {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** The class token informers are made with (one class for every view type). */
  @SuppressWarnings("unchecked") // erasure: Informed<V> has no class of its own
  static <V> Class<Informed<V>> type() {
    return (Class<Informed<V>>) (Class<?>) Informed.class;
  }

  /** The core's view. */
  V view() {
    return view;
  }

  String resourceVersion() {
    if (version >= 0) {
      return Long.toString(version);
    }
    return versionText; // not a number, or null when the object had none
  }

  @Override
  public V1ObjectMeta getMetadata() {
    V1ObjectMeta meta = new V1ObjectMeta().resourceVersion(resourceVersion());
    if (view != null) {
      String namespace = kind.namespace().apply(view);
      meta.name(kind.name().apply(view)).namespace(namespace.isEmpty() ? null : namespace);
    }
    return meta;
  }

  @Override
  public String getApiVersion() {
    return kind.apiVersion();
  }

  @Override
  public String getKind() {
    return kind.kind();
  }
}
