package org.spireregistrar.spire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryAttributes;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesRequest;
import org.spireregistrar.spire.proto.types.EntryMask;
import org.spireregistrar.spire.proto.types.SPIFFEID;
import org.spireregistrar.spire.proto.types.SelectorMatch;

/**
 * Mapping between SPIRE's wire types ({@code spire.api.types}) and the core records. Internal to
 * registrar-spire: it is public only so that {@link org.spireregistrar.spire.testing} can share it;
 * code outside this module never sees generated proto types.
 */
public final class ProtoMapping {

  /**
   * The fields the registrar manages, as an update {@code input_mask}: everything in {@link
   * EntrySpec}. Fields set by others ({@code admin}, TTLs, {@code expires_at}, {@code hint}, {@code
   * store_svid}, {@code additional_attributes}) are not named, so SPIRE keeps them.
   */
  public static final EntryMask MANAGED_FIELDS =
      EntryMask.newBuilder()
          .setSpiffeId(true)
          .setParentId(true)
          .setSelectors(true)
          .setDnsNames(true)
          .setFederatesWith(true)
          .setDownstream(true)
          .build();

  private ProtoMapping() {}

  /** {@code spiffe://td/path} as the wire's trust domain name and path. */
  public static SPIFFEID toProto(SpiffeId id) {
    return SPIFFEID.newBuilder().setTrustDomain(id.trustDomain().name()).setPath(id.path()).build();
  }

  /**
   * The wire's trust domain and path as a core ID.
   *
   * @throws IllegalArgumentException with go-spiffe's message when invalid
   */
  public static SpiffeId fromProto(SPIFFEID id) {
    return new SpiffeId(new TrustDomain(id.getTrustDomain()), id.getPath());
  }

  public static org.spireregistrar.spire.proto.types.Selector toProto(Selector selector) {
    return org.spireregistrar.spire.proto.types.Selector.newBuilder()
        .setType(selector.type())
        .setValue(selector.value())
        .build();
  }

  /** Wire selectors as core selectors (validated by {@link Selector}'s constructor). */
  public static List<Selector> fromProto(
      List<org.spireregistrar.spire.proto.types.Selector> selectors) {
    List<Selector> out = new ArrayList<>(selectors.size());
    for (org.spireregistrar.spire.proto.types.Selector s : selectors) {
      out.add(new Selector(s.getType(), s.getValue()));
    }
    return out;
  }

  /** The managed fields of {@code spec} as a wire entry without ID. */
  public static org.spireregistrar.spire.proto.types.Entry toProto(EntrySpec spec) {
    org.spireregistrar.spire.proto.types.Entry.Builder b =
        org.spireregistrar.spire.proto.types.Entry.newBuilder()
            .setSpiffeId(toProto(spec.spiffeId()))
            .setParentId(toProto(spec.parentId()))
            .addAllDnsNames(spec.dnsNames())
            .setDownstream(spec.downstream());
    for (Selector s : spec.selectors()) {
      b.addSelectors(toProto(s));
    }
    for (TrustDomain td : spec.federatesWith()) {
      b.addFederatesWith(td.name());
    }
    return b.build();
  }

  /** The managed fields of {@code entry} with its ID: the body of a masked update. */
  public static org.spireregistrar.spire.proto.types.Entry toUpdateProto(Entry entry) {
    return toProto(entry.spec()).toBuilder().setId(entry.id().value()).build();
  }

  /** Every field of {@code entry}, attributes included (as SPIRE would return it). */
  public static org.spireregistrar.spire.proto.types.Entry toProto(Entry entry) {
    EntryAttributes a = entry.attributes();
    return toProto(entry.spec()).toBuilder()
        .setId(entry.id().value())
        .setAdmin(a.admin())
        .setX509SvidTtl(a.x509SvidTtl())
        .setJwtSvidTtl(a.jwtSvidTtl())
        .setExpiresAt(a.expiresAt())
        .setStoreSvid(a.storeSvid())
        .setHint(a.hint())
        .setRevisionNumber(a.revisionNumber())
        .build();
  }

  /**
   * A wire entry as a core entry. {@code federates_with} accepts names and {@code spiffe://} IDs.
   *
   * @throws IllegalArgumentException when an ID, selector or trust domain is invalid or the entry
   *     has no selectors
   */
  public static Entry fromProto(org.spireregistrar.spire.proto.types.Entry e) {
    return fromProto(e, new Canonical());
  }

  /**
   * As {@link #fromProto(org.spireregistrar.spire.proto.types.Entry)}, sharing the values {@code
   * canonical} has seen before (the store's entries live as long as the registrar).
   */
  static Entry fromProto(org.spireregistrar.spire.proto.types.Entry e, Canonical canonical) {
    List<TrustDomain> federatesWith = new ArrayList<>(e.getFederatesWithCount());
    for (String td : e.getFederatesWithList()) {
      federatesWith.add(TrustDomain.parse(td));
    }
    List<Selector> selectors = new ArrayList<>(e.getSelectorsCount());
    for (org.spireregistrar.spire.proto.types.Selector s : e.getSelectorsList()) {
      selectors.add(canonical.selector(s.getType(), s.getValue()));
    }
    SPIFFEID id = e.getSpiffeId();
    SPIFFEID parent = e.getParentId();
    EntrySpec spec =
        new EntrySpec(
            canonical.spiffeId(id.getTrustDomain(), id.getPath()),
            canonical.spiffeId(parent.getTrustDomain(), parent.getPath()),
            selectors,
            e.getDnsNamesList(),
            federatesWith,
            e.getDownstream());
    return new Entry(new EntryId(e.getId()), spec, canonical.attributes(attributesOf(e)));
  }

