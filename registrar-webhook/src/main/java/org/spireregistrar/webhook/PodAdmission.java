package org.spireregistrar.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
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
import org.spireregistrar.core.entry.WebhookEntries;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.policy.Federation;
import org.spireregistrar.webhook.review.AdmissionController;
import org.spireregistrar.webhook.review.AdmissionException;
import org.spireregistrar.webhook.review.AdmissionRequest;
import org.spireregistrar.webhook.review.AdmissionResponse;
import org.spireregistrar.webhook.review.AdmissionReviewCodec;
import org.spireregistrar.webhook.review.GroupVersionKind;

/**
 * Webhook mode's admission algorithm (upstream §4.3). Every request it can decide is allowed; SPIRE
 * failures and pods it cannot read are {@link AdmissionException}s (answered 500).
 *
 * <ol>
 *   <li>{@code request.namespace} disabled → allowed untouched (checked before the kind, as
 *       upstream);
 *   <li>not a core/v1 Pod → allowed untouched, with a warning;
 *   <li>CREATE → the pod's entry (as {@link WebhookEntries#podEntry} builds it) is created;
 *       ALREADY_EXISTS counts as success; a pod the policy does not apply to gets nothing;
 *   <li>DELETE → the entries with exactly the pod's selectors <em>and parented to the cluster node
 *       ID</em> are deleted (product decision 2.6: upstream deleted any entry with those
 *       selectors); NOT_FOUND counts as success;
 *   <li>other operations → allowed untouched, with a warning.
 * </ol>
 *
 * <p>Beyond upstream: a dry-run request ({@code request.dryRun}) is decided the same way but writes
 * nothing to SPIRE.
 */
public final class PodAdmission implements AdmissionController {
  private static final Logger LOG = LoggerFactory.getLogger(PodAdmission.class);

  private final WebhookEntries entries;
  private final EntryStore store;
  private final AdmissionReviewCodec codec;
  private final Set<String> disabledNamespaces;

  /**
   * @param entries the entry shapes of this configuration
   * @param store where entries live
   * @param codec decodes the pod of a CREATE
   * @param disabledNamespaces {@code disabled_namespaces}
   */
  public PodAdmission(
      WebhookEntries entries,
      EntryStore store,
      AdmissionReviewCodec codec,
      List<String> disabledNamespaces) {
    this.entries = Objects.requireNonNull(entries, "entries");
    this.store = Objects.requireNonNull(store, "store");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.disabledNamespaces = Set.copyOf(disabledNamespaces);
  }

