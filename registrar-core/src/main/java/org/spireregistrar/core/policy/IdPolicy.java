package org.spireregistrar.core.policy;

import java.util.Optional;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.config.CommonConfig;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.model.Workload;

/**
 * How a pod's SPIFFE ID is chosen. Implementations are pure and thread-safe.
 *
 * <p>"Does not apply" (the pod lacks the configured label, annotation or template gate) is {@link
 * Optional#empty()}; a pod the policy applies to but cannot turn into a valid ID is rejected with a
 * {@link RejectedObjectException} of kind {@code Pod} whose reason names the label, annotation or
 * template and the value, and keeps go-spiffe's text.
 */
public interface IdPolicy {

  /**
   * The pod's SPIFFE ID.
   *
   * @return empty when the policy does not apply to this pod
   * @throws RejectedObjectException when the policy applies but yields no valid ID
   */
  Optional<SpiffeId> workloadId(Workload pod);

  /**
   * The policy a configuration selects.
   *
   * <ul>
   *   <li>webhook and reconcile modes: {@code pod_label}, else {@code pod_annotation}, else the
   *       service-account policy;
   *   <li>crd mode: {@code pod_label}, else {@code pod_annotation}, else the identity template
   *       ({@code identity_template} or {@link CrdConfig#DEFAULT_IDENTITY_TEMPLATE}) gated by
   *       {@code identity_template_label} when set.
   * </ul>
   *
   * <p>The trust domain is the normalised one in every mode (product decision 2.1).
   *
   * @throws org.spireregistrar.core.config.ConfigException {@code parsing identity template:
   *     <reason>} when the identity template does not parse
   */
  static IdPolicy forConfig(RegistrarConfig config) {
    CommonConfig common = config.common();
    if (!common.podLabel().isEmpty()) {
      return new LabelIdPolicy(common.trustDomain(), common.podLabel());
    }
    if (!common.podAnnotation().isEmpty()) {
      return new AnnotationIdPolicy(common.trustDomain(), common.podAnnotation());
    }
    return switch (config.mode()) {
      case WEBHOOK, RECONCILE -> new ServiceAccountIdPolicy(common.trustDomain());
      case CRD -> TemplateIdPolicy.forConfig(common.trustDomain(), config.crd());
    };
  }
}
