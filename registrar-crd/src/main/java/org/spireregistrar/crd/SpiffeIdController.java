package org.spireregistrar.crd;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.dns.LegacyDnsFallback;
import org.spireregistrar.core.entry.CrdEntries;
import org.spireregistrar.crd.CrdKey.SpiffeIdKey;
import org.spireregistrar.reconcile.BatchWriter;
import org.spireregistrar.reconcile.WriteOutcome;

/**
 * The SpiffeID controller (upstream §6.3, every SpiffeID, generated or hand-written): {@code
 * status.entryId} links each SpiffeID to its SPIRE entry. It keeps an index of the entries (filled
 * by the periodic full listing and kept current by its own writes), so a SpiffeID whose entry
 * matches costs no RPC; the writes of a batch of SpiffeIDs go through the {@link BatchWriter}.
 *
 * <ul>
 *   <li>an entry deleted out of band is recreated (seen at the next full listing);
 *   <li>a create answered ALREADY_EXISTS adopts the existing entry; a SpiffeID without {@code
 *       status.entryId} whose entry is in the index adopts it without an RPC (crash between create
 *       and status write);
 *   <li>the compare covers every managed field, {@code federates_with} included;
 *   <li>ownership (see {@link CrdMode}): new entries get ID {@code <prefix><uuid>}; a SpiffeID
 *       carries the finalizer {@value SpiffeIdObject#FINALIZER} only while its entry is not
 *       prefixed or the server ignores client-chosen IDs; the full resync deletes prefixed entries
 *       no SpiffeID links, and the prefixed entry of a SpiffeID that was deleted (or deleted and
 *       recreated under its name) goes when its key is next handled;
 *   <li>a SpiffeID that cannot become an entry (wrong-typed field, bad ID, ID outside the trust
 *       domain) is ignored with one WARN and not retried until it changes ({@link #rejection});
 *   <li>a write a SPIRE server older than 1.9 refuses for DNS names its rules did not allow
 *       (single-character labels) is retried without them; once such a retry is accepted, every
 *       entry is written (and compared) without them ({@link LegacyDnsFallback}, one WARN).
 * </ul>
 */
final class SpiffeIdController {
  private static final Logger log = LoggerFactory.getLogger(SpiffeIdController.class);

  /** Whether the server honours client-chosen entry IDs (SPIRE 1.8+). */
  enum IdSupport {
    UNKNOWN,
    HONOURED,
    IGNORED
  }

  /** What a pass over some SpiffeIDs left to do. */
  record Outcome(Set<SpiffeIdKey> failed, boolean notLeader, boolean storeFailed) {}

  private final EntryStore store;
  private final BatchWriter writer;
  private final SpiffeIdClient client;
  private final CrdCache cache;
  private final EntryIdPrefix prefix;
  private final boolean addSvcDnsName;
  private final CrdMetrics metrics;
  private final TrustDomain trustDomain;
  private final Map<SpiffeIdKey, String> rejected = new ConcurrentHashMap<>();
  // Entries whose status write failed (the SpiffeID may be gone by the retry): looked at again,
  // and deleted if nothing links them, when the key is retried.
  private final Map<SpiffeIdKey, Set<EntryId>> unlinked = new HashMap<>();
  private final Map<EntryId, Entry> index = new HashMap<>();
  private final Map<EntrySpec.SimilarityKey, TreeSet<EntryId>> bySimilarity = new HashMap<>();
  private final Map<Object, String> logged = new ConcurrentHashMap<>();
  private volatile IdSupport idSupport = IdSupport.UNKNOWN;
  private final LegacyDnsFallback dnsFallback = new LegacyDnsFallback();

  SpiffeIdController(
      EntryStore store,
      BatchWriter writer,
      SpiffeIdClient client,
      CrdCache cache,
      EntryIdPrefix prefix,
      boolean addSvcDnsName,
      CrdMetrics metrics,
      TrustDomain trustDomain) {
    this.trustDomain = trustDomain;
    this.store = store;
    this.writer = writer;
    this.client = client;
    this.cache = cache;
    this.prefix = prefix;
    this.addSvcDnsName = addSvcDnsName;
    this.metrics = metrics;
  }

  IdSupport idSupport() {
    return idSupport;
  }

  /**
   * Why the SpiffeID {@code key} names is ignored (the reason of the warning logged for it); empty
   * when it is not.
   */
  Optional<String> rejection(SpiffeIdKey key) {
    return Optional.ofNullable(rejected.get(key));
  }

