package org.spireregistrar.core;

/**
 * Go's string quoting ({@code strconv.Quote}, {@code %q}), the one quoting function of the
 * registrar: error messages that upstream formatted with {@code %q} read the same here, and a value
 * from a Kubernetes object or a request cannot break a message or log line (control characters,
 * newlines and quotes are escaped).
 */
public final class GoQuote {
  private GoQuote() {}

  /**
   * Go's {@code strconv.Quote} ({@code %q}): double quotes, with {@code \"}, {@code \\}, Go's
   * escapes for control characters and {@code \\u}/{@code \\x} for non-printing ones. Unpaired
   * surrogates become U+FFFD, as Go's invalid UTF-8 does.
   */
  public static String quote(String s) {
    return quote(s, false);
  }

  /**
   * {@link #quote} of at most {@code maxCodePoints} code points of {@code s}, followed by "…" when
   * it was cut (for messages naming a key or value that may be megabytes long).
   */
  public static String quoteCut(String s, int maxCodePoints) {
    if (s.codePointCount(0, s.length()) <= maxCodePoints) {
      return quote(s);
    }
    return quote(s.substring(0, s.offsetByCodePoints(0, maxCodePoints))) + "…";
  }

  /** Go's {@code strconv.QuoteToASCII} ({@code %+q}): as {@link #quote}, non-ASCII escaped. */
  public static String quoteToAscii(String s) {
    return quote(s, true);
  }

  /** Go's {@code strconv.QuoteRune} ({@code %q} of a rune); {@code QuoteRuneToASCII} when asked. */
  public static String quoteRune(int r, boolean asciiOnly) {
    StringBuilder sb = new StringBuilder("'");
    appendEscapedRune(sb, r, '\'', asciiOnly);
    return sb.append('\'').toString();
  }

  private static String quote(String s, boolean asciiOnly) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    sb.append('"');
    for (int k = 0; k < s.length(); ) {
      int r = s.codePointAt(k);
      k += Character.charCount(r);
      if (r >= 0xD800 && r <= 0xDFFF) {
        r = 0xFFFD; // an unpaired surrogate: Go's RuneError
      }
      appendEscapedRune(sb, r, '"', asciiOnly);
    }
    return sb.append('"').toString();
  }

  private static void appendEscapedRune(StringBuilder sb, int r, char quote, boolean asciiOnly) {
    if (r == quote || r == '\\') {
      sb.append('\\').appendCodePoint(r);
      return;
    }
    if (asciiOnly ? (r < 0x80 && isPrint(r)) : isPrint(r)) {
      sb.appendCodePoint(r);
      return;
    }
    switch (r) {
      case 7 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 0x0b -> sb.append("\\v");
      default -> {
        if (r < ' ' || r == 0x7f) {
          sb.append("\\x").append(hex(r, 2));
        } else if (r < 0x10000) {
          sb.append("\\u").append(hex(r, 4));
        } else {
          sb.append("\\U").append(hex(r, 8));
        }
      }
    }
  }

  private static String hex(int v, int width) {
    String h = Integer.toHexString(v);
    return "0".repeat(Math.max(0, width - h.length())) + h;
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols, ASCII space. */
  public static boolean isPrint(int r) {
    if (r == ' ') {
      return true;
    }
    switch (Character.getType(r)) {
      case Character.UPPERCASE_LETTER,
      Character.LOWERCASE_LETTER,
      Character.TITLECASE_LETTER,
      Character.MODIFIER_LETTER,
      Character.OTHER_LETTER,
      Character.NON_SPACING_MARK,
      Character.ENCLOSING_MARK,
      Character.COMBINING_SPACING_MARK,
      Character.DECIMAL_DIGIT_NUMBER,
      Character.LETTER_NUMBER,
      Character.OTHER_NUMBER,
      Character.CONNECTOR_PUNCTUATION,
      Character.DASH_PUNCTUATION,
      Character.START_PUNCTUATION,
      Character.END_PUNCTUATION,
      Character.INITIAL_QUOTE_PUNCTUATION,
      Character.FINAL_QUOTE_PUNCTUATION,
      Character.OTHER_PUNCTUATION,
      Character.MATH_SYMBOL,
      Character.CURRENCY_SYMBOL,
      Character.MODIFIER_SYMBOL,
      Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }
}
