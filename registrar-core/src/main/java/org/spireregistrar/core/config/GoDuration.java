package org.spireregistrar.core.config;

import java.time.Duration;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration} and {@code time.Duration.String()}, so duration keys read and
 * print exactly as in the Go tools users know: {@code "10m"}, {@code "1h30m"}, {@code "1.5s"},
 * {@code "300ms"}; printed as {@code "10m0s"}, {@code "1h30m0s"}, {@code "1.5s"}, {@code "300ms"}.
 * Units: {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}.
 */
public final class GoDuration {

  private static final long NANOS_PER_MICRO = 1_000L;
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private static final Map<String, Long> UNITS =
      Map.of(
          "ns", 1L,
          "us", NANOS_PER_MICRO,
          "\u00b5s", NANOS_PER_MICRO, // micro sign
          "\u03bcs", NANOS_PER_MICRO, // Greek small letter mu
          "ms", NANOS_PER_MILLI,
          "s", NANOS_PER_SECOND,
          "m", 60 * NANOS_PER_SECOND,
          "h", 3600 * NANOS_PER_SECOND);

  private GoDuration() {}

  /**
   * Parses a Go duration string: an optional sign, then one or more decimal numbers each with a
   * unit ({@code "1h30m"}, {@code "-1.5s"}); {@code "0"} alone needs no unit.
   *
   * @throws IllegalArgumentException with Go's message, e.g. {@code time: invalid duration "x"},
   *     {@code time: missing unit in duration "10"}, {@code time: unknown unit "d" in duration
   *     "1d"}
   */
  public static Duration parse(String text) {
    String orig = text;
    String s = text;
    boolean neg = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      neg = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(orig);
    }
    long total = 0;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (!(c == '.' || isDigit(c))) {
        throw invalid(orig);
      }
      // Integer part [0-9]*.
      int start = i;
      long whole = 0;
      while (i < s.length() && isDigit(s.charAt(i))) {
        if (whole > (Long.MAX_VALUE - 9) / 10) {
          throw invalid(orig);
        }
        whole = whole * 10 + (s.charAt(i) - '0');
        i++;
      }
      boolean pre = i > start;
      // Fraction (\.[0-9]*)?; digits beyond what a long holds are ignored, as Go does.
      long frac = 0;
      double scale = 1;
      boolean post = false;
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        int fracStart = i;
        boolean overflow = false;
        while (i < s.length() && isDigit(s.charAt(i))) {
          if (!overflow) {
            if (frac > (Long.MAX_VALUE - 9) / 10) {
              overflow = true;
            } else {
              frac = frac * 10 + (s.charAt(i) - '0');
              scale *= 10;
            }
          }
          i++;
        }
        post = i > fracStart;
      }
      if (!pre && !post) {
        throw invalid(orig);
      }
      // Unit: everything up to the next digit or dot.
      int unitStart = i;
      while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
        i++;
      }
      if (i == unitStart) {
        throw new IllegalArgumentException(
            "time: missing unit in duration " + ConfigParser.quote(orig));
      }
      String unitText = s.substring(unitStart, i);
      Long unit = UNITS.get(unitText);
      if (unit == null) {
        throw new IllegalArgumentException(
            "time: unknown unit "
                + ConfigParser.quote(unitText)
                + " in duration "
                + ConfigParser.quote(orig));
      }
      if (whole > Long.MAX_VALUE / unit) {
        throw invalid(orig);
      }
      long v = whole * unit;
      if (frac > 0) {
        v += (long) ((double) frac * ((double) unit / scale));
        if (v < 0) {
          throw invalid(orig);
        }
      }
      total += v;
      if (total < 0) {
        throw invalid(orig);
      }
    }
    return Duration.ofNanos(neg ? -total : total);
  }

  /**
   * Formats as Go's {@code Duration.String()}: {@code "0s"}, {@code "1.5µs"}, {@code "300ms"},
   * {@code "10m0s"}, {@code "1h30m0s"}.
   *
   * @throws ArithmeticException when the duration does not fit Go's int64 nanoseconds
   */
  public static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    boolean neg = nanos < 0;
    // Long.MIN_VALUE has no positive counterpart; work unsigned as Go does.
    long u = neg ? -nanos : nanos;
    StringBuilder out = new StringBuilder();
    if (Long.compareUnsigned(u, NANOS_PER_SECOND) < 0) {
      int prec;
      String unit;
      if (u < NANOS_PER_MICRO) {
        prec = 0;
        unit = "ns";
      } else if (u < NANOS_PER_MILLI) {
        prec = 3;
        unit = "\u00b5s";
      } else {
        prec = 6;
        unit = "ms";
      }
      out.append(Long.toUnsignedString(u / pow10(prec))).append(fraction(u % pow10(prec), prec));
      out.append(unit);
    } else {
      long secondsTotal = Long.divideUnsigned(u, NANOS_PER_SECOND);
      long fracNanos = Long.remainderUnsigned(u, NANOS_PER_SECOND);
      long seconds = secondsTotal % 60;
      long minutesTotal = secondsTotal / 60;
      if (minutesTotal > 0) {
        long minutes = minutesTotal % 60;
        long hours = minutesTotal / 60;
        if (hours > 0) {
          out.append(hours).append('h');
        }
        out.append(minutes).append('m');
      }
      out.append(seconds).append(fraction(fracNanos, 9)).append('s');
    }
    return neg ? "-" + out : out.toString();
  }

  /** ".12345" for the fraction digits of {@code value / 10^prec}, trailing zeros dropped. */
  private static String fraction(long value, int prec) {
    if (value == 0 || prec == 0) {
      return "";
    }
    StringBuilder digits = new StringBuilder(Long.toString(value));
    while (digits.length() < prec) {
      digits.insert(0, '0');
    }
    int end = digits.length();
    while (end > 0 && digits.charAt(end - 1) == '0') {
      end--;
    }
    return "." + digits.substring(0, end);
  }

  private static long pow10(int n) {
    long p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static IllegalArgumentException invalid(String orig) {
    return new IllegalArgumentException("time: invalid duration " + ConfigParser.quote(orig));
  }
}
