package org.spireregistrar.core.policy;

import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.model.Workload;

/** Turning a label, annotation or rendered value into {@code spiffe://<td>/<value>}. */
final class ValuePaths {
  private ValuePaths() {}

  /**
   * {@code spiffe://<td>/<value>}, the value used as a whole path: {@code /} is allowed inside and
   * every segment is validated (product decision 2.5, in every mode).
   *
   * @param described names the source and value in the rejection, e.g. {@code pod label
   *     "spire-workload" value "a b"}
   * @throws RejectedObjectException {@code <described>: <go-spiffe reason>}
   */
  static SpiffeId idFromValue(TrustDomain td, Workload pod, String described, String value) {
    String path = "/" + value;
    String problem = SpiffeId.pathProblem(path);
    if (problem != null) {
      throw new RejectedObjectException(
          "Pod", pod.namespace(), pod.name(), described + ": " + problem);
    }
    return new SpiffeId(td, path);
  }
}
