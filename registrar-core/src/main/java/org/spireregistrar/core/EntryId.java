package org.spireregistrar.core;

import java.util.Objects;

/** The server-assigned (or client-chosen) ID of a registration entry. */
public record EntryId(String value) implements Comparable<EntryId> {

  public EntryId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("entry ID cannot be empty");
    }
  }

  @Override
  public int compareTo(EntryId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
