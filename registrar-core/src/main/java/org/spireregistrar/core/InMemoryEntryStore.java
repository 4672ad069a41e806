package org.spireregistrar.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A thread-safe {@link EntryStore} in memory that answers like a SPIRE server (for mode tests):
 *
 * <ul>
 *   <li>create: a spec similar to a stored entry (same parent, SPIFFE ID and selector set) yields
 *       ALREADY_EXISTS carrying that entry, also within one batch; new entries get a random UUID,
 *       zero attributes and revision 0;
 *   <li>createWithIds: as create, honouring the chosen ID as SPIRE 1.8+ does (INVALID_ARGUMENT for
 *       an ID SPIRE refuses, ALREADY_EXISTS without an entry for a taken one), or ignoring it like
 *       an older server after {@link #ignoreClientIds};
 *   <li>update: replaces the managed fields ({@link EntrySpec}) and keeps the attributes, bumps the
 *       revision even when nothing changed (as SPIRE does), does no similarity check; unknown IDs
 *       yield NOT_FOUND;
 *   <li>delete: unknown IDs yield NOT_FOUND;
 *   <li>list: sorted by entry ID.
 * </ul>
 *
 * <p>Test hooks: {@link #put} seeds an entry as another tool would have written it, {@link
 * #setUnavailable} makes every call fail with a retryable {@link EntryStoreException}, {@link
 * #failItems} makes chosen items fail, {@link #checkFederatedBundles} turns on SPIRE's rule that
 * {@code federates_with} must name a trust domain with a bundle ({@link #addFederatedBundle}), and
 * call counters count calls per method.
 */
public final class InMemoryEntryStore implements EntryStore {

  /** The per-item message when an entry names a trust domain without a bundle. */
  public static String missingBundleMessage(TrustDomain td) {
    return "unable to find federated bundle \"" + td.id() + "\"";
  }

  private record ItemFailure(Predicate<EntrySpec> which, EntryResult.Code code, String message) {}

  private final TreeMap<EntryId, Entry> byId = new TreeMap<>();
  private final Map<EntrySpec.SimilarityKey, Set<EntryId>> bySimilarity = new HashMap<>();
  private final Set<TrustDomain> bundles = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private volatile boolean checkBundles;
  private volatile boolean unavailable;
  private volatile boolean ignoreClientIds;
  private volatile List<ItemFailure> failures = List.of();

  /** An empty store that accepts every {@code federates_with}. */
  public InMemoryEntryStore() {}

  @Override
  public List<Entry> list(EntryFilter filter) {
    Objects.requireNonNull(filter, "filter");
    enter("list");
    synchronized (this) {
      List<Entry> out = new ArrayList<>();
      for (Entry e : byId.values()) {
        if (filter.matches(e)) {
          out.add(e);
        }
      }
      return out;
    }
  }

  @Override
  public List<EntryResult> create(List<EntrySpec> specs) {
    enter("create");
    synchronized (this) {
      List<EntryResult> out = new ArrayList<>(specs.size());
      for (EntrySpec spec : specs) {
        out.add(createOne(spec));
      }
      return out;
    }
  }

  @Override
  public List<EntryResult> createWithIds(List<Entry> entries) {
    enter("create");
    synchronized (this) {
      List<EntryResult> out = new ArrayList<>(entries.size());
      for (Entry e : entries) {
        out.add(createOne(e.spec(), ignoreClientIds ? Optional.empty() : Optional.of(e.id())));
      }
      return out;
    }
  }

  private EntryResult createOne(EntrySpec spec) {
    return createOne(spec, Optional.empty());
  }

  private EntryResult createOne(EntrySpec spec, Optional<EntryId> chosen) {
    Optional<EntryResult> failed = injectedFailure(spec, Optional.empty());
    if (failed.isPresent()) {
      return failed.get();
    }
    Set<EntryId> similar = bySimilarity.get(spec.similarityKey());
    if (similar != null && !similar.isEmpty()) {
      return EntryResult.alreadyExists(byId.get(similar.iterator().next()));
    }
    if (chosen.isPresent()) {
      Optional<String> bad = EntryId.problem(chosen.get().value());
      if (bad.isPresent()) {
        return EntryResult.failure(
            EntryResult.Code.INVALID_ARGUMENT,
            "invalid registration entry: " + bad.get(),
            Optional.empty());
      }
      if (byId.containsKey(chosen.get())) {
        return EntryResult.failure(
            EntryResult.Code.ALREADY_EXISTS,
            "entry ID " + chosen.get() + " is already used",
            Optional.empty());
      }
    }
    Optional<EntryResult> noBundle = missingBundle(spec, Optional.empty());
    if (noBundle.isPresent()) {
      return noBundle.get();
    }
    Entry entry = Entry.of(chosen.orElseGet(() -> new EntryId(UUID.randomUUID().toString())), spec);
    store(entry);
    return EntryResult.ok(entry);
  }

  @Override
  public List<EntryResult> update(List<Entry> entries) {
    enter("update");
    synchronized (this) {
      List<EntryResult> out = new ArrayList<>(entries.size());
      for (Entry wanted : entries) {
        out.add(updateOne(wanted));
      }
      return out;
    }
  }

  private EntryResult updateOne(Entry wanted) {
    Optional<EntryId> id = Optional.of(wanted.id());
    Optional<EntryResult> failed = injectedFailure(wanted.spec(), id);
    if (failed.isPresent()) {
      return failed.get();
    }
    Entry current = byId.get(wanted.id());
    if (current == null) {
      return EntryResult.failure(
          EntryResult.Code.NOT_FOUND, "entry " + wanted.id() + " not found", id);
    }
    Optional<EntryResult> noBundle = missingBundle(wanted.spec(), id);
    if (noBundle.isPresent()) {
      return noBundle.get();
    }
    EntryAttributes a = current.attributes();
    EntryAttributes bumped =
        new EntryAttributes(
            a.admin(),
            a.x509SvidTtl(),
            a.jwtSvidTtl(),
            a.expiresAt(),
            a.storeSvid(),
            a.hint(),
            a.revisionNumber() + 1);
    Entry updated = new Entry(current.id(), wanted.spec(), bumped);
    remove(current);
    store(updated);
    return EntryResult.ok(updated);
  }

  @Override
  public List<EntryResult> delete(List<EntryId> ids) {
    enter("delete");
    synchronized (this) {
      List<EntryResult> out = new ArrayList<>(ids.size());
      for (EntryId id : ids) {
        Entry current = byId.get(id);
        if (current == null) {
          out.add(
              EntryResult.failure(
                  EntryResult.Code.NOT_FOUND, "entry " + id + " not found", Optional.of(id)));
          continue;
        }
        Optional<EntryResult> failed = injectedFailure(current.spec(), Optional.of(id));
        if (failed.isPresent()) {
          out.add(failed.get());
          continue;
        }
        remove(current);
        out.add(EntryResult.deleted(id));
      }
      return out;
    }
  }

  // ---- test hooks

  /**
   * Stores {@code entry} as is (ID, attributes, revision), replacing an entry with the same ID and
   * skipping the similarity check, as another tool or a racing writer might have left it.
   */
  public synchronized void put(Entry entry) {
    Entry old = byId.get(entry.id());
    if (old != null) {
      remove(old);
    }
    store(entry);
  }

  /** A snapshot of every entry, sorted by ID. */
  public synchronized List<Entry> entries() {
    return List.copyOf(byId.values());
  }

  /** Removes every entry. */
  public synchronized void clear() {
    byId.clear();
    bySimilarity.clear();
  }

  /**
   * While {@code true}, {@link #createWithIds} ignores the chosen IDs and makes up its own, as
   * SPIRE before 1.8 does.
   */
  public InMemoryEntryStore ignoreClientIds(boolean value) {
    ignoreClientIds = value;
    return this;
  }

  /** While {@code true}, every call throws a retryable {@link EntryStoreException}. */
  public void setUnavailable(boolean value) {
    unavailable = value;
  }

  /**
   * From now on, create, update and delete items whose spec matches {@code which} fail with {@code
   * code} and {@code message} (nothing is written for them). Later registrations are checked after
   * earlier ones; {@link #clearFailures()} removes all.
   */
  public synchronized void failItems(
      Predicate<EntrySpec> which, EntryResult.Code code, String message) {
    List<ItemFailure> next = new ArrayList<>(failures);
    next.add(
        new ItemFailure(
            Objects.requireNonNull(which, "which"),
            Objects.requireNonNull(code, "code"),
            Objects.requireNonNull(message, "message")));
    failures = List.copyOf(next);
  }

  /** Removes every failure registered with {@link #failItems}. */
  public void clearFailures() {
    failures = List.of();
  }

  /**
   * Turns SPIRE's federated-bundle rule on or off (off by default): when on, an entry whose {@code
   * federates_with} names a trust domain not added with {@link #addFederatedBundle} fails with
   * FAILED_PRECONDITION and {@link #missingBundleMessage}.
   */
  public InMemoryEntryStore checkFederatedBundles(boolean on) {
    checkBundles = on;
    return this;
  }

  /** Makes {@code td}'s bundle known (matters only with {@link #checkFederatedBundles}). */
  public InMemoryEntryStore addFederatedBundle(TrustDomain td) {
    bundles.add(Objects.requireNonNull(td, "td"));
    return this;
  }

  /** Forgets {@code td}'s bundle. */
  public void removeFederatedBundle(TrustDomain td) {
    bundles.remove(td);
  }

  /** Calls made per method ({@code list}, {@code create}, {@code update}, {@code delete}). */
  public long calls(String method) {
    AtomicLong n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  /** Create, update and delete calls made (including failed ones). */
  public long writeCalls() {
    return calls("create") + calls("update") + calls("delete");
  }

  /** Sets every call counter back to zero. */
  public void resetCounters() {
    calls.clear();
  }

  // ---- internals

  private void enter(String method) {
    calls.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
    if (unavailable) {
      throw new EntryStoreException(
          "in-memory entry store: " + method + " failed: unavailable", true);
    }
  }

  private Optional<EntryResult> injectedFailure(EntrySpec spec, Optional<EntryId> id) {
    for (ItemFailure f : failures) {
      if (f.which().test(spec)) {
        return Optional.of(EntryResult.failure(f.code(), f.message(), id));
      }
    }
    return Optional.empty();
  }

  private Optional<EntryResult> missingBundle(EntrySpec spec, Optional<EntryId> id) {
    if (!checkBundles) {
      return Optional.empty();
    }
    for (TrustDomain td : new TreeSet<>(spec.federatesWith())) {
      if (!bundles.contains(td)) {
        return Optional.of(
            EntryResult.failure(
                EntryResult.Code.FAILED_PRECONDITION, missingBundleMessage(td), id));
      }
    }
    return Optional.empty();
  }

  private void store(Entry entry) {
    byId.put(entry.id(), entry);
    bySimilarity
        .computeIfAbsent(entry.spec().similarityKey(), k -> new TreeSet<>())
        .add(entry.id());
  }

  private void remove(Entry entry) {
    byId.remove(entry.id());
    Set<EntryId> ids = bySimilarity.get(entry.spec().similarityKey());
    if (ids != null) {
      ids.remove(entry.id());
      if (ids.isEmpty()) {
        bySimilarity.remove(entry.spec().similarityKey());
      }
    }
  }
}
