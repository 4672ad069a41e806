package org.spireregistrar.core.config;

import java.util.Objects;

/** Webhook-mode keys (upstream §1.5), defaults applied. */
public record WebhookConfig(
    String addr,
    String certPath,
    String keyPath,
    String cacertPath,
    boolean insecureSkipClientVerification) {

  public static final WebhookConfig DEFAULTS =
      new WebhookConfig(":8443", "cert.pem", "key.pem", "cacert.pem", false);

  public WebhookConfig {
    Objects.requireNonNull(addr, "addr");
    Objects.requireNonNull(certPath, "certPath");
    Objects.requireNonNull(keyPath, "keyPath");
    Objects.requireNonNull(cacertPath, "cacertPath");
  }
}
