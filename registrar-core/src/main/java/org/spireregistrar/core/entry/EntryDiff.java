package org.spireregistrar.core.entry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;

/**
 * The writes that turn the entries a registrar owns into the desired ones. Pure and deterministic:
 * the same inputs in any order give the same result.
 *
 * <p>Entries are matched by their selector set (the key of a Kubernetes object's entry). Within one
 * selector set:
 *
 * <ol>
 *   <li>a desired spec equal to an actual entry ({@link EntrySpec#equals}: every managed field) is
 *       kept, pairing with the smallest entry ID among equal ones;
 *   <li>remaining desired specs pair with a remaining actual entry of the same parent and SPIFFE ID
 *       (smallest ID first) → update;
 *   <li>remaining desired specs, in {@link EntrySpecs#PLAN_ORDER}, pair with the remaining actual
 *       entries in ascending ID order → update;
 *   <li>desired specs left over → create; actual entries left over → delete.
 * </ol>
 *
 * So several actual entries for one desired spec converge on the smallest ID, as concurrent
 * upstream replicas did. Actual entries {@code owned} rejects are ignored entirely: never updated,
 * never deleted, and never counted as satisfying a desired spec. Runs in linear time (hash maps
 * keyed by selector list).
 */
public final class EntryDiff {
  private EntryDiff() {}

  private static final Comparator<Entry> BY_ID = Comparator.comparing(Entry::id);

  /**
   * The outcome of a diff.
   *
   * @param creates specs to create, in {@link EntrySpecs#PLAN_ORDER}
   * @param updates actual entries (ID and unmanaged attributes) carrying the desired spec, by ID
   * @param deletes IDs of owned entries nothing desires, ascending
   * @param unchanged number of desired specs already present exactly
   */
  public record Result(
      List<EntrySpec> creates, List<Entry> updates, List<EntryId> deletes, int unchanged) {

    public Result {
      creates = List.copyOf(creates);
      updates = List.copyOf(updates);
      deletes = List.copyOf(deletes);
    }

    /** Whether nothing needs writing. */
    public boolean isEmpty() {
      return creates.isEmpty() && updates.isEmpty() && deletes.isEmpty();
    }

    /** Number of writes: creates + updates + deletes. */
    public int writes() {
      return creates.size() + updates.size() + deletes.size();
    }
  }

  /**
   * Computes the writes.
   *
   * @param desired the entries that should exist; duplicates count once
   * @param actual the entries that exist (any, owned or not)
   * @param owned which actual entries this registrar may update or delete
   */
  public static Result between(
      Collection<EntrySpec> desired, Collection<Entry> actual, Predicate<Entry> owned) {
    Objects.requireNonNull(owned, "owned");
    Map<List<Selector>, Group> groups = new HashMap<>(capacity(desired.size() + actual.size() / 8));
    // At 100,000 entries the diff is bound by memory latency, not by comparisons: groups are kept
    // in insertion order (not hash order) and each entry is compared with its desired spec while
    // both are in cache (Group.addActual), so every object is loaded as few times as possible.
    List<Group> order = new ArrayList<>(desired.size() + actual.size() / 8);
    for (EntrySpec spec : desired) {
      // Mostly new keys: one hash lookup instead of get + put.
      Group fresh = new Group();
      Group g = groups.putIfAbsent(spec.selectors(), fresh);
      if (g == null) {
        g = fresh;
        order.add(g);
      }
      g.addDesired(spec);
    }
    for (Entry entry : actual) {
      if (owned.test(entry)) {
        group(groups, order, entry.spec().selectors()).addActual(entry);
      }
    }
    Collector out = new Collector();
    for (Group group : order) {
      group.resolve(out);
    }
    out.creates.sort(EntrySpecs.PLAN_ORDER);
    out.updates.sort(BY_ID);
    out.deletes.sort(Comparator.naturalOrder());
    return new Result(out.creates, out.updates, out.deletes, out.unchanged);
  }

  private static Group group(
      Map<List<Selector>, Group> groups, List<Group> order, List<Selector> key) {
    Group g = groups.get(key);
    if (g == null) {
      g = new Group();
      groups.put(key, g);
      order.add(g);
    }
    return g;
  }

  private static int capacity(int expected) {
    return (int) Math.min(1 << 30, expected * 4L / 3 + 16);
  }

  private static final class Collector {
    final List<EntrySpec> creates = new ArrayList<>();
    final List<Entry> updates = new ArrayList<>();
    final List<EntryId> deletes = new ArrayList<>();
    int unchanged;
  }

