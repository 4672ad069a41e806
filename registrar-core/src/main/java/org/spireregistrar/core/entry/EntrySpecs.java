package org.spireregistrar.core.entry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;

/** Orderings of {@link EntrySpec}s. */
public final class EntrySpecs {
  private EntrySpecs() {}

  /**
   * The order of {@code plan} output (product §3): by SPIFFE ID string, then parent ID string, then
   * selectors compared as {@code type:value} strings element by element (a shorter list first on a
   * tie), then DNS names, federated trust domains (as a sorted set: {@link EntrySpec#equals}
   * ignores their order) and {@code downstream} (false first), so that it is a total order
   * consistent with {@link EntrySpec#equals}. Allocation-free unless a spec federates with several
   * domains.
   */
  public static final Comparator<EntrySpec> PLAN_ORDER = EntrySpecs::compare;

  /** SPIFFE IDs by their string form, without building the strings. */
  public static int compareIds(SpiffeId a, SpiffeId b) {
    String tdA = a.trustDomain().name();
    String tdB = b.trustDomain().name();
    if (tdA.equals(tdB)) {
      // The common case: same trust domain, so the paths decide.
      return a.path().compareTo(b.path());
    }
    // "spiffe://" is common to both; compare trust domain + path as one string.
    return compareJoined(tdA, "", a.path(), tdB, "", b.path());
  }

  private static int compare(EntrySpec a, EntrySpec b) {
    if (a == b) {
      return 0;
    }
    int c = compareIds(a.spiffeId(), b.spiffeId());
    if (c != 0) {
      return c;
    }
    c = compareIds(a.parentId(), b.parentId());
    if (c != 0) {
      return c;
    }
    c = compareSelectors(a.selectors(), b.selectors());
    if (c != 0) {
      return c;
    }
    c = compareLists(a.dnsNames(), b.dnsNames());
    if (c != 0) {
      return c;
    }
    c = compareFederation(a.federatesWith(), b.federatesWith());
    if (c != 0) {
      return c;
    }
    return Boolean.compare(a.downstream(), b.downstream());
  }

  private static int compareSelectors(List<Selector> a, List<Selector> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      Selector x = a.get(i);
      Selector y = b.get(i);
      int c = compareJoined(x.type(), ":", x.value(), y.type(), ":", y.value());
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** The trust domains sorted, then as {@link #compareLists}. */
  private static int compareFederation(List<TrustDomain> a, List<TrustDomain> b) {
    if (a.size() <= 1 && b.size() <= 1) {
      return compareLists(a, b); // already sorted
    }
    List<TrustDomain> x = new ArrayList<>(a);
    List<TrustDomain> y = new ArrayList<>(b);
    x.sort(null);
    y.sort(null);
    return compareLists(x, y);
  }

  /** Element by element, a shorter list first on a tie. */
  private static <T extends Comparable<? super T>> int compareLists(List<T> a, List<T> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** Compares {@code a1+a2+a3} with {@code b1+b2+b3} as {@link String#compareTo} would. */
  private static int compareJoined(
      String a1, String a2, String a3, String b1, String b2, String b3) {
    int la = a1.length() + a2.length() + a3.length();
    int lb = b1.length() + b2.length() + b3.length();
    int n = Math.min(la, lb);
    for (int i = 0; i < n; i++) {
      char x = charAt(a1, a2, a3, i);
      char y = charAt(b1, b2, b3, i);
      if (x != y) {
        return x - y;
      }
    }
    return la - lb;
  }

  private static char charAt(String s1, String s2, String s3, int i) {
    if (i < s1.length()) {
      return s1.charAt(i);
    }
    i -= s1.length();
    if (i < s2.length()) {
      return s2.charAt(i);
    }
    return s3.charAt(i - s2.length());
  }
}
