package org.spireregistrar.reconcile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.Selector;

/**
 * The SPIRE entries this registrar owns, grouped by selector set (the key of a Kubernetes object's
 * entry). Loaded from one full list, then kept current from the results of our own writes, so a
 * pass compares against it instead of listing SPIRE. Entries the ownership rule rejects are never
 * indexed, so nothing the index returns can be a foreign entry.
 *
 * <p>Threads: confined to the sync thread, except {@link #loaded()} and {@link #size()}, which any
 * thread may read (health).
 */
final class OwnedEntryIndex {
  private final Predicate<Entry> owned;
  private final Map<List<Selector>, List<Entry>> bySelectors = new HashMap<>();
  private volatile boolean loaded;
  private volatile int size;

  /**
   * @param owned the entries this registrar may update or delete
   */
  OwnedEntryIndex(Predicate<Entry> owned) {
    this.owned = Objects.requireNonNull(owned, "owned");
  }

  /** Replaces the contents with the owned entries of {@code all} (everything the store lists). */
  void load(Collection<Entry> all) {
    bySelectors.clear();
    size = 0;
    for (Entry e : all) {
      put(e);
    }
    loaded = true;
  }

  /** Whether {@link #load} has run at least once. */
  boolean loaded() {
    return loaded;
  }

  /** Owned entries indexed. */
  int size() {
    return size;
  }

  /** The owned entries with exactly these (sorted) selectors; empty when none. Read-only. */
  List<Entry> get(List<Selector> selectors) {
    List<Entry> group = bySelectors.get(selectors);
    return group == null ? List.of() : Collections.unmodifiableList(group);
  }

  /** Every selector set that has an owned entry. Read-only. */
  Collection<List<Selector>> selectorSets() {
    return Collections.unmodifiableSet(bySelectors.keySet());
  }

  /**
   * Applies the result of creating an entry: OK or ALREADY_EXISTS carrying the (new or similar
   * existing) entry indexes it.
   *
   * @return whether the entry now exists
   */
  boolean applyCreate(EntryResult result) {
    boolean exists =
        (result.code() == EntryResult.Code.OK || result.code() == EntryResult.Code.ALREADY_EXISTS)
            && result.entry().isPresent();
    if (exists) {
      put(result.entry().get());
    }
    return exists;
  }

  /**
   * Applies the result of updating {@code sent}: OK indexes the entry returned (or {@code sent});
   * NOT_FOUND forgets it (deleted behind our back).
   *
   * @return whether the update was made
   */
  boolean applyUpdate(Entry sent, EntryResult result) {
    if (result.code() == EntryResult.Code.OK) {
      put(result.entry().orElse(sent));
      return true;
    }
    if (result.code() == EntryResult.Code.NOT_FOUND) {
      remove(sent);
    }
    return false;
  }

  /**
   * Applies the result of deleting {@code old}: OK or NOT_FOUND forgets it.
   *
   * @return whether the entry is gone
   */
  boolean applyDelete(Entry old, EntryResult result) {
    boolean gone =
        result.code() == EntryResult.Code.OK || result.code() == EntryResult.Code.NOT_FOUND;
    if (gone) {
      remove(old);
    }
    return gone;
  }

  private void put(Entry e) {
    if (!owned.test(e)) {
      return;
    }
    List<Entry> group = bySelectors.computeIfAbsent(e.spec().selectors(), k -> new ArrayList<>(1));
    boolean replaced = group.removeIf(x -> x.id().equals(e.id()));
    group.add(e);
    if (!replaced) {
      size++;
    }
  }

  private void remove(Entry e) {
    List<Selector> selectors = e.spec().selectors();
    List<Entry> group = bySelectors.get(selectors);
    if (group == null) {
      return;
    }
    if (group.removeIf(x -> x.id().equals(e.id()))) {
      size--;
    }
    if (group.isEmpty()) {
      bySelectors.remove(selectors);
    }
  }
}
