package org.spireregistrar.core.entry;

import java.util.List;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.RejectedObjectException;

/**
 * What a {@link Planner} found.
 *
 * @param entries the entries the mode would keep in SPIRE, distinct, in {@link
 *     EntrySpecs#PLAN_ORDER}
 * @param rejected objects the policy rejects, in the order they were read (Nodes, then Pods, then
 *     SpiffeIDs)
 * @param warnings e.g. {@code pod default/a_b: dropped DNS name "a_b": invalid label: a_b}
 */
public record PlanResult(
    List<EntrySpec> entries, List<RejectedObjectException> rejected, List<String> warnings) {

  public PlanResult {
    entries = List.copyOf(entries);
    rejected = List.copyOf(rejected);
    warnings = List.copyOf(warnings);
  }
}
