package org.spireregistrar.core.policy;

import java.util.Objects;
import java.util.Optional;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.model.Workload;

/**
 * {@code pod_label}: a pod carrying the label gets {@code spiffe://<td>/<value>}; a pod without it
 * gets no entry. The value is a path: {@code /} is allowed inside, every segment is validated. An
 * empty value is rejected ({@code path cannot have a trailing slash}, as upstream's webhook mode).
 *
 * @param trustDomain the normalised trust domain
 * @param label the label key
 */
public record LabelIdPolicy(TrustDomain trustDomain, String label) implements IdPolicy {

  public LabelIdPolicy {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(label, "label");
  }

  /**
   * {@inheritDoc}
   *
   * @throws org.spireregistrar.core.RejectedObjectException e.g. {@code Pod default/web: pod label
   *     "spire-workload" value "a b": path segment characters are limited to letters, numbers,
   *     dots, dashes, and underscores}
   */
  @Override
  public Optional<SpiffeId> workloadId(Workload pod) {
    String value = pod.labels().get(label);
    if (value == null) {
      return Optional.empty();
    }
    return Optional.of(
        ValuePaths.idFromValue(
            trustDomain, pod, "pod label \"" + label + "\" value \"" + value + "\"", value));
  }
}
