package org.spireregistrar.spire.testing;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.dns.DnsNameValidator;
import org.spireregistrar.spire.proto.types.Entry;
import org.spireregistrar.spire.proto.types.EntryMask;
import org.spireregistrar.spire.proto.types.SPIFFEID;
import org.spireregistrar.spire.proto.types.Selector;

/**
 * SPIRE Server's entry validation with its error texts ({@code pkg/server/api/entry.go}, {@code
 * id.go}, {@code selector.go} and the datastore's checks). Each method returns the error text, or
 * empty when SPIRE accepts the value.
 */
final class SpireRules {

  static final EntryMask ALL_FIELDS =
      EntryMask.newBuilder()
          .setSpiffeId(true)
          .setParentId(true)
          .setSelectors(true)
          .setX509SvidTtl(true)
          .setFederatesWith(true)
          .setAdmin(true)
          .setDownstream(true)
          .setExpiresAt(true)
          .setDnsNames(true)
          .setRevisionNumber(true)
          .setStoreSvid(true)
          .setJwtSvidTtl(true)
          .setHint(true)
          .setCreatedAt(true)
          .setAdditionalAttributes(true)
          .build();

  private final TrustDomain td;
  private final boolean legacyDnsRules;

  /**
   * @param legacyDnsRules whether DNS names are checked by SPIRE's rules before 1.9.0 ({@link
   *     DnsNameValidator#legacyProblem}: no single-character labels, no wildcards) instead of
   *     current SPIRE's ({@link DnsNameValidator#problem})
   */
  SpireRules(TrustDomain td, boolean legacyDnsRules) {
    this.td = td;
    this.legacyDnsRules = legacyDnsRules;
  }

  SpireRules(TrustDomain td) {
    this(td, false);
  }

  /** The DNS-name problem the emulated SPIRE version reports, or empty when it accepts it. */
  Optional<String> dnsNameProblem(String name) {
    return legacyDnsRules ? DnsNameValidator.legacyProblem(name) : DnsNameValidator.problem(name);
  }

  /** {@code api.ProtoToRegistrationEntryWithMask}: the text after "failed to convert entry: ". */
  Optional<String> convertProblem(Entry e, EntryMask mask) {
    if (mask.getParentId()) {
      Optional<String> p = memberIdProblem(e.hasParentId() ? e.getParentId() : null);
      if (p.isPresent()) {
        return Optional.of("invalid parent ID: " + p.get());
      }
    }
    if (mask.getSpiffeId()) {
      Optional<String> p = workloadIdProblem(e.hasSpiffeId() ? e.getSpiffeId() : null);
      if (p.isPresent()) {
        return Optional.of("invalid spiffe ID: " + p.get());
      }
    }
    if (mask.getDnsNames()) {
      for (String name : e.getDnsNamesList()) {
        Optional<String> p = dnsNameProblem(name);
        if (p.isPresent()) {
          return Optional.of("invalid DNS name: " + p.get());
        }
      }
    }
    if (mask.getFederatesWith()) {
      for (String name : e.getFederatesWithList()) {
        try {
          TrustDomain.parse(name);
        } catch (IllegalArgumentException ex) {
          return Optional.of("invalid federated trust domain: " + ex.getMessage());
        }
      }
    }
    if (mask.getSelectors()) {
      if (e.getSelectorsCount() == 0) {
        return Optional.of("selector list is empty");
      }
      for (Selector s : e.getSelectorsList()) {
        Optional<String> p = selectorProblem(s);
        if (p.isPresent()) {
          return p;
        }
      }
    }
    if (mask.getHint() && e.getHint().length() > 1024) {
      return Optional.of("hint is too long, max length is 1024 characters");
    }
    return Optional.empty();
  }

  /** The datastore's own checks: the text after "datastore-validation: ". */
  static Optional<String> datastoreProblem(Entry e) {
    String id = e.getId();
    if (id.length() > 255) {
      return Optional.of("invalid registration entry: entry ID too long");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) {
        return Optional.of("invalid registration entry: entry ID contains invalid characters");
      }
    }
    if (e.getX509SvidTtl() < 0 || e.getJwtSvidTtl() < 0) {
      return Optional.of("invalid registration entry: TTL is negative");
    }
    if (e.getStoreSvid()) {
      Set<String> types = new HashSet<>();
      for (Selector s : e.getSelectorsList()) {
        types.add(s.getType());
      }
      if (types.size() > 1) {
        return Optional.of(
            "invalid registration entry: selector types must be the same when store SVID is"
                + " enabled");
      }
    }
    return Optional.empty();
  }

  /** A repeated selector or DNS name (unique indexes in SQL): the violated constraint. */
  static Optional<String> uniqueIndexProblem(Entry e) {
    Set<String> seen = new HashSet<>();
    for (Selector s : e.getSelectorsList()) {
      if (!seen.add(s.getType() + ":" + s.getValue())) {
        return Optional.of(
            "UNIQUE constraint failed: selectors.registered_entry_id, selectors.type,"
                + " selectors.value");
      }
    }
    if (new HashSet<>(e.getDnsNamesList()).size() != e.getDnsNamesCount()) {
      return Optional.of(
          "UNIQUE constraint failed: dns_names.registered_entry_id, dns_names.value");
    }
    return Optional.empty();
  }

  static Optional<String> selectorProblem(Selector s) {
    if (s.getType().isEmpty()) {
      return Optional.of("missing selector type");
    }
    if (s.getType().indexOf(':') >= 0) {
      return Optional.of("selector type contains ':'");
    }
    if (s.getValue().isEmpty()) {
      return Optional.of("missing selector value");
    }
    return Optional.empty();
  }

  /** {@code api.TrustDomainMemberIDFromProto}. */
  Optional<String> memberIdProblem(SPIFFEID id) {
    return idProblem(id, false);
  }

  /** {@code api.TrustDomainWorkloadIDFromProto}. */
  Optional<String> workloadIdProblem(SPIFFEID id) {
    return idProblem(id, true);
  }

  private Optional<String> idProblem(SPIFFEID proto, boolean workload) {
    if (proto == null) {
      return Optional.of("request must specify SPIFFE ID");
    }
    SpiffeId id;
    try {
      id = new SpiffeId(new TrustDomain(proto.getTrustDomain()), proto.getPath());
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    String quoted = "\"" + id + "\"";
    String quotedTd = "\"" + td.name() + "\"";
    if (!id.trustDomain().equals(td)) {
      return Optional.of(quoted + " is not a member of trust domain " + quotedTd);
    }
    if (id.path().isEmpty()) {
      return Optional.of(
          quoted
              + (workload
                  ? " is not a workload in trust domain "
                  : " is not a member of trust domain ")
              + quotedTd
              + "; path is empty");
    }
    if (workload && (id.path().equals("/spire") || id.path().startsWith("/spire/"))) {
      return Optional.of(
          quoted
              + " is not a workload in trust domain "
              + quotedTd
              + "; path is in the reserved namespace");
    }
    return Optional.empty();
  }
}
