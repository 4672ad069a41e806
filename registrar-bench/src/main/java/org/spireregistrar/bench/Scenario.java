package org.spireregistrar.bench;

import java.util.Locale;

/** The benchmark's scenarios, in the order they run on one strategy. */
public enum Scenario {
  COLD("cold sync into an empty server"),
  STEADY("steady-state resync, nothing changed"),
  CHURN("churn: pods created, relabelled and deleted at a fixed rate"),
  HEAP("heap: live set after GC with the pods tracked");

  private final String title;

  Scenario(String title) {
    this.title = title;
  }

  /** The name used by {@code --scenarios} and in JSON. */
  String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  String title() {
    return title;
  }

  public static Scenario parse(String text) {
    for (Scenario s : values()) {
      if (s.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scenario \"" + text + "\"; valid scenarios are cold, steady, churn and heap");
  }
}
