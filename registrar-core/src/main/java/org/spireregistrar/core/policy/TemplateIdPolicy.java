package org.spireregistrar.core.policy;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.template.CrdTemplates;
import org.spireregistrar.core.template.GoTemplate;
import org.spireregistrar.core.template.TemplateData;
import org.spireregistrar.core.template.TemplateException;

/**
 * CRD mode's identity template (upstream §6.5): {@code spiffe://<td>/<rendered template>}, the
 * rendered text used as a whole path (every segment validated). The rendered text is never used as
 * a format string, so {@code %} reaches validation unchanged (product decision 2.7).
 *
 * <p>With a gate label ({@code identity_template_label}), only pods whose label of that name equals
 * {@code true} case-insensitively get an ID; the gate applies to the default template too.
 */
public final class TemplateIdPolicy implements IdPolicy {
  private final TrustDomain trustDomain;
  private final GoTemplate template;
  private final String gateLabel;
  private final Map<String, String> context;

  /**
   * @param trustDomain the normalised trust domain
   * @param template the identity template text (spaces kept, as upstream)
   * @param gateLabel {@code identity_template_label}; empty for no gate
   * @param context the {@code context} map, {@code .Context.<key>} in the template
   * @throws ConfigException {@code parsing identity template: <reason>}
   */
  public TemplateIdPolicy(
      TrustDomain trustDomain, String template, String gateLabel, Map<String, String> context) {
    this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
    this.gateLabel = Objects.requireNonNull(gateLabel, "gateLabel");
    this.context = Map.copyOf(context);
    try {
      this.template = GoTemplate.parse(CrdTemplates.IDENTITY_TEMPLATE_NAME, template);
    } catch (TemplateException e) {
      throw new ConfigException("parsing identity template: " + e.getMessage());
    }
  }

  /**
   * The policy of a crd-mode configuration: {@code identity_template}, or {@link
   * CrdConfig#DEFAULT_IDENTITY_TEMPLATE} when it is empty.
   *
   * @throws ConfigException {@code parsing identity template: <reason>}
   */
  public static TemplateIdPolicy forConfig(TrustDomain trustDomain, CrdConfig crd) {
    String text =
        crd.identityTemplate().isEmpty()
            ? CrdConfig.DEFAULT_IDENTITY_TEMPLATE
            : crd.identityTemplate();
    return new TemplateIdPolicy(trustDomain, text, crd.identityTemplateLabel(), crd.context());
  }

  /**
   * {@inheritDoc}
   *
   * @return empty when the gate label is configured and the pod's label is missing or not {@code
   *     true}
   * @throws RejectedObjectException {@code executing identity template: <reason>} when rendering
   *     fails, or {@code identity template output "<text>": <go-spiffe reason>} when the output is
   *     not a valid path
   */
  @Override
  public Optional<SpiffeId> workloadId(Workload pod) {
    if (!gateLabel.isEmpty()
        && !"true".equals(pod.labels().getOrDefault(gateLabel, "").toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    String rendered;
    try {
      rendered = template.execute(TemplateData.forPod(pod, context));
    } catch (TemplateException e) {
      throw new RejectedObjectException(
          "Pod", pod.namespace(), pod.name(), "executing identity template: " + e.getMessage());
    }
    return Optional.of(
        ValuePaths.idFromValue(
            trustDomain, pod, "identity template output \"" + rendered + "\"", rendered));
  }

  @Override
  public String toString() {
    return "TemplateIdPolicy[" + template.name() + ", gate=" + gateLabel + "]";
  }
}
