package org.spireregistrar.core.entry;

import java.util.Objects;
import java.util.function.Predicate;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.SpiffeId;

/**
 * Which SPIRE entries a registrar owns, i.e. may update or delete. Everything else on the server is
 * never touched (product §7: a property test checks this over random foreign entries).
 */
public final class Ownership {
  private Ownership() {}

  /**
   * Reconcile mode: entries whose parent ID <em>or</em> SPIFFE ID is the root ID or lies under it,
   * segment-aware (product decision 2.6): root {@code spiffe://td/spire-k8s-registrar/c/node} owns
   * {@code …/node/n1} but not {@code …/nodeX/n1}, and nothing in another trust domain.
   *
   * @param root {@code spiffe://<td>/<controller_name>/<cluster>/node}
   */
  public static Predicate<Entry> underRoot(SpiffeId root) {
    Objects.requireNonNull(root, "root");
    return e -> root.contains(e.parentId()) || root.contains(e.spiffeId());
  }

  /**
   * Webhook mode: entries parented exactly to {@code parent}, the cluster node ID {@code
   * spiffe://<td>/k8s-workload-registrar/<cluster>/node}.
   */
  public static Predicate<Entry> parentedTo(SpiffeId parent) {
    Objects.requireNonNull(parent, "parent");
    return e -> parent.equals(e.parentId());
  }
}
