package org.spireregistrar.core;

import java.util.Objects;
import java.util.Optional;

/** The server-assigned (or client-chosen) ID of a registration entry. */
public record EntryId(String value) implements Comparable<EntryId> {

  // equals and hashCode by hand: the generated ones go through method handles, which showed in
  // profiles of a full pass (these are hash keys of every index the engine keeps).
  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof EntryId i && value.equals(i.value));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  public EntryId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("entry ID cannot be empty");
    }
  }

  /** The most characters SPIRE's datastore accepts in an entry ID. */
  public static final int MAX_LENGTH = 255;

  /**
   * Why SPIRE's datastore refuses {@code value} as a client-chosen entry ID, or empty when it
   * accepts it: 1 to {@value #MAX_LENGTH} characters from {@code A-Z a-z 0-9 - . _}.
   */
  public static Optional<String> problem(String value) {
    if (value.isEmpty()) {
      return Optional.of("entry ID is empty");
    }
    if (value.length() > MAX_LENGTH) {
      return Optional.of("entry ID too long");
    }
    for (int i = 0; i < value.length(); i++) {
      if (!allowed(value.charAt(i))) {
        return Optional.of("entry ID contains invalid characters");
      }
    }
    return Optional.empty();
  }

  /** Whether SPIRE accepts {@code c} in an entry ID. */
  public static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.';
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