  /**
   * Replaces the index with a full listing of the server.
   *
   * @throws org.spireregistrar.core.EntryStoreException when the listing fails
   */
  void relist() {
    List<Entry> all = store.list(EntryFilter.ALL);
    index.clear();
    bySimilarity.clear();
    for (Entry e : all) {
      put(e);
      if (idSupport == IdSupport.UNKNOWN && prefix.owns(e.id())) {
        idSupport = IdSupport.HONOURED; // only a server that honours them has prefixed IDs
      }
    }
    metrics.entriesKnown(index.size());
  }

  /** Number of entries in the index (for tests and metrics). */
  int indexSize() {
    return index.size();
  }

  // ---------------------------------------------------------------- one pass

  private final class Pass {
    final Set<SpiffeIdKey> failed = new HashSet<>();
    final Map<EntryId, SpiffeIdKey> linked = new HashMap<>();
    final List<Entry> creates = new ArrayList<>();
    final Map<EntryId, SpiffeIdObject> createdFor = new HashMap<>();
    final Map<EntryId, SpiffeIdObject> updatedFor = new LinkedHashMap<>();
    final Map<EntryId, EntrySpec> specs = new HashMap<>();
    final Map<EntryId, SpiffeIdObject> deletedFor = new LinkedHashMap<>();
    final List<EntryId> orphans = new ArrayList<>();
    final Set<EntryId> gone = new HashSet<>();
    boolean notLeader;
    boolean storeFailed;
    Set<EntryId> claimed;

    Set<EntryId> claimed() {
      if (claimed == null) {
        claimed = new HashSet<>(linked.keySet());
        for (SpiffeIdObject s : cache.allSpiffeIds()) {
          if (!s.entryId().isEmpty()) {
            claimed.add(new EntryId(s.entryId()));
          }
        }
      }
      return claimed;
    }
  }

  /**
   * Brings the entries of the SpiffeIDs {@code keys} name to their specs; with {@code
   * cleanupOrphans} (a full resync, caches synced) also deletes prefixed entries no SpiffeID links.
   */
  Outcome sync(Collection<SpiffeIdKey> keys, boolean cleanupOrphans) {
    Pass p = new Pass();
    for (SpiffeIdKey key : keys) {
      plan(p, key);
    }
    writeCreates(p);
    writeUpdates(p);
    for (EntryId id : p.gone) {
      if (prefix.owns(id) && index.containsKey(id) && !p.claimed().contains(id)) {
        log.info("Deleting entry {}: its SpiffeID is gone", GoQuote.quote(id.value()));
        p.deletedFor.putIfAbsent(id, null);
      }
    }
    if (cleanupOrphans) {
      for (EntryId id : index.keySet()) {
        if (prefix.owns(id) && !p.claimed().contains(id) && !p.deletedFor.containsKey(id)) {
          log.info("Deleting entry {}: no SpiffeID links it", GoQuote.quote(id.value()));
          p.orphans.add(id);
        }
      }
    }
    writeDeletes(p);
    metrics.entriesKnown(index.size());
    return new Outcome(p.failed, p.notLeader, p.storeFailed);
  }

  private void plan(Pass p, SpiffeIdKey key) {
    // Deleted without our finalizer (maybe recreated under the same name since): the prefixed
    // entries of the old objects are ours to delete once the pass knows nothing links them.
    for (String gone : cache.takeGoneEntryIds(key)) {
      p.gone.add(new EntryId(gone));
    }
    Set<EntryId> notLinked = unlinked.remove(key);
    if (notLinked != null) {
      p.gone.addAll(notLinked);
    }
    SpiffeIdObject s = cache.spiffeId(key);
    if (s == null || s.deleting()) {
      rejected.remove(key);
    }
    if (s == null) {
      return;
    }
    if (s.deleting()) {
      if (!s.hasFinalizer()) {
        return; // another finalizer holds it; handled once it is gone
      }
      EntryId id = linkedEntry(s).orElse(null);
      if (id != null && !claimedByOther(s, id)) {
        p.deletedFor.put(id, s);
      } else {
        finalized(p, s);
      }
      return;
    }
    EntrySpec desired;
    try {
      desired = desiredEntry(s);
    } catch (RejectedObjectException e) {
      // Bad input: nothing is written or deleted for it (its entry, if any, stays linked and
      // claimed); said once per distinct problem, and not retried until the object changes.
      if (!e.reason().equals(rejected.put(key, e.reason()))) {
        metrics.rejected();
        log.warn(
            "Ignoring SpiffeID {}/{}, nothing written or deleted for it: {}",
            GoQuote.quote(s.namespace()),
            GoQuote.quote(s.name()),
            GoQuote.quote(e.reason()));
      }
      return;
    }
    rejected.remove(key);
    Entry current = null;
    if (!s.entryId().isEmpty()) {
      current = index.get(new EntryId(s.entryId()));
      if (current == null) {
        log.info(
            "Entry {} of SpiffeID {}/{} is gone; recreating it",
            GoQuote.quote(s.entryId()),
            GoQuote.quote(s.namespace()),
            GoQuote.quote(s.name()));
      }
    }
    if (current == null) {
      current = similar(desired.similarityKey()).orElse(null);
    }
    if (current != null) {
      link(p, s, current.id());
      if (!current.spec().equals(desired)) {
        p.updatedFor.put(current.id(), s);
        p.specs.put(current.id(), desired);
      }
      return;
    }
    if (idSupport != IdSupport.HONOURED && !s.hasFinalizer()) {
      // The entry may get an unprefixed ID: the finalizer must be in place before it exists.
      if (!client.modify(
          s.namespace(),
          s.name(),
          s.uid(),
          o -> SpiffeIdClient.setFinalizer(o, SpiffeIdObject.FINALIZER, true))) {
        p.failed.add(key);
        return;
      }
    }
    EntryId requested = prefix.newId();
    p.creates.add(Entry.of(requested, desired));
    p.createdFor.put(requested, s);
  }

