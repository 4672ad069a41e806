package org.spireregistrar.cli.plan;

import java.util.ArrayList;
import java.util.List;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.TrustDomain;

/**
 * Entries as an aligned text table. An entry with several selectors or DNS names takes several
 * lines; the first line carries the IDs.
 */
public final class EntryTable {
  private static final String[] HEADERS = {
    "SPIFFE ID", "PARENT ID", "SELECTORS", "DNS NAMES", "FEDERATES WITH", "DOWNSTREAM"
  };

  private EntryTable() {}

  /** The full table: every selector, DNS name and federated trust domain on its own line. */
  public static String render(List<EntrySpec> entries) {
    return render(entries, false);
  }

  /**
   * One line per entry: selectors joined with commas, only the first DNS name (the CN) and a count
   * of the others.
   */
  public static String renderCompact(List<EntrySpec> entries) {
    return render(entries, true);
  }

  private static String render(List<EntrySpec> entries, boolean compact) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADERS);
    for (EntrySpec e : entries) {
      List<String> sels = e.selectorStrings();
      List<String> dns = e.dnsNames();
      List<String> fed = e.federatesWith().stream().map(TrustDomain::name).toList();
      if (compact) {
        sels = List.of(String.join(",", sels));
        dns = dns.size() <= 1 ? dns : List.of(dns.get(0) + " (+" + (dns.size() - 1) + ")");
        fed = fed.isEmpty() ? fed : List.of(String.join(",", fed));
      }
      int lines = Math.max(1, Math.max(sels.size(), Math.max(dns.size(), fed.size())));
      for (int i = 0; i < lines; i++) {
        rows.add(
            new String[] {
              i == 0 ? e.spiffeId().toString() : "",
              i == 0 ? e.parentId().toString() : "",
              at(sels, i),
              at(dns, i),
              at(fed, i),
              i == 0 ? String.valueOf(e.downstream()) : ""
            });
      }
    }
    int[] widths = new int[HEADERS.length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        line.append(row[c]);
        if (c < row.length - 1) {
          line.append(" ".repeat(widths[c] - row[c].length() + 2));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    out.append(entries.size()).append(entries.size() == 1 ? " entry\n" : " entries\n");
    return out.toString();
  }

  private static String at(List<String> list, int i) {
    return i < list.size() ? list.get(i) : "";
  }
}
