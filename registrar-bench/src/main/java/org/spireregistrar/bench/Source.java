package org.spireregistrar.bench;

import java.util.Locale;

/** Where the strategies get the cluster from. */
public enum Source {
  /**
   * Realistic objects in a {@code KubernetesApiStandIn}, read over HTTP through informers: the
   * production path (client, informers, engine, gRPC store).
   */
  API,
  /** Views handed straight to the strategy: isolates the sync engine from the informers. */
  MEMORY;

  /** The name used by {@code --source} and in JSON. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Source parse(String text) {
    for (Source s : values()) {
      if (s.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown source \"" + text + "\"; valid sources are api and memory");
  }
}
