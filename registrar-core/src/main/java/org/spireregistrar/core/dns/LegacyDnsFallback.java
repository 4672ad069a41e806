package org.spireregistrar.core.dns;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;

/**
 * What every mode does when a SPIRE server older than 1.9 refuses DNS names its rules did not allow
 * (single-character labels, for one): the refused write is retried without those names and, once
 * such a retry is accepted, every later entry is written without them, so the registrar does not
 * retry each entry forever. The names are validated by current SPIRE's rules ({@link
 * DnsNameValidator#problem}); this fallback only applies when a server shows it is older.
 *
 * <p>Thread-safe: one instance per running mode.
 */
public final class LegacyDnsFallback {

  private final AtomicBoolean active = new AtomicBoolean();

  /** Whether a server has shown it refuses the names its older rules do not allow. */
  public boolean active() {
    return active.get();
  }

  /**
   * {@code spec} as it is written now: unchanged, or, once the fallback is active, without the
   * names older SPIRE refuses. Modes compare what is in SPIRE with this, so a stripped entry is not
   * updated again on every pass.
   */
  public EntrySpec effective(EntrySpec spec) {
    return active.get() ? withoutRefused(spec) : spec;
  }

  /**
   * Whether {@code result}, the answer to writing {@code spec}, is a refusal a retry without the
   * names older SPIRE refuses may cure: {@code INVALID_ARGUMENT} for an entry that has such names.
   */
  public static boolean mayBeLegacyRefusal(EntryResult result, EntrySpec spec) {
    return result.code() == EntryResult.Code.INVALID_ARGUMENT && !refusedNames(spec).isEmpty();
  }

  /** {@code spec} without the DNS names SPIRE before 1.9 refuses, the rest in order. */
  public static EntrySpec withoutRefused(EntrySpec spec) {
    List<String> kept = spec.dnsNames().stream().filter(DnsNameValidator::isValidLegacy).toList();
    return kept.size() == spec.dnsNames().size() ? spec : spec.withDnsNames(kept);
  }

  /** The DNS names of {@code spec} that SPIRE before 1.9 refuses, in order. */
  public static List<String> refusedNames(EntrySpec spec) {
    return spec.dnsNames().stream().filter(n -> !DnsNameValidator.isValidLegacy(n)).toList();
  }

  /**
   * Records that a write retried without the refused names was accepted: from now on {@link
   * #effective} strips them.
   *
   * @return true the first time (the caller logs its one warning then)
   */
  public boolean retryAccepted() {
    return active.compareAndSet(false, true);
  }
}
