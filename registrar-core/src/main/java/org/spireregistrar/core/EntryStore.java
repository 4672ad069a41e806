package org.spireregistrar.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where registration entries live (a SPIRE server, or memory in tests). Batch methods return one
 * result per input item, in input order. Whole-call failures throw {@link EntryStoreException};
 * per-item failures are results.
 */
public interface EntryStore {

  /** Every entry passing {@code filter}, following pages to the end. */
  List<Entry> list(EntryFilter filter);

  /**
   * As {@link #list(EntryFilter)}, except that an entry equal in every field to {@code
   * listedBefore}'s entry of its ID (one the caller kept from an earlier list or write; null when
   * none) may be returned as that very object instead of a new copy. A caller that keeps what it
   * lists then saves decoding unchanged entries again, and can tell them by identity: a returned
   * object that is the one it kept is unchanged. The default ignores {@code listedBefore}.
   */
  default List<Entry> list(EntryFilter filter, Function<String, Entry> listedBefore) {
    return list(filter);
  }

  /**
   * Creates entries. A spec similar to an existing entry (same parent, SPIFFE ID and selectors)
   * yields ALREADY_EXISTS carrying the existing entry.
   */
  List<EntryResult> create(List<EntrySpec> specs);

  /**
   * Creates entries under IDs the caller chose, as SPIRE 1.8 and later do when {@code Entry.id} is
   * set on BatchCreateEntry. Only each entry's ID and spec are sent; its attributes are ignored.
   * Per item, in input order, as {@link #create}, and in addition:
   *
   * <ul>
   *   <li>a spec similar to an existing entry still yields ALREADY_EXISTS carrying that entry (with
   *       <em>its</em> ID, which may differ from the one asked for);
   *   <li>an ID SPIRE refuses ({@link EntryId#problem}) yields INVALID_ARGUMENT;
   *   <li>an ID another entry already has yields ALREADY_EXISTS <em>without</em> an entry.
   * </ul>
   *
   * <p>A server that does not honour client-chosen IDs (SPIRE before 1.8) creates the entry under
   * an ID of its own and answers OK: callers that depend on the ID compare it with the returned
   * entry's. The default implementation behaves like such a server: it drops the IDs and calls
   * {@link #create}.
   */
  default List<EntryResult> createWithIds(List<Entry> entries) {
    List<EntrySpec> specs = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      specs.add(e.spec());
    }
    return create(specs);
  }

  /**
   * Updates the managed fields of entries by ID; unmanaged attributes on the server are kept. An
   * unknown ID yields NOT_FOUND.
   */
  List<EntryResult> update(List<Entry> entries);

  /** Deletes entries by ID; an unknown ID yields NOT_FOUND, which callers treat as success. */
  List<EntryResult> delete(List<EntryId> ids);
}
