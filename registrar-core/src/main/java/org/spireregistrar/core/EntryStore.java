package org.spireregistrar.core;

import java.util.List;

/**
 * Where registration entries live (a SPIRE server, or memory in tests). Batch methods return one
 * result per input item, in input order. Whole-call failures throw {@link EntryStoreException};
 * per-item failures are results.
 */
public interface EntryStore {

  /** Every entry passing {@code filter}, following pages to the end. */
  List<Entry> list(EntryFilter filter);

  /**
   * Creates entries. A spec similar to an existing entry (same parent, SPIFFE ID and selectors)
   * yields ALREADY_EXISTS carrying the existing entry.
   */
  List<EntryResult> create(List<EntrySpec> specs);

  /**
   * Updates the managed fields of entries by ID; unmanaged attributes on the server are kept. An
   * unknown ID yields NOT_FOUND.
   */
  List<EntryResult> update(List<Entry> entries);

  /** Deletes entries by ID; an unknown ID yields NOT_FOUND, which callers treat as success. */
  List<EntryResult> delete(List<EntryId> ids);
}
