package org.spireregistrar.reconcile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
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
  // Selector set -> its one Entry (the usual case, without a list to hold it) or an
  // ArrayList<Entry> of several.
  private final Map<List<Selector>, Object> bySelectors = new HashMap<>();
  // Entry ID -> the slot of the entry indexed under it: what a list may hand back unchanged.
  private final Map<String, Slot> byId = new HashMap<>();
  // The slots in the order the last load listed them (a slot's position is its index here; slots
  // added since have none): SPIRE lists in a stable order, so the next list is predicted from it.
  private Slot[] ordered = new Slot[0];
  // Counts loads: a slot seen by the current load carries its number.
  private int loads;
  // Counts changes to what is indexed (not loads that find it unchanged).
  private long version;
  private volatile boolean loaded;
  private volatile int size;

  /** An indexed entry (null once forgotten), its position and the last load that listed it. */
  private static final class Slot {
    Entry entry;
    int position = -1;
    int listedBy;

    Slot(Entry entry) {
      this.entry = entry;
    }
  }

  /**
   * @param owned the entries this registrar may update or delete
   */
  OwnedEntryIndex(Predicate<Entry> owned) {
    this.owned = Objects.requireNonNull(owned, "owned");
  }

  /**
   * Replaces the contents with the owned entries of {@code all} (everything the store lists). When
   * {@code all} holds exactly the indexed entries, each as the very object indexed (a store hands
   * back unchanged entries so when listed with {@link #listedBefore}), the index is kept as it is.
   */
  void load(List<Entry> all) {
    if (!unchanged(all)) {
      for (Slot slot : byId.values()) {
        slot.entry = null; // the order learnt last must not predict them
      }
      byId.clear();
      bySelectors.clear();
      version++;
      size = 0;
      for (Entry e : all) {
        put(e);
      }
      order(all);
    }
    loaded = true;
  }

  /**
   * Whether {@code all} lists each indexed entry once, as the object indexed, and no other. The
   * entries are looked for where the last load had them, and by ID only when not there; when any
   * was elsewhere, the order is learnt again.
   */
  private boolean unchanged(List<Entry> all) {
    if (!loaded) {
      return false;
    }
    int load = ++loads;
    int same = 0;
    int next = 0;
    boolean moved = false;
    for (Entry e : all) {
      Slot slot;
      if (next < ordered.length && ordered[next].entry == e) {
        slot = ordered[next++];
      } else {
        slot = byId.get(e.id().value());
        moved = true;
        if (slot != null && slot.position >= 0) {
          next = slot.position + 1;
        }
      }
      if (slot != null && slot.entry == e && slot.listedBy != load) {
        slot.listedBy = load;
        same++;
      } else if (owned.test(e)) {
        return false; // new, changed or listed twice
      }
    }
    if (same != byId.size()) {
      return false;
    }
    if (moved) {
      order(all);
    }
    return true;
  }

  /** Learns the order of the indexed entries from {@code all}, as listed. */
  private void order(List<Entry> all) {
    for (Slot slot : ordered) {
      slot.position = -1;
    }
    List<Slot> slots = new ArrayList<>(byId.size());
    for (Entry e : all) {
      Slot slot = byId.get(e.id().value());
      if (slot != null && slot.entry == e && slot.position < 0) {
        slot.position = slots.size();
        slots.add(slot);
      }
    }
    ordered = slots.toArray(new Slot[0]);
  }

  /**
   * What a store may hand back unchanged when listing ({@link
   * org.spireregistrar.core.EntryStore#list(org.spireregistrar.core.EntryFilter,
   * java.util.function.Function)}): the indexed entry with an ID, or null. For one list, in its
   * order: each ID is first compared with the one listed after the last found, without hashing.
   */
  Function<String, Entry> listedBefore() {
    int[] next = {0};
    return id -> {
      int i = next[0];
      if (i < ordered.length) {
        Entry predicted = ordered[i].entry;
        if (predicted != null && predicted.id().value().equals(id)) {
          next[0] = i + 1;
          return predicted;
        }
      }
      Slot slot = byId.get(id);
      if (slot == null) {
        return null;
      }
      if (slot.position >= 0) {
        next[0] = slot.position + 1;
      }
      return slot.entry;
    };
  }

  /**
   * A number that changes whenever what is indexed changes: while it stays the same, {@link #get}
   * answers as it did.
   */
  long version() {
    return version;
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
    Object group = bySelectors.get(selectors);
    if (group == null) {
      return List.of();
    }
    return group instanceof Entry e ? List.of(e) : Collections.unmodifiableList(several(group));
  }

  @SuppressWarnings("unchecked") // only link() stores lists, and only of entries
  private static List<Entry> several(Object group) {
    return (List<Entry>) group;
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

  /** Indexes an owned entry, replacing the one with its ID (whatever its selectors). */
  private void put(Entry e) {
    if (!owned.test(e)) {
      return;
    }
    Slot slot = byId.get(e.id().value());
    if (slot == null) {
      byId.put(e.id().value(), new Slot(e));
    } else {
      unlink(slot.entry);
      slot.entry = e;
    }
    link(e);
    size = byId.size();
  }

  /** Forgets the entry with {@code e}'s ID. */
  private void remove(Entry e) {
    Slot slot = byId.remove(e.id().value());
    if (slot != null) {
      unlink(slot.entry);
      slot.entry = null;
      size = byId.size();
    }
  }

  private void link(Entry e) {
    version++;
    List<Selector> key = e.spec().selectors();
    Object group = bySelectors.putIfAbsent(key, e);
    if (group instanceof Entry one) {
      List<Entry> two = new ArrayList<>(2);
      two.add(one);
      two.add(e);
      bySelectors.put(key, two);
    } else if (group != null) {
      several(group).add(e);
    }
  }

  private void unlink(Entry e) {
    version++;
    List<Selector> key = e.spec().selectors();
    Object group = bySelectors.get(key);
    if (group == e) {
      bySelectors.remove(key);
    } else if (group instanceof List<?>) {
      List<Entry> list = several(group);
      list.removeIf(x -> x == e);
      if (list.size() == 1) {
        bySelectors.put(key, list.get(0));
      }
    }
  }
}
