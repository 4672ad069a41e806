package org.spireregistrar.core.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CRD-mode keys (upstream §1.4), defaults applied.
 *
 * @param identityTemplate "" when unset (the pod policy then uses the default template unless a
 *     label or annotation policy is configured)
 * @param identityTemplateLabel "" when unset
 * @param dnsNameTemplates rendered in order; empty for none
 * @param context variables for {@code .Context.<key>}; empty when absent
 */
public record CrdConfig(
    boolean podController,
    boolean addSvcDnsName,
    boolean leaderElection,
    String leaderElectionResourceLock,
    String metricsBindAddr,
    boolean webhookEnabled,
    String webhookCertDir,
    int webhookPort,
    String webhookServiceName,
    String identityTemplate,
    String identityTemplateLabel,
    List<String> dnsNameTemplates,
    Map<String, String> context) {

  public static final String DEFAULT_IDENTITY_TEMPLATE =
      "ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}";
  public static final List<String> DEFAULT_DNS_NAME_TEMPLATES = List.of("{{.Pod.Name}}");

  public static final CrdConfig DEFAULTS =
      new CrdConfig(
          true,
          true,
          false,
          "leases",
          ":8080",
          false,
          "/run/spire/serving-certs",
          9443,
          "k8s-workload-registrar",
          "",
          "",
          DEFAULT_DNS_NAME_TEMPLATES,
          Map.of());

  public CrdConfig {
    Objects.requireNonNull(leaderElectionResourceLock, "leaderElectionResourceLock");
    Objects.requireNonNull(metricsBindAddr, "metricsBindAddr");
    Objects.requireNonNull(webhookCertDir, "webhookCertDir");
    Objects.requireNonNull(webhookServiceName, "webhookServiceName");
    Objects.requireNonNull(identityTemplate, "identityTemplate");
    Objects.requireNonNull(identityTemplateLabel, "identityTemplateLabel");
    dnsNameTemplates = List.copyOf(dnsNameTemplates);
    context = Map.copyOf(context);
  }
}