  private void writeCreates(Pass p) {
    write(
        p,
        p.creates,
        false,
        writer::createWithIds,
        p.createdFor,
        (sent, r, s, key) -> {
          if (r.code() == EntryResult.Code.OK && r.entry().isPresent()) {
            Entry e = r.entry().get();
            learnIdSupport(sent.id(), e.id());
            put(e);
            metrics.created();
            log.info(
                "Created entry {} for SpiffeID {}/{} ({})",
                GoQuote.quote(e.id().value()),
                GoQuote.quote(s.namespace()),
                GoQuote.quote(s.name()),
                GoQuote.quote(e.spiffeId().toString()));
            link(p, s, e.id());
            return true;
          }
          if (r.code() == EntryResult.Code.ALREADY_EXISTS && r.entry().isPresent()) {
            Entry existing = r.entry().get();
            put(existing);
            link(p, s, existing.id());
            if (!existing.spec().equals(sent.spec())) {
              p.updatedFor.put(existing.id(), s);
              p.specs.put(existing.id(), sent.spec());
            }
            return false;
          }
          itemFailed(p, key, "create entry for", s, r);
          return false;
        });
  }

  /** What one written create or update means for its SpiffeID. */
  private interface Written {
    /**
     * @param sent the entry as sent
     * @return whether the write was made as sent (then a retry without legacy-refused DNS names
     *     that succeeded is reported)
     */
    boolean handle(Entry sent, EntryResult result, SpiffeIdObject s, SpiffeIdKey key);
  }

  /**
   * Writes {@code entries} with {@code call} and hands each written item to {@code written}. Items
   * SPIRE refused only for DNS names its older rules refuse are sent once more without them; a
   * failed call or a lost leadership ends the item as every write does.
   *
   * @param retry whether {@code entries} are such retries
   * @param owners the SpiffeID of each entry sent, by the entry's ID
   */
  private void write(
      Pass p,
      List<Entry> entries,
      boolean retry,
      Function<List<Entry>, List<WriteOutcome<Entry>>> call,
      Map<EntryId, SpiffeIdObject> owners,
      Written written) {
    if (entries.isEmpty()) {
      return;
    }
    List<Entry> retries = new ArrayList<>();
    for (WriteOutcome<Entry> o : call.apply(entries)) {
      SpiffeIdObject s = owners.get(o.item().id());
      SpiffeIdKey key = keyOf(s);
      if (o instanceof WriteOutcome.Written<Entry> w) {
        EntryResult r = w.result();
        if (!retry && LegacyDnsFallback.mayBeLegacyRefusal(r, o.item().spec())) {
          retries.add(o.item().withSpec(LegacyDnsFallback.withoutRefused(o.item().spec())));
        } else if (written.handle(o.item(), r, s, key) && retry) {
          legacyDnsAccepted(s);
        }
      } else if (o instanceof WriteOutcome.CallFailed<Entry> f) {
        callFailed(p, key, f.error().getMessage());
      } else if (o instanceof WriteOutcome.NotLeader<Entry>) {
        p.notLeader = true;
      }
    }
    write(p, retries, true, call, owners, written);
  }

