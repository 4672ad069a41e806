package org.spireregistrar.core.entry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;

/**
 * The offline {@code plan}: the registration entries the configured mode would keep in SPIRE for a
 * set of Kubernetes objects (product §3), without contacting anything.
 *
 * <ul>
 *   <li><b>webhook</b>: the cluster node entry, plus one entry per pod as admission of its CREATE
 *       would make (scheduling does not matter; Nodes and Endpoints are not read);
 *   <li><b>reconcile</b>: one node entry per Node, one entry per scheduled, non-terminating pod,
 *       with DNS names from the Endpoints when {@code add_pod_dns_names};
 *   <li><b>crd</b>: when {@code pod_controller}, node entries and pod entries (DNS names from
 *       templates, then {@code <svc>.<ns>.svc} when {@code add_svc_dns_name}); always the entries
 *       of the SpiffeID objects given.
 * </ul>
 *
 * Skipped objects (disabled namespace, policy does not apply, unscheduled) produce nothing;
 * rejected objects are collected and the other objects still planned. Identical entries (e.g. a pod
 * and its generated SpiffeID) appear once.
 */
public final class Planner {
  private Planner() {}

  /**
   * Plans.
   *
   * @throws org.spireregistrar.core.config.ConfigException when the configuration cannot build
   *     entries (a template that does not parse, a cluster name that is no ID segment)
   */
  public static PlanResult plan(RegistrarConfig config, ClusterObjects objects) {
    TreeSet<EntrySpec> entries = new TreeSet<>(EntrySpecs.PLAN_ORDER);
    List<RejectedObjectException> rejected = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    switch (config.mode()) {
      case WEBHOOK -> {
        WebhookEntries b = WebhookEntries.forConfig(config);
        entries.add(b.clusterNodeEntry());
        for (Workload pod : objects.pods()) {
          collect(entries, rejected, () -> b.podEntry(pod));
        }
      }
      case RECONCILE -> {
        ReconcileEntries b = ReconcileEntries.forConfig(config);
        collectNodesAndPods(objects, entries, rejected, warnings, b::nodeEntry, b::podEntry);
      }
      case CRD -> {
        if (config.crd().podController()) {
          // Templates are only parsed with a pod controller, as upstream.
          CrdEntries b = CrdEntries.forConfig(config);
          collectNodesAndPods(objects, entries, rejected, warnings, b::nodeEntry, b::podEntry);
        }
        for (SpiffeIdResource r : objects.spiffeIds()) {
          collect(
              entries,
              rejected,
              () ->
                  Optional.of(
                      CrdEntries.spiffeIdEntry(
                          r, objects.endpoints(), config.crd().addSvcDnsName(), warnings::add)));
        }
      }
    }
    return new PlanResult(new ArrayList<>(entries), rejected, warnings);
  }

  /** How {@link ReconcileEntries} and {@link CrdEntries} build a pod's entry. */
  private interface PodEntry {
    Optional<EntrySpec> build(
        Workload pod, Collection<EndpointsInfo> endpoints, Consumer<String> warnings);
  }

  private static void collectNodesAndPods(
      ClusterObjects objects,
      TreeSet<EntrySpec> entries,
      List<RejectedObjectException> rejected,
      List<String> warnings,
      Function<NodeInfo, EntrySpec> nodeEntry,
      PodEntry podEntry) {
    for (NodeInfo node : objects.nodes()) {
      collect(entries, rejected, () -> Optional.of(nodeEntry.apply(node)));
    }
    Map<String, List<EndpointsInfo>> byNamespace = byNamespace(objects.endpoints());
    for (Workload pod : objects.pods()) {
      // Endpoints only ever target pods of their own namespace.
      List<EndpointsInfo> eps = byNamespace.getOrDefault(pod.namespace(), List.of());
      collect(entries, rejected, () -> podEntry.build(pod, eps, warnings::add));
    }
  }

  private static void collect(
      TreeSet<EntrySpec> entries,
      List<RejectedObjectException> rejected,
      Supplier<Optional<EntrySpec>> build) {
    try {
      build.get().ifPresent(entries::add);
    } catch (RejectedObjectException e) {
      rejected.add(e);
    }
  }

  private static Map<String, List<EndpointsInfo>> byNamespace(List<EndpointsInfo> endpoints) {
    Map<String, List<EndpointsInfo>> out = new HashMap<>();
    for (EndpointsInfo ep : endpoints) {
      out.computeIfAbsent(ep.namespace(), k -> new ArrayList<>()).add(ep);
    }
    return out;
  }
}
