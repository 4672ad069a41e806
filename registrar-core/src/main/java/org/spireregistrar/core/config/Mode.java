package org.spireregistrar.core.config;

import java.util.Locale;
import java.util.Optional;

/** The registrar's operating mode, the config's {@code mode} key. */
public enum Mode {
  WEBHOOK,
  RECONCILE,
  CRD;

  /** The HCL spelling: {@code webhook}, {@code reconcile}, {@code crd}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the HCL spelling, exactly (upstream compares case-sensitively). */
  public static Optional<Mode> fromKey(String key) {
    for (Mode m : values()) {
      if (m.key().equals(key)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
