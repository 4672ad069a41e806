package org.spireregistrar.core.policy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.TrustDomain;

/**
 * The {@code spiffe.io/federatesWith} annotation (upstream §3.4, product decision 2.2): a
 * comma-separated list of trust domains the workload's entry federates with.
 *
 * <p>Unlike upstream, items are trimmed, empty items and duplicates are dropped (first occurrence
 * kept), and every item must be a valid trust domain (a bare name, or a SPIFFE ID whose trust
 * domain is taken, as go-spiffe's {@code TrustDomainFromString} accepts).
 */
public final class Federation {
  /** The annotation key, on Pods (all modes) and on Nodes (reconcile mode). */
  public static final String ANNOTATION = "spiffe.io/federatesWith";

  private Federation() {}

  /**
   * Parses an annotation value.
   *
   * @param annotationValue the raw value, e.g. {@code "a.org, b.org"}
   * @return the trust domains in order of first appearance; empty for a blank value
   * @throws IllegalArgumentException {@code invalid federated trust domain "<item>": <go-spiffe
   *     reason>} for the first invalid item
   */
  public static List<TrustDomain> parse(String annotationValue) {
    Set<TrustDomain> out = new LinkedHashSet<>();
    for (String raw : annotationValue.split(",", -1)) {
      String item = raw.strip();
      if (!item.isEmpty()) {
        out.add(trustDomain(item));
      }
    }
    return List.copyOf(out);
  }

  /**
   * Parses one trust domain of a federation list (an annotation item or a SpiffeID's {@code
   * spec.federatesWith} item), untrimmed.
   *
   * @throws IllegalArgumentException {@code invalid federated trust domain "<item>": <reason>}
   */
  public static TrustDomain trustDomain(String item) {
    try {
      return TrustDomain.parse(item);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid federated trust domain \"" + item + "\": " + e.getMessage(), e);
    }
  }

  /**
   * The federation of a Kubernetes object from its annotations.
   *
   * @param kind {@code Pod} or {@code Node}, for the rejection message
   * @return empty when the annotation is absent or blank
   * @throws RejectedObjectException {@code <kind> <ns>/<name>: annotation
   *     "spiffe.io/federatesWith": invalid federated trust domain "<item>": <reason>}
   */
  public static List<TrustDomain> of(
      String kind, String namespace, String name, Map<String, String> annotations) {
    String value = annotations.get(ANNOTATION);
    if (value == null) {
      return List.of();
    }
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new RejectedObjectException(
          kind, namespace, name, "annotation \"" + ANNOTATION + "\": " + e.getMessage());
    }
  }
}
