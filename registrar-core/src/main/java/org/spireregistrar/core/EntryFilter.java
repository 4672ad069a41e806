package org.spireregistrar.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A ListEntries filter. Empty fields do not filter. Selector matching follows SPIRE's {@link Match}
 * modes.
 */
public record EntryFilter(
    Optional<SpiffeId> bySpiffeId,
    Optional<SpiffeId> byParentId,
    List<Selector> bySelectors,
    Match selectorMatch) {

  /** SPIRE's {@code SelectorMatch.MatchBehavior}. */
  public enum Match {
    EXACT,
    SUBSET,
    SUPERSET,
    ANY
  }

  public static final EntryFilter ALL =
      new EntryFilter(Optional.empty(), Optional.empty(), List.of(), Match.EXACT);

  public EntryFilter {
    Objects.requireNonNull(bySpiffeId, "bySpiffeId");
    Objects.requireNonNull(byParentId, "byParentId");
    bySelectors = List.copyOf(Objects.requireNonNull(bySelectors, "bySelectors"));
    Objects.requireNonNull(selectorMatch, "selectorMatch");
  }

  public static EntryFilter byParent(SpiffeId parent) {
    return new EntryFilter(Optional.empty(), Optional.of(parent), List.of(), Match.EXACT);
  }

  public static EntryFilter bySpiffeId(SpiffeId id) {
    return new EntryFilter(Optional.of(id), Optional.empty(), List.of(), Match.EXACT);
  }

  public static EntryFilter bySelectors(List<Selector> selectors, Match match) {
    return new EntryFilter(Optional.empty(), Optional.empty(), selectors, match);
  }

  /** Whether {@code entry} passes this filter, with SPIRE's semantics. */
  public boolean matches(Entry entry) {
    if (bySpiffeId.isPresent() && !bySpiffeId.get().equals(entry.spiffeId())) {
      return false;
    }
    if (byParentId.isPresent() && !byParentId.get().equals(entry.parentId())) {
      return false;
    }
    if (bySelectors.isEmpty()) {
      return true;
    }
    List<Selector> have = entry.spec().selectors();
    List<Selector> want = List.copyOf(new java.util.TreeSet<>(bySelectors));
    return switch (selectorMatch) {
      case EXACT -> have.equals(want);
      case SUBSET -> want.containsAll(have);
      case SUPERSET -> have.containsAll(want);
      case ANY -> want.stream().anyMatch(have::contains);
    };
  }
}
