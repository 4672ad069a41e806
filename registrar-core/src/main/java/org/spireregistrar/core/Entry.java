package org.spireregistrar.core;

import java.util.Objects;

/**
 * A registration entry as stored in SPIRE: its ID, the fields the registrar manages, and the ones
 * it leaves alone.
 */
public record Entry(EntryId id, EntrySpec spec, EntryAttributes attributes) {

  public Entry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(attributes, "attributes");
  }

  public static Entry of(EntryId id, EntrySpec spec) {
    return new Entry(id, spec, EntryAttributes.NONE);
  }

  /** This entry with its managed fields replaced; ID and unmanaged attributes kept. */
  public Entry withSpec(EntrySpec newSpec) {
    return new Entry(id, newSpec, attributes);
  }

  public SpiffeId spiffeId() {
    return spec.spiffeId();
  }

  public SpiffeId parentId() {
    return spec.parentId();
  }
}
