package org.spireregistrar.spire.testing;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesRequest;
import org.spireregistrar.spire.proto.types.Entry;
import org.spireregistrar.spire.proto.types.EntryMask;
import org.spireregistrar.spire.proto.types.FederatesWithMatch;
import org.spireregistrar.spire.proto.types.SPIFFEID;
import org.spireregistrar.spire.proto.types.Selector;
import org.spireregistrar.spire.proto.types.SelectorMatch;
import org.spireregistrar.spire.proto.types.Status;

/**
 * The in-memory datastore behind {@link InMemorySpireServer}: entries by ID (sorted, so page tokens
 * are the last ID returned and stay valid under concurrent writes), plus indexes by similarity key,
 * parent ID, SPIFFE ID and selector, so no operation scans every entry per item.
 */
final class EntryDatabase {

  private static final int OK = 0;
  private static final int INVALID_ARGUMENT = 3;
  private static final int NOT_FOUND = 5;
  private static final int ALREADY_EXISTS = 6;
  private static final int INTERNAL = 13;

  /** One item's outcome; {@code entry} is unmasked. */
  record Result(Status status, Entry entry) {
    boolean ok() {
      return status.getCode() == OK;
    }
  }

  record Page(List<Entry> entries, String nextPageToken) {}

  private record SimilarityKey(String parentId, String spiffeId, Set<String> selectors) {}

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final TreeMap<String, Entry> byId = new TreeMap<>();
  private final Map<SimilarityKey, TreeSet<String>> bySimilarity = new HashMap<>();
  // Posting lists, unordered (a tree per selector made every create pay for several sorted
  // inserts); a filtered list sorts its candidates, which are few.
  private final Map<String, Set<String>> byParent = new HashMap<>();
  private final Map<String, Set<String>> bySpiffeId = new HashMap<>();
  private final Map<String, Set<String>> bySelector = new HashMap<>();
  private final Set<String> federatedBundles = ConcurrentHashMap.newKeySet();
  private final TrustDomain td;
  private final SpireRules rules;
  private final Clock clock;
  private final boolean legacyCodes;
  private final boolean ignoreClientIds;

  /**
   * @param ignoreClientIds whether BatchCreateEntry drops a client-chosen {@code id} and makes up
   *     its own, as SPIRE before 1.8 does
   */
  EntryDatabase(TrustDomain td, Clock clock, boolean legacyCodes, boolean ignoreClientIds) {
    this(td, clock, legacyCodes, ignoreClientIds, false);
  }

  /**
   * @param ignoreClientIds whether BatchCreateEntry drops a client-chosen {@code id} and makes up
   *     its own, as SPIRE before 1.8 does
   * @param legacyDnsRules whether DNS names are validated as SPIRE before 1.9 does
   */
  EntryDatabase(
      TrustDomain td,
      Clock clock,
      boolean legacyCodes,
      boolean ignoreClientIds,
      boolean legacyDnsRules) {
    this.ignoreClientIds = ignoreClientIds;
    this.td = td;
    this.rules = new SpireRules(td, legacyDnsRules);
    this.clock = clock;
    this.legacyCodes = legacyCodes;
  }

  SpireRules rules() {
    return rules;
  }

  // ---- bundles

  void addBundle(TrustDomain domain) {
    federatedBundles.add(domain.name());
  }

  void removeBundle(TrustDomain domain) {
    federatedBundles.remove(domain.name());
  }

  boolean hasFederatedBundle(String name) {
    return federatedBundles.contains(name);
  }

  List<String> federatedBundles() {
    return List.copyOf(new TreeSet<>(federatedBundles));
  }

  private Optional<String> missingBundle(List<String> federatesWith) {
    for (String name : federatesWith) {
      String n = TrustDomain.parse(name).name();
      if (!n.equals(td.name()) && !federatedBundles.contains(n)) {
        return Optional.of("datastore-sql: unable to find federated bundle \"spiffe://" + n + "\"");
      }
    }
    return Optional.empty();
  }

  // ---- writes

