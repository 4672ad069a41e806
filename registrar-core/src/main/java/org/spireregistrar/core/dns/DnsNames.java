package org.spireregistrar.core.dns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.spireregistrar.core.GoStrings;

/** Shared steps of DNS-name generation: dropping names SPIRE would refuse, and name ordering. */
public final class DnsNames {
  private DnsNames() {}

  /**
   * Byte-wise order of the UTF-8 encodings (Go's {@code sort.Strings}), which equals code-point
   * order; {@link String#compareTo} differs from it for characters beyond the BMP.
   */
  public static final Comparator<String> BYTE_ORDER = GoStrings::compare;

  /**
   * The names current SPIRE (≥ 1.9) accepts, in order; every other name is reported to {@code
   * warnings} as {@code <objectRef>: dropped DNS name "<name>": <SPIRE's reason>} (product decision
   * 2.8: the entry is still written, without that name).
   *
   * @param objectRef what the names belong to, e.g. {@code pod default/web-0}
   */
  public static List<String> keepValid(
      String objectRef, List<String> names, Consumer<String> warnings) {
    List<String> kept = new ArrayList<>(names.size());
    for (String name : names) {
      Optional<String> problem = DnsNameValidator.problem(name);
      if (problem.isPresent()) {
        warnings.accept(objectRef + ": dropped DNS name \"" + name + "\": " + problem.get());
      } else {
        kept.add(name);
      }
    }
    return kept;
  }
}
