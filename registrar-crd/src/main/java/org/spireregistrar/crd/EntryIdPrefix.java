package org.spireregistrar.crd;

import java.util.Objects;
import java.util.UUID;
import org.spireregistrar.core.EntryId;

/**
 * The entry-ID prefix that marks SPIRE entries crd mode created and may delete: {@code
 * k8s-workload-registrar.<cluster>.}. Entries created under it get {@code <prefix><uuid>} (SPIRE
 * 1.8+ honours client-chosen IDs).
 *
 * <p>SPIRE accepts {@code A-Z a-z 0-9 - . _} in entry IDs, at most 255 characters. A cluster name
 * that crd mode accepts is a SPIFFE ID path segment, which has the same alphabet, so the prefix is
 * the cluster name as written; any other character would be replaced by {@code _}, and a prefix
 * longer than 200 characters is refused (room for the 36-character UUID).
 */
public record EntryIdPrefix(String value) {

  /** Longest prefix accepted, leaving room for a UUID within SPIRE's 255 characters. */
  public static final int MAX_LENGTH = 200;

  public EntryIdPrefix {
    Objects.requireNonNull(value, "value");
    if (EntryId.problem(value).isPresent() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "entry ID prefix \"" + value + "\" is not 1-" + MAX_LENGTH + " of A-Z a-z 0-9 - . _");
    }
  }

  /** {@code k8s-workload-registrar.<cluster>.}, sanitised to SPIRE's entry-ID alphabet. */
  public static EntryIdPrefix forCluster(String cluster) {
    StringBuilder b = new StringBuilder("k8s-workload-registrar.");
    for (int i = 0; i < cluster.length(); i++) {
      char c = cluster.charAt(i);
      b.append(EntryId.allowed(c) ? c : '_');
    }
    return new EntryIdPrefix(b.append('.').toString());
  }

  /** Whether {@code id} carries this prefix (so crd mode created it). */
  public boolean owns(EntryId id) {
    return id.value().startsWith(value) && id.value().length() > value.length();
  }

  /** A fresh ID under this prefix. */
  public EntryId newId() {
    return new EntryId(value + UUID.randomUUID());
  }

  @Override
  public String toString() {
    return value;
  }
}
