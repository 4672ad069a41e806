package org.spireregistrar.core.config;

import java.util.List;
import java.util.Objects;

/**
 * A validated configuration: the common keys and every mode's keys with defaults applied (only the
 * section of {@link CommonConfig#mode()} is used), plus the warnings found while validating.
 */
public record RegistrarConfig(
    CommonConfig common,
    WebhookConfig webhook,
    ReconcileConfig reconcile,
    CrdConfig crd,
    List<String> warnings) {

  public RegistrarConfig {
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(webhook, "webhook");
    Objects.requireNonNull(reconcile, "reconcile");
    Objects.requireNonNull(crd, "crd");
    warnings = List.copyOf(warnings);
  }

  public Mode mode() {
    return common.mode();
  }
}