  /** The desired specs and owned entries of one selector set; lists only when there are several. */
  private static final class Group {
    EntrySpec desired;
    List<EntrySpec> moreDesired;
    Entry actual;
    List<Entry> moreActual;
    boolean actualEqualsDesired;

    void addDesired(EntrySpec spec) {
      if (desired == null) {
        desired = spec;
      } else {
        if (moreDesired == null) {
          moreDesired = new ArrayList<>(2);
        }
        moreDesired.add(spec);
      }
    }

    void addActual(Entry entry) {
      if (actual == null) {
        actual = entry;
        // Every desired spec is grouped before any entry: compare now, while both are in cache,
        // rather than loading both again in resolve() (the diff is memory-bound at scale).
        actualEqualsDesired = desired != null && entry.spec().equals(desired);
      } else {
        if (moreActual == null) {
          moreActual = new ArrayList<>(2);
        }
        moreActual.add(entry);
      }
    }

    void resolve(Collector out) {
      if (moreDesired == null && moreActual == null) {
        // The common case: at most one of each.
        if (desired == null) {
          out.deletes.add(actual.id());
        } else if (actual == null) {
          out.creates.add(desired);
        } else if (actualEqualsDesired) {
          out.unchanged++;
        } else {
          out.updates.add(actual.withSpec(desired));
        }
        return;
      }
      resolveMany(out);
    }

    private void resolveMany(Collector out) {
      List<EntrySpec> ds = distinctSorted();
      List<Entry> as = actualById();

      // 1. Exact matches are kept; among equal actual entries the smallest ID wins.
      boolean[] used = new boolean[as.size()];
      Map<EntrySpec, ArrayDeque<Integer>> bySpec = new HashMap<>();
      for (int i = 0; i < as.size(); i++) {
        bySpec.computeIfAbsent(as.get(i).spec(), k -> new ArrayDeque<>()).add(i);
      }
      List<EntrySpec> left = new ArrayList<>();
      for (EntrySpec d : ds) {
        ArrayDeque<Integer> q = bySpec.get(d);
        if (q != null && !q.isEmpty()) {
          used[q.poll()] = true;
          out.unchanged++;
        } else {
          left.add(d);
        }
      }

      // 2. Same parent and SPIFFE ID → update that entry (smallest ID first).
      Map<Key, ArrayDeque<Integer>> byKey = new HashMap<>();
      for (int i = 0; i < as.size(); i++) {
        if (!used[i]) {
          EntrySpec s = as.get(i).spec();
          byKey
              .computeIfAbsent(new Key(s.parentId(), s.spiffeId()), k -> new ArrayDeque<>())
              .add(i);
        }
      }
      List<EntrySpec> rest = new ArrayList<>();
      for (EntrySpec d : left) {
        ArrayDeque<Integer> q = byKey.get(new Key(d.parentId(), d.spiffeId()));
        if (q != null && !q.isEmpty()) {
          int i = q.poll();
          used[i] = true;
          out.updates.add(as.get(i).withSpec(d));
        } else {
          rest.add(d);
        }
      }

      // 3. Pair the rest in order; 4. leftovers are created or deleted.
      int next = 0;
      for (EntrySpec d : rest) {
        while (next < as.size() && used[next]) {
          next++;
        }
        if (next < as.size()) {
          used[next] = true;
          out.updates.add(as.get(next).withSpec(d));
        } else {
          out.creates.add(d);
        }
      }
      for (int i = 0; i < as.size(); i++) {
        if (!used[i]) {
          out.deletes.add(as.get(i).id());
        }
      }
    }

    private List<EntrySpec> distinctSorted() {
      if (desired == null) {
        return List.of();
      }
      LinkedHashSet<EntrySpec> set = new LinkedHashSet<>();
      set.add(desired);
      if (moreDesired != null) {
        set.addAll(moreDesired);
      }
      List<EntrySpec> ds = new ArrayList<>(set);
      ds.sort(EntrySpecs.PLAN_ORDER);
      return ds;
    }

    /** Owned entries by ascending ID; an ID listed twice counts once. */
    private List<Entry> actualById() {
      List<Entry> as = new ArrayList<>();
      if (actual != null) {
        as.add(actual);
      }
      if (moreActual != null) {
        as.addAll(moreActual);
      }
      as.sort(BY_ID);
      List<Entry> distinct = new ArrayList<>(as.size());
      for (Entry e : as) {
        if (distinct.isEmpty() || !distinct.get(distinct.size() - 1).id().equals(e.id())) {
          distinct.add(e);
        }
      }
      return distinct;
    }
  }

  private record Key(SpiffeId parentId, SpiffeId spiffeId) {}
}
