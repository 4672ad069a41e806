package org.spireregistrar.reconcile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.entry.EntryDiff;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/**
 * One sync pass: the desired entries of the changed objects (of every object, in a full resync)
 * computed by the core, diffed against the {@link OwnedEntryIndex}, the differences written with
 * the {@link BatchWriter} (deletes, creates, then updates), the {@link SyncListener} told, and an
 * {@link Outcome} returned for the engine to feed back to its queue.
 *
 * <p>Safety: the index holds owned entries only, so nothing else is ever updated or deleted; a full
 * pass whose list failed writes nothing; an object the policy rejects keeps the entries it has; a
 * whole-call failure or a leadership loss stops the pass after the results already in are recorded.
 *
 * <p>Threads: confined to the sync thread (the cluster cache it reads is thread-safe).
 */
final class SyncPass {
  // The engine's logger: what a pass writes is what operators filter the engine's log for.
  private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

  /** How a pass ended. */
  sealed interface Outcome permits Completed, StoreFailed, LeadershipLost {}

  /**
   * Every write was attempted.
   *
   * @param finishedAt ticker time at the end of the pass
   * @param synced objects whose entries now match their desired state
   * @param failed objects with a failed write item, to retry
   */
  record Completed(long finishedAt, List<ObjectKey> synced, Set<ObjectKey> failed)
      implements Outcome {}

  /** A whole SPIRE call failed; the pass stopped there. */
  record StoreFailed(EntryStoreException error) implements Outcome {}

  /** Writing stopped being allowed; the pass stopped before its next window of calls. */
  record LeadershipLost() implements Outcome {}

  private final ReconcileEntries entries;
  private final String cluster;
  private final boolean dnsNames;
  private final ClusterCache cache;
  private final EntryStore store;
  private final OwnedEntryIndex index;
  private final BatchWriter writer;
  private final SyncListener listener;
  private final Consumer<ObjectKey> recheck;
  private final Ticker ticker;
  // The last rejection logged per object, so that each is logged once.
  private final Map<ObjectKey, String> lastRejection = new HashMap<>();