  private void writeUpdates(Pass p) {
    if (p.updatedFor.isEmpty()) {
      return;
    }
    List<Entry> updates = new ArrayList<>(p.updatedFor.size());
    for (EntryId id : p.updatedFor.keySet()) {
      updates.add(index.get(id).withSpec(p.specs.get(id)));
    }
    write(
        p,
        updates,
        false,
        writer::update,
        p.updatedFor,
        (sent, r, s, key) -> {
          if (r.code() == EntryResult.Code.OK) {
            put(r.entry().orElse(sent));
            metrics.updated();
            log.info(
                "Updated entry {} of SpiffeID {}/{}",
                GoQuote.quote(sent.id().value()),
                GoQuote.quote(s.namespace()),
                GoQuote.quote(s.name()));
            return true;
          }
          if (r.code() == EntryResult.Code.NOT_FOUND) {
            remove(sent.id()); // deleted out of band: recreated on the retry
          }
          itemFailed(p, key, "update entry of", s, r);
          return false;
        });
  }

  /**
   * A write retried without the DNS names older SPIRE refuses was accepted: from now on every entry
   * is written without them (said once).
   */
  private void legacyDnsAccepted(SpiffeIdObject s) {
    if (dnsFallback.retryAccepted()) {
      log.warn(
          "SPIRE refused DNS names its older rules do not allow (SpiffeID {}/{}); writing entries"
              + " without such names from now on",
          GoQuote.quote(s.namespace()),
          GoQuote.quote(s.name()));
    }
  }

