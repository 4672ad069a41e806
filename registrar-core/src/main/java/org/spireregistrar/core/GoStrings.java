package org.spireregistrar.core;

/** Go's string ordering, where it differs from {@link String#compareTo}. */
public final class GoStrings {
  private GoStrings() {}

  /**
   * Compares as Go compares strings: byte-wise over UTF-8, which is code-point order ({@link
   * String#compareTo} compares UTF-16 units, so a supplementary character sorts before U+E000–FFFF
   * there but after them in Go).
   */
  public static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
