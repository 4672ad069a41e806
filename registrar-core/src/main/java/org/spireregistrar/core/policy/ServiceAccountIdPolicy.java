package org.spireregistrar.core.policy;

import java.util.Objects;
import java.util.Optional;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.model.Workload;

/**
 * The default of webhook and reconcile modes: every pod gets {@code
 * spiffe://<td>/ns/<namespace>/sa/<serviceAccountName>}.
 *
 * @param trustDomain the normalised trust domain
 */
public record ServiceAccountIdPolicy(TrustDomain trustDomain) implements IdPolicy {

  public ServiceAccountIdPolicy {
    Objects.requireNonNull(trustDomain, "trustDomain");
  }

  /**
   * {@inheritDoc} Never empty.
   *
   * @throws RejectedObjectException when the namespace or service account is not a valid path
   *     segment, e.g. {@code Pod default/web: service account "": path cannot contain empty
   *     segments} (the API server always sets {@code spec.serviceAccountName}, so this concerns
   *     hand-written objects)
   */
  @Override
  public Optional<SpiffeId> workloadId(Workload pod) {
    check(pod, "namespace", pod.namespace());
    check(pod, "service account", pod.serviceAccount());
    return Optional.of(SpiffeId.of(trustDomain, "ns", pod.namespace(), "sa", pod.serviceAccount()));
  }

  private static void check(Workload pod, String what, String segment) {
    String problem = SpiffeId.segmentProblem(segment);
    if (problem != null) {
      throw new RejectedObjectException(
          "Pod", pod.namespace(), pod.name(), what + " \"" + segment + "\": " + problem);
    }
  }
}