  /**
   * @param recheck receives objects to look at again in a later pass (an adopted similar entry
   *     whose other fields may differ)
   */
  SyncPass(
      ReconcileEntries entries,
      String cluster,
      boolean dnsNames,
      ClusterCache cache,
      EntryStore store,
      OwnedEntryIndex index,
      BatchWriter writer,
      SyncListener listener,
      Consumer<ObjectKey> recheck,
      Ticker ticker) {
    this.entries = Objects.requireNonNull(entries, "entries");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.dnsNames = dnsNames;
    this.cache = Objects.requireNonNull(cache, "cache");
    this.store = Objects.requireNonNull(store, "store");
    this.index = Objects.requireNonNull(index, "index");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.recheck = Objects.requireNonNull(recheck, "recheck");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /**
   * Runs a pass.
   *
   * @param full list every entry (reloading the index) and look at every object
   * @param firstChanged the changed objects, with the ticker time of their first change
   */
  Outcome run(boolean full, Map<ObjectKey, Long> firstChanged) {
    return new Run(full, firstChanged).run();
  }

  /** The state of one pass. */
  private final class Run {
    private final boolean full;
    private final Map<ObjectKey, Long> firstChanged;
    private final long start = ticker.nanoTime();
    private final Map<List<Selector>, ObjectKey> keyBySelectors = new HashMap<>();
    private final List<ObjectKey> examined = new ArrayList<>();
    private final Set<ObjectKey> failed = new LinkedHashSet<>();
    private int desired;
    private int created;
    private int updated;
    private int deleted;
    private int unchanged;
    private int failedItems;
    private int rejected;

    Run(boolean full, Map<ObjectKey, Long> firstChanged) {
      this.full = full;
      this.firstChanged = firstChanged;
    }

    Outcome run() {
      Set<ObjectKey> keys = new LinkedHashSet<>(firstChanged.keySet());
      if (full) {
        try {
          index.load(store.list(EntryFilter.ALL));
        } catch (EntryStoreException e) {
          return storeFailed(e);
        }
        keys.addAll(cache.allKeys());
        for (List<Selector> selectors : index.selectorSets()) {
          ObjectKey.ofSelectors(selectors, cluster).ifPresent(keys::add);
        }
        log.debug("Full resync: {} objects, {} owned entries", keys.size(), index.size());
      }

      // Desired state of each object; rejected objects keep what they have.
      List<EntrySpec> wanted = new ArrayList<>();
      List<Entry> actual = new ArrayList<>();
      for (ObjectKey key : keys) {
        List<Selector> selectors = selectorsOf(key);
        Optional<EntrySpec> spec;
        try {
          spec = desiredOf(key);
        } catch (RejectedObjectException e) {
          rejected++;
          if (!e.getMessage().equals(lastRejection.put(key, e.getMessage()))) {
            log.warn("{}; its entries are left as they are", e.getMessage());
          }
          continue;
        }
        lastRejection.remove(key);
        spec.ifPresent(wanted::add);
        actual.addAll(index.get(selectors));
        keyBySelectors.put(selectors, key);
        examined.add(key);
      }

      desired = wanted.size();
      EntryDiff.Result diff = EntryDiff.between(wanted, actual, e -> true);
      unchanged = diff.unchanged();
      Optional<Outcome> stopped = recordDeletes(writer.delete(diff.deletes()), actual);
      if (stopped.isEmpty()) {
        stopped = recordCreates(writer.create(diff.creates()));
      }
      if (stopped.isEmpty()) {
        stopped = recordUpdates(writer.update(diff.updates()));
      }
      return stopped.orElseGet(() -> completed(keys.size()));
    }

    private Optional<Outcome> recordDeletes(List<WriteOutcome<EntryId>> outcomes, List<Entry> old) {
      if (outcomes.isEmpty()) {
        return Optional.empty(); // the usual case: no lookup table to build
      }
      Map<EntryId, Entry> byId = new HashMap<>();
      for (Entry e : old) {
        byId.put(e.id(), e);
      }
      for (WriteOutcome<EntryId> o : outcomes) {
        if (o instanceof WriteOutcome.Written<EntryId> w) {
          Entry entry = byId.get(w.item());
          ObjectKey key = keyBySelectors.get(entry.spec().selectors());
          if (index.applyDelete(entry, w.result())) {
            deleted++;
            log.info("Deleted entry {} ({}) of {}", entry.id(), entry.spiffeId(), key);
            listener.onWrite(SyncListener.WriteKind.DELETED, key, entry.spiffeId().toString());
          } else {
            itemFailed(key, "deleting entry " + entry.id() + " (" + entry.spiffeId() + ")", w);
          }
        }
      }
      return stopped(outcomes);
    }

    private Optional<Outcome> recordCreates(List<WriteOutcome<EntrySpec>> outcomes) {
      for (WriteOutcome<EntrySpec> o : outcomes) {
        if (o instanceof WriteOutcome.Written<EntrySpec> w) {
          EntrySpec spec = w.item();
          ObjectKey key = keyBySelectors.get(spec.selectors());
          if (!index.applyCreate(w.result())) {
            itemFailed(key, "creating entry " + spec.spiffeId(), w);
            continue;
          }
          created++;
          Entry entry = w.result().entry().orElseThrow();
          if (w.result().code() == EntryResult.Code.OK) {
            log.info("Created entry {} ({}) for {}", entry.id(), spec.spiffeId(), key);
            listener.onWrite(SyncListener.WriteKind.CREATED, key, spec.spiffeId().toString());
          } else {
            // A similar entry exists (another replica, or the index was stale): adopt it and let
            // the next pass compare the remaining fields.
            log.info("Adopted existing entry {} ({}) for {}", entry.id(), spec.spiffeId(), key);
            if (!entry.spec().equals(spec)) {
              recheck.accept(key);
            }
          }
        }
      }
      return stopped(outcomes);
    }

    private Optional<Outcome> recordUpdates(List<WriteOutcome<Entry>> outcomes) {
      for (WriteOutcome<Entry> o : outcomes) {
        if (o instanceof WriteOutcome.Written<Entry> w) {
          Entry entry = w.item();
          ObjectKey key = keyBySelectors.get(entry.spec().selectors());
          if (index.applyUpdate(entry, w.result())) {
            updated++;
            log.info("Updated entry {} ({}) of {}", entry.id(), entry.spiffeId(), key);
            listener.onWrite(SyncListener.WriteKind.UPDATED, key, entry.spiffeId().toString());
          } else if (w.result().code() == EntryResult.Code.NOT_FOUND) {
            // Deleted behind our back (the index forgot it): the retry creates it again.
            itemFailed(key, "updating entry " + entry.id() + " (gone)", w);
          } else {
            itemFailed(key, "updating entry " + entry.id(), w);
          }
        }
      }
      return stopped(outcomes);
    }

    private void itemFailed(ObjectKey key, String what, WriteOutcome.Written<?> w) {
      failedItems++;
      failed.add(key);
      String msg =
          what + " for " + key + " failed: " + w.result().code() + " " + w.result().message();
      log.warn("{}; will retry", msg);
      listener.onWriteFailure(key, msg);
    }

    /** Ends the pass after a batch of writes that leadership loss or a call failure cut short. */
    private Optional<Outcome> stopped(List<? extends WriteOutcome<?>> outcomes) {
      if (WriteOutcome.leadershipLost(outcomes)) {
        return Optional.of(new LeadershipLost());
      }
      return WriteOutcome.firstCallFailure(outcomes).map(this::storeFailed);
    }

    private Outcome completed(int objects) {
      long now = ticker.nanoTime();
      List<ObjectKey> synced = new ArrayList<>(examined.size());
      for (ObjectKey key : examined) {
        if (!failed.contains(key)) {
          synced.add(key);
          Long since = firstChanged.get(key);
          if (since != null) {
            listener.onObjectSynced(key, now - since);
          }
        }
      }
      listener.onPass(report(objects, now - start, ""));
      return new Completed(now, synced, failed);
    }

    private Outcome storeFailed(EntryStoreException e) {
      long now = ticker.nanoTime();
      listener.onStoreError(e.getMessage());
      listener.onPass(report(firstChanged.size(), now - start, e.getMessage()));
      return new StoreFailed(e);
    }

    private SyncReport report(int objects, long nanos, String error) {
      return new SyncReport(
          full,
          objects,
          desired,
          created,
          updated,
          deleted,
          unchanged,
          failedItems,
          rejected,
          index.size(),
          nanos,
          error);
    }
  }

  // ---------------------------------------------------------------- desired state

  private Optional<EntrySpec> desiredOf(ObjectKey key) {
    if (key instanceof ObjectKey.Pod p) {
      Workload pod = cache.pod(p);
      if (pod == null) {
        return Optional.empty();
      }
      List<EndpointsInfo> eps = dnsNames ? cache.endpointsFor(p) : List.of();
      return entries.podEntry(pod, eps, warning -> log.warn("{}", warning));
    }
    ObjectKey.Node n = (ObjectKey.Node) key;
    NodeInfo node = cache.node(n.name());
    if (node == null) {
      return Optional.empty();
    }
    return Optional.of(entries.nodeEntry(node));
  }

  private List<Selector> selectorsOf(ObjectKey key) {
    // Both lists are built in the sorted order EntrySpec normalises to ("k8s:ns:" before
    // "k8s:pod-name:"; "k8s_psat:agent_node_name:" before "k8s_psat:cluster:"), so they can be
    // looked up in the index as they are.
    return key instanceof ObjectKey.Pod p
        ? ReconcileEntries.podSelectors(p.namespace(), p.name())
        : entries.nodeSelectors(((ObjectKey.Node) key).name());
  }
}