  /**
   * BatchCreateEntry for one item, in SPIRE's order: conversion checks, injected failure, similar
   * entry, datastore checks, unique indexes, federated bundles.
   */
  Result create(Entry request, Function<Entry, Optional<Status>> injected) {
    Entry in = ignoreClientIds ? request.toBuilder().clearId().build() : request;
    Optional<String> bad = rules.convertProblem(in, SpireRules.ALL_FIELDS);
    if (bad.isPresent()) {
      return failure(INVALID_ARGUMENT, "failed to convert entry: " + bad.get());
    }
    Entry normalized = normalize(in);
    Optional<Status> fault = injected.apply(normalized);
    if (fault.isPresent()) {
      return new Result(fault.get(), null);
    }
    lock.writeLock().lock();
    try {
      TreeSet<String> similar = bySimilarity.get(similarityKey(normalized));
      if (similar != null && !similar.isEmpty()) {
        return new Result(
            status(ALREADY_EXISTS, "similar entry already exists"), byId.get(similar.first()));
      }
      Optional<String> invalid = SpireRules.datastoreProblem(normalized);
      if (invalid.isPresent()) {
        return failure(
            legacyCodes ? INTERNAL : INVALID_ARGUMENT,
            "failed to create entry: datastore-validation: " + invalid.get());
      }
      Optional<String> duplicate = SpireRules.uniqueIndexProblem(normalized);
      if (duplicate.isEmpty()
          && !normalized.getId().isEmpty()
          && byId.containsKey(normalized.getId())) {
        duplicate = Optional.of("UNIQUE constraint failed: registered_entries.entry_id");
      }
      if (duplicate.isPresent()) {
        return failure(
            legacyCodes ? INTERNAL : ALREADY_EXISTS,
            "failed to create entry: datastore-sql: " + duplicate.get());
      }
      Optional<String> noBundle = missingBundle(normalized.getFederatesWithList());
      if (noBundle.isPresent()) {
        return failure(INTERNAL, "failed to create entry: " + noBundle.get());
      }
      Entry stored =
          normalized.toBuilder()
              .setId(
                  normalized.getId().isEmpty() ? UUID.randomUUID().toString() : normalized.getId())
              .setRevisionNumber(0)
              .setCreatedAt(clock.instant().getEpochSecond())
              .build();
      index(stored);
      return new Result(status(OK, ""), stored);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** BatchUpdateEntry for one item; {@code inputMask} null means "replace every field". */
  Result update(Entry in, EntryMask inputMask, Function<Entry, Optional<Status>> injected) {
    EntryMask mask = inputMask == null ? SpireRules.ALL_FIELDS : inputMask;
    Optional<String> bad = rules.convertProblem(in, mask);
    if (bad.isPresent()) {
      return failure(INVALID_ARGUMENT, "failed to convert entry: " + bad.get());
    }
    lock.writeLock().lock();
    try {
      Entry current = byId.get(in.getId());
      if (current == null) {
        return failure(
            legacyCodes ? INTERNAL : NOT_FOUND,
            "failed to update entry: datastore-sql: record not found");
      }
      Entry merged = normalize(merge(current, in, mask));
      Optional<Status> fault = injected.apply(merged);
      if (fault.isPresent()) {
        return new Result(fault.get(), null);
      }
      Optional<String> invalid = SpireRules.datastoreProblem(merged);
      if (invalid.isPresent()) {
        return failure(
            legacyCodes ? INTERNAL : INVALID_ARGUMENT,
            "failed to update entry: datastore-validation: " + invalid.get());
      }
      Optional<String> duplicate = SpireRules.uniqueIndexProblem(merged);
      if (duplicate.isPresent()) {
        return failure(
            legacyCodes ? INTERNAL : ALREADY_EXISTS,
            "failed to update entry: datastore-sql: " + duplicate.get());
      }
      if (mask.getFederatesWith()) {
        Optional<String> noBundle = missingBundle(merged.getFederatesWithList());
        if (noBundle.isPresent()) {
          return failure(INTERNAL, "failed to update entry: " + noBundle.get());
        }
      }
      // SPIRE bumps the revision on every update, even when nothing changed.
      Entry stored = merged.toBuilder().setRevisionNumber(current.getRevisionNumber() + 1).build();
      unindex(current);
      index(stored);
      return new Result(status(OK, ""), stored);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** BatchDeleteEntry for one ID. */
  Status delete(String id, Function<Entry, Optional<Status>> injected) {
    if (id.isEmpty()) {
      return status(INVALID_ARGUMENT, "missing entry ID");
    }
    lock.writeLock().lock();
    try {
      Entry current = byId.get(id);
      if (current == null) {
        return status(NOT_FOUND, "entry not found");
      }
      Optional<Status> fault = injected.apply(current);
      if (fault.isPresent()) {
        return fault.get();
      }
      unindex(current);
      return status(OK, "");
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Stores {@code e} as is (no checks), replacing an entry with the same ID. */
  void put(Entry e) {
    lock.writeLock().lock();
    try {
      Entry old = byId.get(e.getId());
      if (old != null) {
        unindex(old);
      }
      index(normalize(e));
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- reads

  Optional<Entry> get(String id) {
    lock.readLock().lock();
    try {
      return Optional.ofNullable(byId.get(id));
    } finally {
      lock.readLock().unlock();
    }
  }

  List<Entry> snapshot() {
    lock.readLock().lock();
    try {
      return List.copyOf(byId.values());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Whether an entry for {@code spiffeId} has {@code admin = true} (SPIRE's admin check). */
  boolean hasAdminEntry(String spiffeId) {
    lock.readLock().lock();
    try {
      for (String id : bySpiffeId.getOrDefault(spiffeId, Set.of())) {
        if (byId.get(id).getAdmin()) {
          return true;
        }
      }
      return false;
    } finally {
      lock.readLock().unlock();
    }
  }

  int size() {
    lock.readLock().lock();
    try {
      return byId.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * One page of entries passing {@code filter} (null = all) with IDs after {@code pageToken}. A
   * full page carries the last ID as the next token, so (like SPIRE's SQL pager) the last page can
   * be empty.
   */
  Page list(ListEntriesRequest.Filter filter, int pageSize, String pageToken) {
    lock.readLock().lock();
    try {
      NavigableSet<String> candidates = candidates(filter);
      NavigableSet<String> rest =
          pageToken.isEmpty() ? candidates : candidates.tailSet(pageToken, false);
      List<Entry> out = new ArrayList<>(pageSize > 0 ? Math.min(pageSize, 1024) : 64);
      for (String id : rest) {
        Entry e = byId.get(id);
        if (filter == null || matches(e, filter)) {
          out.add(e);
          if (pageSize > 0 && out.size() == pageSize) {
            return new Page(out, id);
          }
        }
      }
      return new Page(out, "");
    } finally {
      lock.readLock().unlock();
    }
  }

  int count(ListEntriesRequest.Filter filter) {
    return list(filter, 0, "").entries().size();
  }

  private NavigableSet<String> candidates(ListEntriesRequest.Filter f) {
    if (f == null) {
      return byId.navigableKeySet();
    }
    if (f.hasBySpiffeId()) {
      return sorted(bySpiffeId.getOrDefault(idString(f.getBySpiffeId()), Set.of()));
    }
    if (f.hasByParentId()) {
      return sorted(byParent.getOrDefault(idString(f.getByParentId()), Set.of()));
    }
    if (f.hasBySelectors() && f.getBySelectors().getSelectorsCount() > 0) {
      SelectorMatch.MatchBehavior m = f.getBySelectors().getMatch();
      if (m == SelectorMatch.MatchBehavior.MATCH_EXACT
          || m == SelectorMatch.MatchBehavior.MATCH_SUPERSET) {
        // Every match has every filter selector: the smallest posting list is enough.
        Set<String> smallest = null;
        for (Selector s : f.getBySelectors().getSelectorsList()) {
          Set<String> ids = bySelector.getOrDefault(selectorString(s), Set.of());
          if (smallest == null || ids.size() < smallest.size()) {
            smallest = ids;
          }
        }
        return sorted(smallest);
      }
      TreeSet<String> union = new TreeSet<>();
      for (Selector s : f.getBySelectors().getSelectorsList()) {
        union.addAll(bySelector.getOrDefault(selectorString(s), Set.of()));
      }
      return union;
    }
    return byId.navigableKeySet();
  }

  /** IDs in order, as pages are cut. */
  private static NavigableSet<String> sorted(Set<String> ids) {
    return new TreeSet<>(ids);
  }

  /** SPIRE's filter semantics (spire-api.md §8.3); all set filters are ANDed. */
  static boolean matches(Entry e, ListEntriesRequest.Filter f) {
    if (f.hasBySpiffeId() && !idString(f.getBySpiffeId()).equals(idString(e.getSpiffeId()))) {
      return false;
    }
    if (f.hasByParentId() && !idString(f.getByParentId()).equals(idString(e.getParentId()))) {
      return false;
    }
    if (f.hasBySelectors()) {
      Set<String> want = new HashSet<>();
      for (Selector s : f.getBySelectors().getSelectorsList()) {
        want.add(selectorString(s));
      }
      Set<String> have = new HashSet<>();
      for (Selector s : e.getSelectorsList()) {
        have.add(selectorString(s));
      }
      if (!setMatch(have, want, f.getBySelectors().getMatch().getNumber())) {
        return false;
      }
    }
    if (f.hasByFederatesWith()) {
      Set<String> want = new HashSet<>();
      for (String name : f.getByFederatesWith().getTrustDomainsList()) {
        want.add(TrustDomain.parse(name).name());
      }
      Set<String> have = new HashSet<>();
      for (String name : e.getFederatesWithList()) {
        have.add(TrustDomain.parse(name).name());
      }
      FederatesWithMatch.MatchBehavior m = f.getByFederatesWith().getMatch();
      if (!setMatch(have, want, m.getNumber())) {
        return false;
      }
    }
    if (f.hasByHint() && !f.getByHint().getValue().equals(e.getHint())) {
      return false;
    }
    return !f.hasByDownstream() || f.getByDownstream().getValue() == e.getDownstream();
  }

  /** 0 EXACT, 1 SUBSET (non-empty subset of the filter), 2 SUPERSET, 3 ANY. */
  private static boolean setMatch(Set<String> have, Set<String> want, int match) {
    return switch (match) {
      case 0 -> have.equals(want);
      case 1 -> !have.isEmpty() && want.containsAll(have);
      case 2 -> have.containsAll(want);
      default -> have.stream().anyMatch(want::contains);
    };
  }

  // ---- helpers

  /** federates_with as names (SPIRE stores IDs and answers names), de-duplicated. */
  private static Entry normalize(Entry e) {
    if (e.getFederatesWithCount() == 0) {
      return e;
    }
    Set<String> names = new TreeSet<>();
    for (String f : e.getFederatesWithList()) {
      names.add(TrustDomain.parse(f).name());
    }
    return e.toBuilder().clearFederatesWith().addAllFederatesWith(names).build();
  }

  private static Entry merge(Entry current, Entry in, EntryMask mask) {
    Entry.Builder b = current.toBuilder();
    if (mask.getSpiffeId()) {
      b.setSpiffeId(in.getSpiffeId());
    }
    if (mask.getParentId()) {
      b.setParentId(in.getParentId());
    }
    if (mask.getSelectors()) {
      b.clearSelectors().addAllSelectors(in.getSelectorsList());
    }
    if (mask.getX509SvidTtl()) {
      b.setX509SvidTtl(in.getX509SvidTtl());
    }
    if (mask.getFederatesWith()) {
      b.clearFederatesWith().addAllFederatesWith(in.getFederatesWithList());
    }
    if (mask.getAdmin()) {
      b.setAdmin(in.getAdmin());
    }
    if (mask.getDownstream()) {
      b.setDownstream(in.getDownstream());
    }
    if (mask.getExpiresAt()) {
      b.setExpiresAt(in.getExpiresAt());
    }
    if (mask.getDnsNames()) {
      b.clearDnsNames().addAllDnsNames(in.getDnsNamesList());
    }
    if (mask.getStoreSvid()) {
      b.setStoreSvid(in.getStoreSvid());
    }
    if (mask.getJwtSvidTtl()) {
      b.setJwtSvidTtl(in.getJwtSvidTtl());
    }
    if (mask.getHint()) {
      b.setHint(in.getHint());
    }
    if (mask.getAdditionalAttributes()) {
      if (in.hasAdditionalAttributes()) {
        b.setAdditionalAttributes(in.getAdditionalAttributes());
      } else {
        b.clearAdditionalAttributes();
      }
    }
    return b.build();
  }

  /** {@code entry} with the fields {@code mask} leaves out zeroed; null mask = everything. */
  static Entry applyOutputMask(Entry e, EntryMask mask) {
    if (mask == null) {
      return e;
    }
    Entry.Builder b = Entry.newBuilder().setId(e.getId());
    if (mask.getSpiffeId()) {
      b.setSpiffeId(e.getSpiffeId());
    }
    if (mask.getParentId()) {
      b.setParentId(e.getParentId());
    }
    if (mask.getSelectors()) {
      b.addAllSelectors(e.getSelectorsList());
    }
    if (mask.getX509SvidTtl()) {
      b.setX509SvidTtl(e.getX509SvidTtl());
    }
    if (mask.getFederatesWith()) {
      b.addAllFederatesWith(e.getFederatesWithList());
    }
    if (mask.getAdmin()) {
      b.setAdmin(e.getAdmin());
    }
    if (mask.getDownstream()) {
      b.setDownstream(e.getDownstream());
    }
    if (mask.getExpiresAt()) {
      b.setExpiresAt(e.getExpiresAt());
    }
    if (mask.getDnsNames()) {
      b.addAllDnsNames(e.getDnsNamesList());
    }
    if (mask.getRevisionNumber()) {
      b.setRevisionNumber(e.getRevisionNumber());
    }
    if (mask.getStoreSvid()) {
      b.setStoreSvid(e.getStoreSvid());
    }
    if (mask.getJwtSvidTtl()) {
      b.setJwtSvidTtl(e.getJwtSvidTtl());
    }
    if (mask.getHint()) {
      b.setHint(e.getHint());
    }
    if (mask.getCreatedAt()) {
      b.setCreatedAt(e.getCreatedAt());
    }
    if (mask.getAdditionalAttributes() && e.hasAdditionalAttributes()) {
      b.setAdditionalAttributes(e.getAdditionalAttributes());
    }
    return b.build();
  }

  private void index(Entry e) {
    String id = e.getId();
    byId.put(id, e);
    bySimilarity.computeIfAbsent(similarityKey(e), k -> new TreeSet<>()).add(id);
    byParent.computeIfAbsent(idString(e.getParentId()), k -> new HashSet<>()).add(id);
    bySpiffeId.computeIfAbsent(idString(e.getSpiffeId()), k -> new HashSet<>()).add(id);
    for (Selector s : e.getSelectorsList()) {
      bySelector.computeIfAbsent(selectorString(s), k -> new HashSet<>()).add(id);
    }
  }

  private void unindex(Entry e) {
    String id = e.getId();
    byId.remove(id);
    removeFrom(bySimilarity, similarityKey(e), id);
    removeFrom(byParent, idString(e.getParentId()), id);
    removeFrom(bySpiffeId, idString(e.getSpiffeId()), id);
    for (Selector s : e.getSelectorsList()) {
      removeFrom(bySelector, selectorString(s), id);
    }
  }

  private static <K, S extends Set<String>> void removeFrom(Map<K, S> index, K key, String id) {
    S ids = index.get(key);
    if (ids != null) {
      ids.remove(id);
      if (ids.isEmpty()) {
        index.remove(key);
      }
    }
  }

  private static SimilarityKey similarityKey(Entry e) {
    Set<String> selectors = new HashSet<>();
    for (Selector s : e.getSelectorsList()) {
      selectors.add(selectorString(s));
    }
    return new SimilarityKey(idString(e.getParentId()), idString(e.getSpiffeId()), selectors);
  }

  static String idString(SPIFFEID id) {
    return "spiffe://" + id.getTrustDomain() + id.getPath();
  }

  static String selectorString(Selector s) {
    return s.getType() + ":" + s.getValue();
  }

  static Status status(int code, String message) {
    return Status.newBuilder().setCode(code).setMessage(message).build();
  }

  private static Result failure(int code, String message) {
    return new Result(status(code, message), null);
  }
}