  private void writeDeletes(Pass p) {
    List<EntryId> ids = new ArrayList<>(p.deletedFor.keySet());
    ids.addAll(p.orphans);
    if (ids.isEmpty()) {
      return;
    }
    for (WriteOutcome<EntryId> o : writer.delete(ids)) {
      SpiffeIdObject s = p.deletedFor.get(o.item());
      SpiffeIdKey key = keyOf(s);
      if (o instanceof WriteOutcome.Written<EntryId> w) {
        EntryResult r = w.result();
        if (r.code() == EntryResult.Code.OK || r.code() == EntryResult.Code.NOT_FOUND) {
          remove(o.item());
          if (r.code() == EntryResult.Code.OK) {
            metrics.deleted();
            log.info("Deleted entry {}", GoQuote.quote(o.item().value()));
          }
          if (s != null) {
            finalized(p, s);
          }
        } else if (key != null) {
          itemFailed(p, key, "delete entry of", s, r);
        } else {
          metrics.failed();
          log.warn(
              "Unable to delete entry {}: {} {}",
              GoQuote.quote(o.item().value()),
              r.code(),
              GoQuote.quote(r.message()));
        }
      } else if (o instanceof WriteOutcome.CallFailed<EntryId> f) {
        if (key != null) {
          callFailed(p, key, f.error().getMessage());
        } else {
          p.storeFailed = true;
        }
      } else if (o instanceof WriteOutcome.NotLeader<EntryId>) {
        p.notLeader = true;
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Removes the finalizer once the entry is gone (upstream logs this text). */
  private void finalized(Pass p, SpiffeIdObject s) {
    if (client.removeFinalizer(s.namespace(), s.name(), s.uid(), SpiffeIdObject.FINALIZER)) {
      log.info(
          "Finalized SPIFFE ID Resource {}/{}",
          GoQuote.quote(s.namespace()),
          GoQuote.quote(s.name()));
    } else {
      p.failed.add(keyOf(s));
    }
  }

  /**
   * Records that {@code s} is linked to entry {@code id}: writes {@code status.entryId} when it
   * differs, and sets or drops the upstream finalizer as the ownership rule wants.
   */
  private void link(Pass p, SpiffeIdObject s, EntryId id) {
    p.linked.put(id, keyOf(s));
    if (p.claimed != null) {
      p.claimed.add(id);
    }
    if (!s.entryId().equals(id.value())
        && !client.setEntryId(s.namespace(), s.name(), s.uid(), id.value())) {
      p.failed.add(keyOf(s));
      unlinked.computeIfAbsent(keyOf(s), k -> new HashSet<>()).add(id);
      return;
    }
    boolean wanted = idSupport != IdSupport.HONOURED || !prefix.owns(id);
    if (wanted != s.hasFinalizer()) {
      boolean ok =
          client.modify(
              s.namespace(),
              s.name(),
              s.uid(),
              o -> SpiffeIdClient.setFinalizer(o, SpiffeIdObject.FINALIZER, wanted));
      if (!ok) {
        p.failed.add(keyOf(s));
      }
    }
  }

  /** The entry a SpiffeID being finalized stands for: its status, else a similar entry. */
  private Optional<EntryId> linkedEntry(SpiffeIdObject s) {
    if (!s.entryId().isEmpty()) {
      return Optional.of(new EntryId(s.entryId()));
    }
    try {
      // Crash between create and status write (upstream orphaned the entry, PR #3463).
      return similar(desiredEntry(s).similarityKey()).map(Entry::id);
    } catch (RejectedObjectException e) {
      return Optional.empty();
    }
  }

  private boolean claimedByOther(SpiffeIdObject s, EntryId id) {
    for (SpiffeIdObject other : cache.allSpiffeIds()) {
      if (other != s
          && !other.deleting()
          && other.entryId().equals(id.value())
          && !(other.namespace().equals(s.namespace()) && other.name().equals(s.name()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The entry {@code s} describes.
   *
   * @throws RejectedObjectException when a field has the wrong type, or the SPIFFE ID or parent ID
   *     is not in the server's trust domain (SPIRE would refuse the entry on every retry)
   */
  private EntrySpec desiredEntry(SpiffeIdObject s) {
    if (!s.problem().isEmpty()) {
      throw new RejectedObjectException("SpiffeID", s.namespace(), s.name(), s.problem());
    }
    String podUid = s.label(CrdEntries.POD_UID_LABEL);
    EntrySpec spec =
        CrdEntries.spiffeIdEntry(
            s.view(),
            podUid.isEmpty() ? List.of() : cache.endpointsTargeting(podUid),
            addSvcDnsName,
            w -> warnOnce(new SpiffeIdKey(s.namespace(), s.name()), w));
    requireMember(s, "SPIFFE ID", spec.spiffeId());
    requireMember(s, "parent ID", spec.parentId());
    return dnsFallback.effective(spec);
  }

  private void requireMember(SpiffeIdObject s, String what, SpiffeId id) {
    CrdEntries.requireInTrustDomain(s.namespace(), s.name(), what, id, trustDomain);
  }

  private void learnIdSupport(EntryId requested, EntryId got) {
    IdSupport now = requested.equals(got) ? IdSupport.HONOURED : IdSupport.IGNORED;
    if (idSupport != now) {
      if (now == IdSupport.IGNORED) {
        log.warn(
            "The SPIRE server ignores client-chosen entry IDs (SPIRE before 1.8): every SpiffeID"
                + " keeps the finalizer {}",
            SpiffeIdObject.FINALIZER);
      } else {
        log.info(
            "The SPIRE server honours client-chosen entry IDs: new entries are created as {}<uuid>",
            prefix);
      }
      idSupport = now;
    }
  }

  private Optional<Entry> similar(EntrySpec.SimilarityKey key) {
    TreeSet<EntryId> ids = bySimilarity.get(key);
    return ids == null || ids.isEmpty() ? Optional.empty() : Optional.of(index.get(ids.first()));
  }

  private void put(Entry e) {
    Entry old = index.put(e.id(), e);
    if (old != null) {
      unindex(old);
    }
    bySimilarity.computeIfAbsent(e.spec().similarityKey(), k -> new TreeSet<>()).add(e.id());
  }

  private void remove(EntryId id) {
    Entry old = index.remove(id);
    if (old != null) {
      unindex(old);
    }
  }

  private void unindex(Entry e) {
    TreeSet<EntryId> ids = bySimilarity.get(e.spec().similarityKey());
    if (ids != null && ids.remove(e.id()) && ids.isEmpty()) {
      bySimilarity.remove(e.spec().similarityKey());
    }
  }

  private void itemFailed(Pass p, SpiffeIdKey key, String what, SpiffeIdObject s, EntryResult r) {
    metrics.failed();
    p.failed.add(key);
    log.warn(
        "Unable to {} SpiffeID {}/{}: {} {}",
        what,
        GoQuote.quote(s.namespace()),
        GoQuote.quote(s.name()),
        r.code(),
        GoQuote.quote(r.message()));
  }

  private void callFailed(Pass p, SpiffeIdKey key, String message) {
    metrics.failed();
    p.failed.add(key);
    p.storeFailed = true;
    warnOnce("store", "SPIRE call failed: " + GoQuote.quote(message));
  }

  private static SpiffeIdKey keyOf(SpiffeIdObject s) {
    return s == null ? null : new SpiffeIdKey(s.namespace(), s.name());
  }

  private void warnOnce(Object key, String message) {
    if (!message.equals(logged.put(key, message))) {
      log.warn("{}", message);
    }
  }
}
