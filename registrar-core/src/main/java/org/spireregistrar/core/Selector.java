package org.spireregistrar.core;

import java.util.Comparator;
import java.util.Objects;

/** A SPIRE selector {@code type:value}, e.g. {@code k8s:ns:default}. */
public record Selector(String type, String value) implements Comparable<Selector> {

  // equals and hashCode by hand: the generated ones go through method handles, which showed in
  // profiles of a full pass (these are hash keys of every index the engine keeps).
  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof Selector s && type.equals(s.type) && value.equals(s.value));
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + value.hashCode();
  }

  private static final Comparator<Selector> ORDER =
      Comparator.comparing(Selector::type).thenComparing(Selector::value);

  public Selector {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
    if (type.isEmpty()) {
      throw new IllegalArgumentException("selector type cannot be empty");
    }
    if (type.indexOf(':') >= 0) {
      throw new IllegalArgumentException("selector type cannot contain ':': " + type);
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("selector value cannot be empty");
    }
  }

  /** Parses {@code type:value}; the value may itself contain colons. */
  public static Selector parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "selector \"" + text + "\" must be of the form type:value");
    }
    return new Selector(text.substring(0, colon), text.substring(colon + 1));
  }

  public static Selector k8s(String value) {
    return new Selector("k8s", value);
  }

  public static Selector psat(String value) {
    return new Selector("k8s_psat", value);
  }

  @Override
  public int compareTo(Selector other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return type + ":" + value;
  }
}
