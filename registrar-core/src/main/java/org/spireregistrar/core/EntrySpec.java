package org.spireregistrar.core;

import java.util.ArrayList;
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
 * {@code federatesWith} sorted and de-duplicated (a set on the server too).
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
    selectors = List.copyOf(new TreeSet<>(Objects.requireNonNull(selectors, "selectors")));
    if (selectors.isEmpty()) {
      throw new IllegalArgumentException("selector list is empty");
    }
    dnsNames = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(dnsNames, "dnsNames")));
    federatesWith =
        List.copyOf(new TreeSet<>(Objects.requireNonNull(federatesWith, "federatesWith")));
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
