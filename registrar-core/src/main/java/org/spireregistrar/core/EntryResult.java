package org.spireregistrar.core;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one item of a batch write, as SPIRE reports it per item.
 *
 * @param code the outcome
 * @param message the server's message; empty on success
 * @param entry the entry written (create/update) or the existing similar entry (ALREADY_EXISTS);
 *     empty for deletes and failures
 * @param id the entry ID concerned, when known
 */
public record EntryResult(Code code, String message, Optional<Entry> entry, Optional<EntryId> id) {

  /** Per-item status codes, named after the gRPC codes SPIRE uses. */
  public enum Code {
    OK,
    ALREADY_EXISTS,
    NOT_FOUND,
    INVALID_ARGUMENT,
    FAILED_PRECONDITION,
    PERMISSION_DENIED,
    INTERNAL,
    UNAVAILABLE,
    UNKNOWN
  }

  public EntryResult {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(id, "id");
  }

  public static EntryResult ok(Entry entry) {
    return new EntryResult(Code.OK, "", Optional.of(entry), Optional.of(entry.id()));
  }

  public static EntryResult deleted(EntryId id) {
    return new EntryResult(Code.OK, "", Optional.empty(), Optional.of(id));
  }

  public static EntryResult alreadyExists(Entry existing) {
    return new EntryResult(
        Code.ALREADY_EXISTS,
        "similar entry already exists",
        Optional.of(existing),
        Optional.of(existing.id()));
  }

  public static EntryResult failure(Code code, String message, Optional<EntryId> id) {
    return new EntryResult(code, message, Optional.empty(), id);
  }

  /**
   * True when the item reached the state asked for: OK, ALREADY_EXISTS with the existing entry
   * (create adopts it), NOT_FOUND for a delete is decided by the caller.
   */
  public boolean succeeded() {
    return code == Code.OK || (code == Code.ALREADY_EXISTS && entry.isPresent());
  }
}
