package org.spireregistrar.kubernetes;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.openapi.models.V1ListMeta;
import java.util.List;

/** A whole (possibly paged) list as {@link Informed} views, with the list's resource version. */
final class InformedList<V> implements KubernetesListObject {
  private final String apiVersion;
  private final String kind;
  private final String resourceVersion;
  private final List<Informed<V>> items;

  InformedList(String apiVersion, String kind, String resourceVersion, List<Informed<V>> items) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.resourceVersion = resourceVersion;
    this.items = items;
  }

  @Override
  public V1ListMeta getMetadata() {
    return new V1ListMeta().resourceVersion(resourceVersion);
  }

  @Override
  public List<Informed<V>> getItems() {
    return items;
  }

  @Override
  public String getApiVersion() {
    return apiVersion;
  }

  @Override
  public String getKind() {
    return kind;
  }
}