  /**
   * Creates the cluster node entry (upstream's "Initialize"); ALREADY_EXISTS counts as success.
   *
   * @throws AdmissionException {@code unable to create the cluster node entry <id>: <reason>}
   */
  public void createClusterNodeEntry() {
    EntrySpec node = entries.clusterNodeEntry();
    try {
      create(node, "cluster node entry");
    } catch (AdmissionException e) {
      throw new AdmissionException(
          "unable to create the cluster node entry " + node.spiffeId() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public AdmissionResponse admit(AdmissionRequest request) {
    if (disabledNamespaces.contains(request.namespace())) {
      LOG.debug(
          "Ignoring {} of {} in disabled namespace {}",
          request.operation(),
          request.ref(),
          request.namespace());
      return AdmissionResponse.allow();
    }
    if (!GroupVersionKind.POD.equals(request.kind())) {
      LOG.warn(
          "Admission request received for unhandled object; check filters: kind=\"{}\""
              + " operation={} object={}",
          request.kind(),
          request.operation(),
          request.ref());
      return AdmissionResponse.allow();
    }
    switch (request.operation()) {
      case "CREATE" -> createPodEntry(request);
      case "DELETE" -> deletePodEntries(request);
      default ->
          LOG.warn(
              "Admission request received for unhandled pod operation; check filters:"
                  + " operation={} pod={}",
              request.operation(),
              request.ref());
    }
    return AdmissionResponse.allow();
  }

  private void createPodEntry(AdmissionRequest request) {
    Workload pod = codec.pod(request.object(), request.namespace());
    Optional<EntrySpec> spec;
    try {
      spec = entries.podEntry(pod);
    } catch (RejectedObjectException e) {
      boolean federation = e.reason().startsWith("annotation \"" + Federation.ANNOTATION + "\"");
      throw new AdmissionException(
          (federation
                  ? "unable to determine federated trust domains: "
                  : "unable to determine spiffeID: ")
              + e.getMessage(),
          e);
    }
    if (spec.isEmpty()) {
      LOG.debug("Pod {} gets no entry: the ID policy does not apply to it", pod.ref());
      return;
    }
    if (request.dryRun()) {
      LOG.debug("Dry run: not creating the entry of pod {}", pod.ref());
      return;
    }
    create(spec.get(), "pod entry");
  }

  private void create(EntrySpec spec, String what) {
    List<EntryResult> results;
    try {
      results = store.create(List.of(spec));
    } catch (EntryStoreException e) {
      LOG.warn("Failed to create {}: spiffe_id={}: {}", what, spec.spiffeId(), e.getMessage());
      throw new AdmissionException(e.getMessage(), e);
    }
    if (results.size() != 1) {
      throw new AdmissionException(
          results.isEmpty()
              ? "batch create response result empty"
              : "batch create response has too many results");
    }
    EntryResult result = results.get(0);
    switch (result.code()) {
      case OK ->
          LOG.info(
              "Created {}: parent_id={} spiffe_id={} selectors={}",
              what,
              spec.parentId(),
              spec.spiffeId(),
              String.join(",", spec.selectorStrings()));
      case ALREADY_EXISTS ->
          LOG.debug("The {} already exists: spiffe_id={}", what, spec.spiffeId());
      default -> {
        String error = rpcError(result);
        LOG.warn("Failed to create {}: spiffe_id={}: {}", what, spec.spiffeId(), error);
        throw new AdmissionException(error);
      }
    }
  }

  private void deletePodEntries(AdmissionRequest request) {
    if (request.namespace().isEmpty() || request.name().isEmpty()) {
      LOG.warn(
          "Pod DELETE without a namespace or name (namespace=\"{}\" name=\"{}\"): nothing to"
              + " delete",
          request.namespace(),
          request.name());
      return;
    }
    List<Selector> selectors = WebhookEntries.podSelectors(request.namespace(), request.name());
    List<Entry> matching;
    try {
      matching = store.list(EntryFilter.bySelectors(selectors, EntryFilter.Match.EXACT));
    } catch (EntryStoreException e) {
      throw new AdmissionException("unable to list pod entries: " + e.getMessage(), e);
    }
    List<Selector> exact = List.copyOf(new TreeSet<>(selectors));
    Predicate<Entry> owned = entries.owned();
    List<EntryId> ids = new ArrayList<>();
    int foreign = 0;
    for (Entry e : matching) {
      if (!e.spec().selectors().equals(exact)) {
        continue; // a store that matched loosely: only exact matches are the pod's
      }
      if (owned.test(e)) {
        ids.add(e.id());
      } else {
        foreign++;
      }
    }
    if (foreign > 0) {
      LOG.debug(
          "Leaving {} entries with the selectors of pod {} that are not parented to {}",
          foreign,
          request.ref(),
          entries.clusterNodeId());
    }
    if (ids.isEmpty()) {
      LOG.debug("Pod {} has no entry to delete", request.ref());
      return;
    }
    if (request.dryRun()) {
      LOG.debug("Dry run: not deleting the {} entries of pod {}", ids.size(), request.ref());
      return;
    }
    LOG.info("Deleting pod entries: pod={} count={}", request.ref(), ids.size());
    if (ids.size() > 1) {
      LOG.warn("Multiple pod entries found to delete: pod={} count={}", request.ref(), ids.size());
    }
    List<EntryResult> results;
    try {
      results = store.delete(ids);
    } catch (EntryStoreException e) {
      throw new AdmissionException("unable to delete pod entries: " + e.getMessage(), e);
    }
    if (results.size() != ids.size()) {
      throw new AdmissionException(
          "batch delete response has " + results.size() + " results for " + ids.size() + " IDs");
    }
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      EntryResult r = results.get(i);
      if (r.code() != EntryResult.Code.OK && r.code() != EntryResult.Code.NOT_FOUND) {
        String error = rpcError(r);
        LOG.warn("Failed deleting pod entry {}: {}", ids.get(i), error);
        failures.add("unable to delete entry \"" + ids.get(i) + "\": " + error);
      }
    }
    if (!failures.isEmpty()) {
      throw new AdmissionException(String.join("; ", failures));
    }
  }

  /** Go's {@code status.Error} text: {@code rpc error: code = InvalidArgument desc = …}. */
  static String rpcError(EntryResult result) {
    StringBuilder code = new StringBuilder();
    for (String word : result.code().name().split("_")) {
      code.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return "rpc error: code = " + code + " desc = " + result.message();
  }
}
