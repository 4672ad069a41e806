package org.spireregistrar.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The fields of a registration entry that the registrar manages. Two specs are equal exactly when
 * the registrar would not update one into the other.
 *
 * <p>Normalised on construction: selectors sorted and de-duplicated (the server treats them as a
 * set); DNS names de-duplicated with their order kept (the first becomes the certificate CN);
 * {@code federatesWith} de-duplicated with its order kept (the order of the {@code
 * spiffe.io/federatesWith} annotation, product §2.2: what {@code plan} prints and what is sent).
 *
 * <p>Equality: SPIRE stores {@code federates_with} as a set and lists it in its own order, so two
 * specs whose {@code federatesWith} hold the same trust domains in a different order are
 * <em>equal</em> (and have the same hash code): an entry that differs from the desired spec only in
 * that order is not updated (product §2.3: no update when nothing changed). Every other component
 * compares as a record's does.
 *
 * @param spiffeId the workload's SPIFFE ID
 * @param parentId the ID of the agent (or node alias) the SVID is issued to
 * @param selectors at least one selector
 * @param dnsNames DNS SANs, first is the CN; empty for none
 * @param federatesWith trust domains whose bundles the workload receives; empty for none
 * @param downstream whether the entry is for a downstream SPIRE server
 */
public record EntrySpec(
    SpiffeId spiffeId,
    SpiffeId parentId,
    List<Selector> selectors,
    List<String> dnsNames,
    List<TrustDomain> federatesWith,
    boolean downstream) {

  public EntrySpec {
    Objects.requireNonNull(spiffeId, "spiffeId");
    Objects.requireNonNull(parentId, "parentId");
    selectors = sortedDistinct(Objects.requireNonNull(selectors, "selectors"));
    if (selectors.isEmpty()) {
      throw new IllegalArgumentException("selector list is empty");
    }
    dnsNames = distinct(Objects.requireNonNull(dnsNames, "dnsNames"));
    federatesWith = distinct(Objects.requireNonNull(federatesWith, "federatesWith"));
  }

  // Every entry listed from SPIRE or computed from a pod is built here, so the usual shapes (two
  // selectors, a few DNS names) are normalised without building sets.

  /** The selectors sorted, duplicates dropped, as an unmodifiable list. */
  private static List<Selector> sortedDistinct(List<Selector> in) {
    if (in.size() == 2) {
      Selector a = Objects.requireNonNull(in.get(0));
      Selector b = Objects.requireNonNull(in.get(1));
      int c = a.compareTo(b);
      return c == 0 ? List.of(a) : c < 0 ? List.of(a, b) : List.of(b, a);
    }
    return List.copyOf(new TreeSet<>(in));
  }

  /** The items in order, later duplicates dropped, as an unmodifiable list. */
  private static <T> List<T> distinct(List<T> in) {
    int n = in.size();
    if (n == 0) {
      return List.of();
    }
    if (n > 8) {
      return List.copyOf(new LinkedHashSet<>(in));
    }
    for (int i = 1; i < n; i++) {
      T x = in.get(i);
      for (int j = 0; j < i; j++) {
        if (x != null && x.equals(in.get(j))) {
          return List.copyOf(new LinkedHashSet<>(in));
        }
      }
    }
    return List.copyOf(in); // no duplicate (a null is refused here, as before)
  }

  /** Component-wise, with {@code federatesWith} compared as a set (see the class comment). */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof EntrySpec e
        && downstream == e.downstream
        && spiffeId.equals(e.spiffeId)
        && parentId.equals(e.parentId)
        && selectors.equals(e.selectors)
        && dnsNames.equals(e.dnsNames)
        && sameMembers(federatesWith, e.federatesWith);
  }

  /** Consistent with {@link #equals}: the trust domains' hash codes are summed (order-free). */
  @Override
  public int hashCode() {
    int federation = 0;
    for (TrustDomain td : federatesWith) {
      federation += td.hashCode();
    }
    int h = spiffeId.hashCode();
    h = 31 * h + parentId.hashCode();
    h = 31 * h + selectors.hashCode();
    h = 31 * h + dnsNames.hashCode();
    h = 31 * h + federation;
    return 31 * h + Boolean.hashCode(downstream);
  }

  /** Whether two duplicate-free lists hold the same elements, in any order. */
  private static boolean sameMembers(List<TrustDomain> a, List<TrustDomain> b) {
    if (a.size() != b.size()) {
      return false;
    }
    if (a.equals(b)) {
      return true;
    }
    if (a.size() <= 1) {
      return false;
    }
    // Usually one or two trust domains: containsAll beats building sets.
    return a.size() <= 8 ? b.containsAll(a) : new HashSet<>(a).equals(new HashSet<>(b));
  }

  /** A spec with no DNS names, no federation and {@code downstream = false}. */
  public static EntrySpec of(SpiffeId spiffeId, SpiffeId parentId, List<Selector> selectors) {
    return new EntrySpec(spiffeId, parentId, selectors, List.of(), List.of(), false);
  }

  public EntrySpec withDnsNames(List<String> names) {
    return new EntrySpec(spiffeId, parentId, selectors, names, federatesWith, downstream);
  }

  public EntrySpec withFederatesWith(List<TrustDomain> domains) {
    return new EntrySpec(spiffeId, parentId, selectors, dnsNames, domains, downstream);
  }

  public EntrySpec withParentId(SpiffeId parent) {
    return new EntrySpec(spiffeId, parent, selectors, dnsNames, federatesWith, downstream);
  }

  /**
   * The key SPIRE uses to find a "similar" entry: parent, SPIFFE ID and selector set. Creating a
   * spec whose key exists answers ALREADY_EXISTS.
   */
  public SimilarityKey similarityKey() {
    return new SimilarityKey(parentId, spiffeId, selectors);
  }

  /** Selectors as {@code type:value} strings, in order. */
  public List<String> selectorStrings() {
    List<String> out = new ArrayList<>(selectors.size());
    for (Selector s : selectors) {
      out.add(s.toString());
    }
    return out;
  }

  /** Parent, SPIFFE ID and selector set: what makes two entries "the same" to SPIRE. */
  public record SimilarityKey(SpiffeId parentId, SpiffeId spiffeId, List<Selector> selectors) {}
}
