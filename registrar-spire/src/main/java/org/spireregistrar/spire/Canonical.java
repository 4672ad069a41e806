package org.spireregistrar.spire;

import org.spireregistrar.core.EntryAttributes;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SharedValues;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;

/**
 * One shared instance for each value that many listed entries repeat: trust domains, SPIFFE IDs
 * (every entry of one node shares its parent ID; many pods share a workload ID), selectors (a
 * namespace's, a cluster's) and unmanaged attributes (usually all defaults). Entries read from
 * SPIRE are kept for as long as the registrar runs (its index of owned entries), so each copy of
 * {@code example.org} or of a node's ID saved is memory saved for good; parsing a value seen before
 * also skips its validation.
 *
 * <p>Bounded: once a table is full it takes no more (values not yet in it are then simply not
 * shared), so distinct values never grow it past a fixed size: {@value #LIMIT} trust domains and
 * IDs per trust domain, {@value #SELECTOR_LIMIT} selectors and sets of attributes (the shared ones
 * come early; unique ones, such as pod names, only fill the table). Thread-safe.
 */
final class Canonical {
  static final int LIMIT = 1 << 14;
  static final int SELECTOR_LIMIT = 1 << 12;

  private final SharedValues.ByKey<String, TrustDomain> trustDomains =
      new SharedValues.ByKey<>(LIMIT);
  private final SharedValues.ByKey<TrustDomain, SharedValues.ByKey<String, SpiffeId>> ids =
      new SharedValues.ByKey<>(LIMIT);
  private final SharedValues<Selector> selectors = new SharedValues<>(SELECTOR_LIMIT);
  private final SharedValues<EntryAttributes> attributes = new SharedValues<>(SELECTOR_LIMIT);
  private final SharedValues<String> selectorTypes = new SharedValues<>(SELECTOR_LIMIT);

  /** The trust domain named {@code name} (validated by {@link TrustDomain}'s constructor). */
  TrustDomain trustDomain(String name) {
    return trustDomains.get(name, TrustDomain::new);
  }

  /** The ID {@code spiffe://<trustDomain><path>} (validated by {@link SpiffeId}'s constructor). */
  SpiffeId spiffeId(String trustDomain, String path) {
    TrustDomain td = trustDomain(trustDomain);
    return ids.get(td, k -> new SharedValues.ByKey<>(LIMIT)).get(path, p -> new SpiffeId(td, p));
  }

  /** The selector {@code type:value} (validated by {@link Selector}'s constructor). */
  Selector selector(String type, String value) {
    return selectors.share(new Selector(selectorTypes.share(type), value));
  }

  /** {@code a}, or equal attributes seen before. */
  EntryAttributes attributes(EntryAttributes a) {
    return attributes.share(a);
  }
}