  /** The unmanaged attributes of a wire entry. */
  static EntryAttributes attributesOf(org.spireregistrar.spire.proto.types.Entry e) {
    return new EntryAttributes(
        e.getAdmin(),
        e.getX509SvidTtl(),
        e.getJwtSvidTtl(),
        e.getExpiresAt(),
        e.getStoreSvid(),
        e.getHint(),
        e.getRevisionNumber());
  }

  /**
   * Whether {@code e} decodes to an entry equal to {@code entry} (as {@code
   * fromProto(e).equals(entry)}), found without decoding it: every field is compared in place. A
   * wire entry whose selectors are not in sorted order, or that repeats a DNS name or trust domain,
   * or names a trust domain as a {@code spiffe://} ID, is reported as different even when it would
   * decode to an equal entry; only decoding it costs more then.
   */
  static boolean sameAs(org.spireregistrar.spire.proto.types.Entry e, Entry entry) {
    EntryAttributes a = entry.attributes();
    return e.getId().equals(entry.id().value())
        && e.getAdmin() == a.admin()
        && e.getX509SvidTtl() == a.x509SvidTtl()
        && e.getJwtSvidTtl() == a.jwtSvidTtl()
        && e.getExpiresAt() == a.expiresAt()
        && e.getStoreSvid() == a.storeSvid()
        && e.getRevisionNumber() == a.revisionNumber()
        && e.getHint().equals(a.hint())
        && sameSpec(e, entry.spec());
  }

  /**
   * Whether the managed fields of {@code e} decode to {@code spec}, found as {@link #sameAs} finds
   * it: in place, and with the same caveats.
   */
  static boolean sameSpec(org.spireregistrar.spire.proto.types.Entry e, EntrySpec spec) {
    return e.getDownstream() == spec.downstream()
        && sameId(e.getSpiffeId(), spec.spiffeId())
        && sameId(e.getParentId(), spec.parentId())
        && samePairs(
            e.getSelectorsList(),
            spec.selectors(),
            (w, c) -> w.getValue().equals(c.value()) && w.getType().equals(c.type()))
        && e.getDnsNamesList().equals(spec.dnsNames())
        && samePairs(e.getFederatesWithList(), spec.federatesWith(), (w, c) -> w.equals(c.name()));
  }

  private static boolean sameId(SPIFFEID wire, SpiffeId id) {
    return wire.getPath().equals(id.path())
        && wire.getTrustDomain().equals(id.trustDomain().name());
  }

  /** Whether {@code wire} and {@code core} have the same length and each pair is {@code same}. */
  private static <W, C> boolean samePairs(List<W> wire, List<C> core, BiPredicate<W, C> same) {
    int n = wire.size();
    if (n != core.size()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (!same.test(wire.get(i), core.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** A core filter as a ListEntries filter; empty parts are left unset. */
  public static ListEntriesRequest.Filter toProto(EntryFilter filter) {
    ListEntriesRequest.Filter.Builder b = ListEntriesRequest.Filter.newBuilder();
    filter.bySpiffeId().ifPresent(id -> b.setBySpiffeId(toProto(id)));
    filter.byParentId().ifPresent(id -> b.setByParentId(toProto(id)));
    if (!filter.bySelectors().isEmpty()) {
      SelectorMatch.Builder match =
          SelectorMatch.newBuilder().setMatch(toProto(filter.selectorMatch()));
      for (Selector s : filter.bySelectors()) {
        match.addSelectors(toProto(s));
      }
      b.setBySelectors(match);
    }
    return b.build();
  }

  /** A {@code google.rpc.Code} number as a core per-item code (unlisted codes are UNKNOWN). */
  public static EntryResult.Code fromGrpcCode(int grpcCode) {
    return switch (grpcCode) {
      case 0 -> EntryResult.Code.OK;
      case 3 -> EntryResult.Code.INVALID_ARGUMENT;
      case 5 -> EntryResult.Code.NOT_FOUND;
      case 6 -> EntryResult.Code.ALREADY_EXISTS;
      case 7 -> EntryResult.Code.PERMISSION_DENIED;
      case 9 -> EntryResult.Code.FAILED_PRECONDITION;
      case 13 -> EntryResult.Code.INTERNAL;
      case 14 -> EntryResult.Code.UNAVAILABLE;
      default -> EntryResult.Code.UNKNOWN;
    };
  }

  /** A core per-item code as its {@code google.rpc.Code} number. */
  public static int toGrpcCode(EntryResult.Code code) {
    return switch (code) {
      case OK -> 0;
      case UNKNOWN -> 2;
      case INVALID_ARGUMENT -> 3;
      case NOT_FOUND -> 5;
      case ALREADY_EXISTS -> 6;
      case PERMISSION_DENIED -> 7;
      case FAILED_PRECONDITION -> 9;
      case INTERNAL -> 13;
      case UNAVAILABLE -> 14;
    };
  }

  public static SelectorMatch.MatchBehavior toProto(EntryFilter.Match match) {
    return switch (match) {
      case EXACT -> SelectorMatch.MatchBehavior.MATCH_EXACT;
      case SUBSET -> SelectorMatch.MatchBehavior.MATCH_SUBSET;
      case SUPERSET -> SelectorMatch.MatchBehavior.MATCH_SUPERSET;
      case ANY -> SelectorMatch.MatchBehavior.MATCH_ANY;
    };
  }
}
