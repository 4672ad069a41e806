package org.spireregistrar.core.policy;

import java.util.Objects;
import java.util.Optional;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.model.Workload;

/**
 * {@code pod_annotation}: a pod carrying the annotation gets {@code spiffe://<td>/<value>}; a pod
 * without it gets no entry. The value is a path: {@code /} is allowed inside, every segment is
 * validated. An empty value is rejected ({@code path cannot have a trailing slash}, as upstream's
 * webhook mode). Unlike upstream's reconcile mode, a value such as {@code production/web} is
 * accepted (product decision 2.5).
 *
 * @param trustDomain the normalised trust domain
 * @param annotation the annotation key
 */
public record AnnotationIdPolicy(TrustDomain trustDomain, String annotation) implements IdPolicy {

  public AnnotationIdPolicy {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(annotation, "annotation");
  }

  /**
   * {@inheritDoc}
   *
   * @throws org.spireregistrar.core.RejectedObjectException e.g. {@code Pod default/web: pod
   *     annotation "spiffe.io/spiffe-id" value "a b": path segment characters are limited to
   *     letters, numbers, dots, dashes, and underscores}
   */
  @Override
  public Optional<SpiffeId> workloadId(Workload pod) {
    String value = pod.annotations().get(annotation);
    if (value == null) {
      return Optional.empty();
    }
    return Optional.of(
        ValuePaths.idFromValue(
            trustDomain,
            pod,
            "pod annotation \"" + annotation + "\" value \"" + value + "\"",
            value));
  }
}
