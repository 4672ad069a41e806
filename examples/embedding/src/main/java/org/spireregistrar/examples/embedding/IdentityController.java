package org.spireregistrar.examples.embedding;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.entry.EntryDiff;
import org.spireregistrar.core.entry.Ownership;
import org.spireregistrar.core.entry.PlanResult;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.core.entry.ReconcileEntries;

/**
 * A minimal identity controller built on the registrar's libraries: the registrar's own HCL
 * configuration ({@code registrar-config}), its identity policy and entry shapes ({@code
 * registrar-core}'s {@link Planner}), and its ownership rule and diff ({@link EntryDiff}), applied
 * to any {@link EntryStore} — in production a {@code GrpcEntryStore}, in tests the in-memory SPIRE
 * server.
 *
 * <p>Where the objects come from (informers, a cache, a file) is the caller's business: {@link
 * #sync} takes a snapshot and makes SPIRE match it. Only entries under this cluster's root ID are
 * ever updated or deleted.
 */
public final class IdentityController {

  /**
   * What one {@link #sync} did.
   *
   * @param diff the writes computed
   * @param failed per-item failures SPIRE returned, in diff order
   * @param rejected objects the identity policy refused (their entries are left alone)
   */
  public record SyncResult(
      EntryDiff.Result diff, List<EntryResult> failed, List<RejectedObjectException> rejected) {
    public SyncResult {
      failed = List.copyOf(failed);
      rejected = List.copyOf(rejected);
    }
  }

  private final RegistrarConfig config;
  private final EntryStore store;
  private final Predicate<Entry> owned;

  /**
   * @throws IllegalArgumentException when the configuration is not reconcile mode (the shape this
   *     controller reproduces: entries parented to each pod's own node)
   */
  public IdentityController(RegistrarConfig config, EntryStore store) {
    this.config = Objects.requireNonNull(config, "config");
    this.store = Objects.requireNonNull(store, "store");
    if (config.mode() != Mode.RECONCILE) {
      throw new IllegalArgumentException(
          "this controller needs mode = \"reconcile\", got " + config.mode());
    }
    this.owned = Ownership.underRoot(ReconcileEntries.forConfig(config).rootId());
  }

  /**
   * Loads the registrar's HCL configuration file.
   *
   * @throws org.spireregistrar.core.config.ConfigException when it cannot be read or is invalid
   */
  public static IdentityController fromConfigFile(Path file, EntryStore store) {
    return new IdentityController(HclConfigLoader.load(file), store);
  }

  /** Makes the owned entries in SPIRE match {@code cluster}; foreign entries are never touched. */
  public SyncResult sync(ClusterObjects cluster) {
    PlanResult plan = Planner.plan(config, cluster);
    List<Entry> actual = store.list(EntryFilter.ALL);
    EntryDiff.Result diff = EntryDiff.between(plan.entries(), actual, owned);
    List<EntryResult> results = new ArrayList<>();
    if (!diff.creates().isEmpty()) {
      results.addAll(store.create(diff.creates()));
    }
    if (!diff.updates().isEmpty()) {
      results.addAll(store.update(diff.updates()));
    }
    if (!diff.deletes().isEmpty()) {
      results.addAll(store.delete(diff.deletes()));
    }
    List<EntryResult> failed = results.stream().filter(r -> !r.succeeded()).toList();
    return new SyncResult(diff, failed, plan.rejected());
  }
}
