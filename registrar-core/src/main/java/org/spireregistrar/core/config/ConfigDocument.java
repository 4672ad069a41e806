package org.spireregistrar.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded configuration file before validation: its top-level items in source order, each with
 * the line it was written on, <em>duplicates kept</em>. How repeated keys combine (the last scalar
 * wins, lists are appended, blocks merged) and how keys match (case-insensitively) is decided by
 * {@link ConfigParser}, so every front end (HCL, JSON, tests) gets the same HCL v1 semantics.
 *
 * <p>A value is a {@link String}, {@link Boolean}, {@link Number}, a {@link List} of values, or a
 * nested {@code ConfigDocument} (an HCL block such as {@code context { … }}). A {@link Map} given
 * as a value is converted to a nested document whose entries carry the line of the key holding it.
 * {@code null} is not a value: an item without one is rejected when it is added.
 */
public final class ConfigDocument {

  /**
   * One {@code key = value} item.
   *
   * @param key the key as written (its case kept)
   * @param value a String, Boolean, Number, List of values or nested ConfigDocument
   * @param line 1-based source line of the key; 0 when unknown (documents built in code)
   */
  public record Entry(String key, Object value, int line) {
    /**
     * @throws ConfigException when the value is missing or of a type a configuration cannot hold
     */
    public Entry {
      Objects.requireNonNull(key, "key");
      if (line < 0) {
        throw new IllegalArgumentException("line must be >= 0, got " + line);
      }
      value = normalise(key, value, line);
    }
  }

  private final String source;
  private final List<Entry> entries;

  private ConfigDocument(String source, List<Entry> entries) {
    this.source = source;
    this.entries = List.copyOf(entries);
  }

  /**
   * A document from a map, in the map's iteration order, without line numbers.
   *
   * @throws ConfigException when a value is missing or of an unsupported type
   */
  public static ConfigDocument of(Map<String, ?> items) {
    Builder b = builder("");
    items.forEach((k, v) -> b.add(k, v, 0));
    return b.build();
  }

  /** A builder for a document read from {@code source} (a file name, or "" when none). */
  public static Builder builder(String source) {
    return new Builder(source);
  }

  /** Where the document came from (a file name), or "" when unknown. */
  public String source() {
    return source;
  }

  /** The items in source order, duplicates included. */
  public List<Entry> entries() {
    return entries;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public String toString() {
    return "ConfigDocument" + entries;
  }

  /** Collects items in order. */
  public static final class Builder {
    private final String source;
    private final List<Entry> entries = new ArrayList<>();

    private Builder(String source) {
      this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Appends an item.
     *
     * @param line 1-based line of the key, 0 when unknown
     * @throws ConfigException when the value is missing or of an unsupported type
     */
    public Builder add(String key, Object value, int line) {
      entries.add(new Entry(key, value, line));
      return this;
    }

    public ConfigDocument build() {
      return new ConfigDocument(source, entries);
    }
  }

  private static Object normalise(String key, Object value, int line) {
    if (value == null) {
      throw new ConfigException(ConfigParser.at(line) + "key \"" + key + "\" has no value");
    }
    if (value instanceof String || value instanceof Boolean || value instanceof Number) {
      return value;
    }
    if (value instanceof ConfigDocument) {
      return value;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object item : list) {
        out.add(normalise(key, item, line));
      }
      return List.copyOf(out);
    }
    if (value instanceof Map<?, ?> map) {
      Builder nested = builder("");
      for (Map.Entry<?, ?> e : map.entrySet()) {
        nested.add(String.valueOf(e.getKey()), e.getValue(), line);
      }
      return nested.build();
    }
    throw new ConfigException(
        ConfigParser.at(line)
            + "key \""
            + key
            + "\" has a value of unsupported type "
            + value.getClass().getName());
  }
}
