package org.spireregistrar.core.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.GoQuote;

/**
 * The part of Go's {@code fmt} and {@code strconv} that templates reach: {@code fmt.Sprint}, {@code
 * fmt.Sprintf} (flags, width, precision, argument indexes, and the {@code %!verb(…)} error forms),
 * {@code %v} printing of values, and {@code strconv.Quote}.
 *
 * <p>Values are the template engine's: {@link String}, {@link Long} (Go {@code int}), {@link
 * Double} ({@code float64}), {@link Boolean}, {@link GoStruct}, {@link Map} (a Go map), {@link
 * List} (a Go slice) and {@code null} (Go {@code nil}).
 *
 * <p>{@link #sprint}, {@link #sprintf} and {@link #sprintln} take a limit on the length of what
 * they build and throw {@link LimitExceeded} once past it, checked after each operand or verb (one
 * verb adds at most a width of {@code 1_000_000} plus its operand).
 */
final class GoFmt {

  private static final int MAX_NUM = 1_000_000; // Go's tooLarge bound for widths and precisions

  /** What was built has grown past the caller's limit. */
  static final class LimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitExceeded() {
      super("limit exceeded", null, false, false);
    }
  }

  private final StringBuilder buf;
  private int limit = Integer.MAX_VALUE;
  // Current flags, as Go's fmt struct.
  private boolean plus;
  private boolean minus;
  private boolean sharp;
  private boolean space;
  private boolean zero;
  private boolean plusV;
  private boolean sharpV;
  private boolean widPresent;
  private boolean precPresent;
  private int wid;
  private int prec;

  private GoFmt(StringBuilder buf) {
    this.buf = buf;
  }

  private void clearFlags() {
    plus = minus = sharp = space = zero = plusV = sharpV = widPresent = precPresent = false;
    wid = prec = 0;
  }

  // ---- public entry points ----

  /** {@code fmt.Fprint(w, v)} for one value, as an action prints it. */
  static void printValue(StringBuilder out, Object v) {
    if (v == null) {
      out.append("<no value>");
    } else if (v instanceof String s) {
      out.append(s);
    } else {
      new GoFmt(out).printArg(v, 'v', 0);
    }
  }

  /** {@code fmt.Sprint}: spaces between operands when neither is a string. */
  static String sprint(List<Object> args) {
    return sprint(args, Integer.MAX_VALUE);
  }

  /** {@code fmt.Sprint}, throwing {@link LimitExceeded} once longer than {@code limit}. */
  static String sprint(List<Object> args, int limit) {
    StringBuilder out = new StringBuilder();
    GoFmt p = new GoFmt(out);
    p.limit = limit;
    boolean prevString = false;
    for (int i = 0; i < args.size(); i++) {
      Object arg = args.get(i);
      boolean isString = arg instanceof String;
      if (i > 0 && !isString && !prevString) {
        out.append(' ');
      }
      p.clearFlags();
      p.printArg(arg, 'v', 0);
      p.checkLimit();
      prevString = isString;
    }
    return out.toString();
  }

  /**
   * {@code fmt.Sprintln}: spaces between all operands and a newline; throws {@link LimitExceeded}
   * once longer than {@code limit}.
   */
  static String sprintln(List<Object> args, int limit) {
    StringBuilder out = new StringBuilder();
    GoFmt p = new GoFmt(out);
    p.limit = limit;
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        out.append(' ');
      }
      p.clearFlags();
      p.printArg(args.get(i), 'v', 0);
      p.checkLimit();
    }
    out.append('\n');
    p.checkLimit();
    return out.toString();
  }

  /** {@code fmt.Sprintf}. */
  static String sprintf(String format, List<Object> args) {
    return sprintf(format, args, Integer.MAX_VALUE);
  }

  /** {@code fmt.Sprintf}, throwing {@link LimitExceeded} once longer than {@code limit}. */
  static String sprintf(String format, List<Object> args, int limit) {
    StringBuilder out = new StringBuilder(Math.min(format.length() + 16, 1 << 16));
    GoFmt p = new GoFmt(out);
    p.limit = limit;
    p.doPrintf(format, args);
    p.checkLimit();
    return out.toString();
  }

  private void checkLimit() {
    if (buf.length() > limit) {
      throw new LimitExceeded();
    }
  }

  // ---- Sprintf ----

  private int argNum;
  private boolean reordered;
  private boolean goodArgNum;
  private int i;

  private void doPrintf(String format, List<Object> a) {
    int end = format.length();
    argNum = 0;
    boolean afterIndex;
    reordered = false;
    i = 0;
    formatLoop:
    while (i < end) {
      checkLimit();
      goodArgNum = true;
      int lasti = i;
      while (i < end && format.charAt(i) != '%') {
        i++;
      }
      if (i > lasti) {
        buf.append(format, lasti, i);
      }
      if (i >= end) {
        break;
      }
      i++; // skip '%'
      clearFlags();
      simpleFormat:
      for (; i < end; i++) {
        char c = format.charAt(i);
        switch (c) {
          case '#' -> sharp = true;
          case '0' -> zero = !minus; // only allow zero padding to the left
          case '+' -> plus = true;
          case '-' -> {
            minus = true;
            zero = false; // do not pad with zeros to the right
          }
          case ' ' -> space = true;
          default -> {
            if ('a' <= c && c <= 'z' && argNum < a.size()) {
              if (c == 'v') {
                sharpV = sharp;
                sharp = false;
                plusV = plus;
                plus = false;
              }
              printArg(a.get(argNum), c, 0);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
          }
        }
      }

      afterIndex = argNumber(format, a.size());

      if (i < end && format.charAt(i) == '*') {
        i++;
        Integer w = intFromArg(a);
        widPresent = w != null;
        wid = w == null ? 0 : w;
        if (!widPresent) {
          buf.append("%!(BADWIDTH)");
        }
        if (wid < 0) {
          wid = -wid;
          minus = true;
          zero = false;
        }
        afterIndex = false;
      } else {
        int[] num = parseNum(format, end);
        widPresent = num[1] == 1;
        wid = num[0];
        if (afterIndex && widPresent) {
          goodArgNum = false;
        }
      }

      if (i + 1 < end && format.charAt(i) == '.') {
        i++;
        if (afterIndex) {
          goodArgNum = false;
        }
        afterIndex = argNumber(format, a.size());
        if (i < end && format.charAt(i) == '*') {
          i++;
          Integer p = intFromArg(a);
          precPresent = p != null;
          prec = p == null ? 0 : p;
          if (prec < 0) {
            prec = 0;
            precPresent = false;
          }
          if (!precPresent) {
            buf.append("%!(BADPREC)");
          }
          afterIndex = false;
        } else {
          int[] num = parseNum(format, end);
          prec = num[0];
          precPresent = true;
          if (num[1] == 0) {
            prec = 0;
          }
        }
      }

      if (!afterIndex) {
        afterIndex = argNumber(format, a.size());
      }

      if (i >= end) {
        buf.append("%!(NOVERB)");
        break;
      }

      int verb = format.codePointAt(i);
      i += Character.charCount(verb);

      if (verb == '%') {
        buf.append('%'); // percent does not absorb operands and ignores width and precision
      } else if (!goodArgNum) {
        buf.append("%!").appendCodePoint(verb).append("(BADINDEX)");
      } else if (argNum >= a.size()) {
        buf.append("%!").appendCodePoint(verb).append("(MISSING)");
      } else {
        if (verb == 'v') {
          sharpV = sharp;
          sharp = false;
          plusV = plus;
          plus = false;
        }
        printArg(a.get(argNum), verb, 0);
        argNum++;
      }
    }

    if (!reordered && argNum < a.size()) {
      clearFlags();
      buf.append("%!(EXTRA ");
      for (int k = argNum; k < a.size(); k++) {
        if (k > argNum) {
          buf.append(", ");
        }
        Object arg = a.get(k);
        if (arg == null) {
          buf.append("<nil>");
        } else {
          buf.append(typeName(arg)).append('=');
          printArg(arg, 'v', 0);
        }
      }
      buf.append(')');
    }
  }

  /** Go's parsenum at {@code i}: [value, present]; advances {@code i}. */
  private int[] parseNum(String s, int end) {
    int num = 0;
    boolean isNum = false;
    int start = i;
    while (i < end && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      if (num > MAX_NUM) {
        i = end; // overflow: Go gives up on the rest of the format
        return new int[] {0, 0};
      }
      num = num * 10 + (s.charAt(i) - '0');
      isNum = true;
      i++;
    }
    return new int[] {isNum ? num : 0, isNum && i > start ? 1 : 0};
  }

  /** Go's argNumber: an explicit {@code [n]} index; returns whether one was found. */
  private boolean argNumber(String format, int numArgs) {
    if (i >= format.length() || format.charAt(i) != '[') {
      return false;
    }
    reordered = true;
    int close = format.indexOf(']', i + 1);
    if (close < 0) {
      goodArgNum = false;
      return false;
    }
    String digits = format.substring(i + 1, close);
    int index = -1;
    if (!digits.isEmpty() && digits.length() < 8 && digits.chars().allMatch(Character::isDigit)) {
      index = Integer.parseInt(digits) - 1;
    }
    i = close + 1;
    if (index < 0 || index >= numArgs) {
      goodArgNum = false;
      return true;
    }
    argNum = index;
    return true;
  }

  private Integer intFromArg(List<Object> a) {
    if (argNum >= a.size()) {
      return null;
    }
    Object arg = a.get(argNum++);
    if (arg instanceof Long l && l >= -MAX_NUM && l <= MAX_NUM) {
      return l.intValue();
    }
    return null;
  }

  // ---- printArg / printValue ----

  private void printArg(Object arg, int verb, int depth) {
    if (arg == null) {
      if (verb == 'T' || verb == 'v') {
        pad(depth > 0 && sharpV ? "interface {}(nil)" : "<nil>");
      } else {
        badVerb(verb, null);
      }
      return;
    }
    if (verb == 'T') {
      fmtS(typeName(arg));
      return;
    }
    if (arg instanceof Boolean b) {
      if (verb == 't' || verb == 'v') {
        pad(b.toString());
      } else {
        badVerb(verb, arg);
      }
    } else if (arg instanceof Long l) {
      fmtInteger(l, verb, arg);
    } else if (arg instanceof Double d) {
      fmtFloatVerb(d, verb, arg);
    } else if (arg instanceof String s) {
      fmtString(s, verb, arg);
    } else if (arg instanceof GoStruct st) {
      if (sharpV) {
        buf.append(st.type());
      }
      buf.append('{');
      int k = 0;
      for (String field : st.fields().keySet()) {
        if (k++ > 0) {
          buf.append(sharpV ? ", " : " ");
        }
        if (plusV || sharpV) {
          buf.append(field).append(':');
        }
        printArg(st.get(field), verb, depth + 1);
      }
      buf.append('}');
    } else if (arg instanceof List<?> l) {
      buf.append(sharpV ? typeName(l) + "{" : "[");
      for (int k = 0; k < l.size(); k++) {
        if (k > 0) {
          buf.append(sharpV ? ", " : " ");
        }
        printArg(Exec.normalize(l.get(k)), verb, depth + 1);
      }
      buf.append(sharpV ? '}' : ']');
    } else if (arg instanceof Map<?, ?> m) {
      buf.append(sharpV ? typeName(m) + "{" : "map[");
      List<String> keys = new ArrayList<>(m.size());
      for (Object key : m.keySet()) {
        keys.add(String.valueOf(key));
      }
      keys.sort(Exec.GO_STRING_ORDER);
      int k = 0;
      for (String key : keys) {
        if (k++ > 0) {
          buf.append(sharpV ? ", " : " ");
        }
        printArg(key, verb, depth + 1);
        buf.append(':');
        printArg(Exec.normalize(m.get(key)), verb, depth + 1);
      }
      buf.append(sharpV ? '}' : ']');
    } else {
      fmtString(String.valueOf(arg), verb, arg);
    }
  }

  private void badVerb(int verb, Object arg) {
    buf.append("%!").appendCodePoint(verb).append('(');
    if (arg != null) {
      buf.append(typeName(arg)).append('=');
      printArg(arg, 'v', 0);
    } else {
      buf.append("<nil>");
    }
    buf.append(')');
  }

  /** The Go type name of a template value. */
  static String typeName(Object v) {
    if (v == null) {
      return "<nil>";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Long) {
      return "int";
    }
    if (v instanceof Double) {
      return "float64";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof GoStruct s) {
      return s.type();
    }
    if (v instanceof Map<?, ?> m) {
      for (Object value : m.values()) {
        if (!(value instanceof String)) {
          return "map[string]interface {}";
        }
      }
      return "map[string]string";
    }
    if (v instanceof List<?> l) {
      for (Object value : l) {
        if (!(value instanceof String)) {
          return "[]interface {}";
        }
      }
      return "[]string";
    }
    return "interface {}";
  }

  // ---- padding ----

  private void writePadding(int n) {
    if (n <= 0) {
      return;
    }
    char padChar = zero ? '0' : ' ';
    for (int k = 0; k < n; k++) {
      buf.append(padChar);
    }
  }

  private void pad(String s) {
    if (!widPresent || wid == 0) {
      buf.append(s);
      return;
    }
    int width = wid - s.codePointCount(0, s.length());
    if (!minus) {
      writePadding(width);
      buf.append(s);
    } else {
      buf.append(s);
      writePadding(width);
    }
  }

  // ---- integers ----

  private void fmtInteger(long v, int verb, Object arg) {
    switch (verb) {
      case 'v', 'd' -> fmtInteger(v, 10, verb, false);
      case 'b' -> fmtInteger(v, 2, verb, false);
      case 'o', 'O' -> fmtInteger(v, 8, verb, false);
      case 'x' -> fmtInteger(v, 16, verb, false);
      case 'X' -> fmtInteger(v, 16, verb, true);
      case 'c' -> pad(runeString(v));
      case 'q' -> pad(quoteRune(v, plus));
      case 'U' -> fmtUnicode(v);
      default -> badVerb(verb, arg);
    }
  }

  private void fmtInteger(long v, int base, int verb, boolean upper) {
    boolean negative = v < 0;
    String digits =
        negative
            ? new java.math.BigInteger(Long.toString(v)).negate().toString(base)
            : Long.toString(v, base);
    if (upper) {
      digits = digits.toUpperCase(java.util.Locale.ROOT);
    }
    int precision = 0;
    if (precPresent) {
      precision = prec;
      if (precision == 0 && v == 0) {
        boolean oldZero = zero;
        zero = false;
        writePadding(wid);
        zero = oldZero;
        return;
      }
    } else if (zero && widPresent) {
      precision = wid;
      if (negative || plus || space) {
        precision--; // leave room for the sign
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int k = digits.length(); k < precision; k++) {
      sb.append('0');
    }
    sb.append(digits);
    if (sharp) {
      switch (base) {
        case 2 -> sb.insert(0, "0b");
        case 8 -> {
          if (sb.charAt(0) != '0') {
            sb.insert(0, '0');
          }
        }
        case 16 -> sb.insert(0, upper ? "0X" : "0x");
        default -> {}
      }
    }
    if (verb == 'O') {
      sb.insert(0, "0o");
    }
    if (negative) {
      sb.insert(0, '-');
    } else if (plus) {
      sb.insert(0, '+');
    } else if (space) {
      sb.insert(0, ' ');
    }
    boolean oldZero = zero;
    zero = false;
    pad(sb.toString());
    zero = oldZero;
  }

  private static String runeString(long v) {
    if (v < 0 || v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
      return "\uFFFD";
    }
    return new String(Character.toChars((int) v));
  }

  private static String quoteRune(long v, boolean asciiOnly) {
    int r =
        (v < 0 || v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) ? 0xFFFD : (int) v;
    return GoQuote.quoteRune(r, asciiOnly);
  }

  private void fmtUnicode(long v) {
    String hex = Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
    int minDigits = precPresent && prec > 4 ? prec : 4;
    StringBuilder sb = new StringBuilder("U+");
    for (int k = hex.length(); k < minDigits; k++) {
      sb.append('0');
    }
    sb.append(hex);
    if (sharp && v >= 0 && v <= Character.MAX_CODE_POINT && GoQuote.isPrint((int) v)) {
      sb.append(" '").appendCodePoint((int) v).append('\'');
    }
    boolean oldZero = zero;
    zero = false;
    pad(sb.toString());
    zero = oldZero;
  }

  /** Go's {@code %#U}, used by the lexer's "bad character" errors. */
  static String unicodeName(int r) {
    String hex = Integer.toHexString(r).toUpperCase(java.util.Locale.ROOT);
    StringBuilder sb = new StringBuilder("U+");
    for (int k = hex.length(); k < 4; k++) {
      sb.append('0');
    }
    sb.append(hex);
    if (r >= 0 && GoQuote.isPrint(r)) {
      sb.append(" '").appendCodePoint(r).append('\'');
    }
    return sb.toString();
  }

  // ---- strings ----

  private void fmtString(String s, int verb, Object arg) {
    switch (verb) {
      case 'v' -> {
        if (sharpV) {
          fmtQ(s);
        } else {
          fmtS(s);
        }
      }
      case 's' -> fmtS(s);
      case 'x' -> fmtSx(s, false);
      case 'X' -> fmtSx(s, true);
      case 'q' -> fmtQ(s);
      default -> badVerb(verb, arg);
    }
  }

  private String truncate(String s) {
    if (precPresent && s.codePointCount(0, s.length()) > prec) {
      return s.substring(0, s.offsetByCodePoints(0, prec));
    }
    return s;
  }

  private void fmtS(String s) {
    pad(truncate(s));
  }

  private void fmtQ(String s) {
    s = truncate(s);
    if (sharp && canBackquote(s)) {
      pad("`" + s + "`");
      return;
    }
    pad((plus ? GoQuote.quoteToAscii(s) : GoQuote.quote(s)));
  }

  private void fmtSx(String s, boolean upper) {
    String digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int length = b.length;
    if (precPresent && prec < length) {
      length = prec;
    }
    int width = 2 * length;
    if (width > 0) {
      if (space) {
        if (sharp) {
          width *= 2;
        }
        width += length - 1;
      } else if (sharp) {
        width += 2;
      }
    } else {
      if (widPresent) {
        writePadding(wid);
      }
      return;
    }
    if (widPresent && wid > width && !minus) {
      writePadding(wid - width);
    }
    if (sharp) {
      buf.append('0').append(upper ? 'X' : 'x');
    }
    for (int k = 0; k < length; k++) {
      if (space && k > 0) {
        buf.append(' ');
        if (sharp) {
          buf.append('0').append(upper ? 'X' : 'x');
        }
      }
      int c = b[k] & 0xff;
      buf.append(digits.charAt(c >> 4)).append(digits.charAt(c & 0xf));
    }
    if (widPresent && wid > width && minus) {
      writePadding(wid - width);
    }
  }

  private static boolean canBackquote(String s) {
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '`' || c == '\uFEFF' || (c < ' ' && c != '\t') || c == 0x7f) {
        return false;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && k + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(k + 1))) {
          k++;
        } else {
          return false;
        }
      }
    }
    return true;
  }

  // ---- floats ----

  private void fmtFloatVerb(double v, int verb, Object arg) {
    switch (verb) {
      case 'v' -> fmtFloat(v, 'g', -1);
      case 'g', 'G', 'x', 'X' -> fmtFloat(v, verb, -1);
      case 'f', 'F', 'e', 'E' -> fmtFloat(v, verb, 6);
      default -> badVerb(verb, arg);
    }
  }

  private void fmtFloat(double v, int verb, int defaultPrec) {
    int p = precPresent ? prec : defaultPrec;
    String s;
    if (Double.isNaN(v)) {
      s = "NaN";
    } else if (Double.isInfinite(v)) {
      s = v > 0 ? "+Inf" : "-Inf";
    } else {
      s = formatFloat(v, verb, p);
    }
    // As Go: reserve a sign, then decide whether to show it.
    String num = s.startsWith("-") || s.startsWith("+") ? s : "+" + s;
    if (space && num.charAt(0) == '+' && !plus) {
      num = " " + num.substring(1);
    }
    if (num.charAt(1) == 'I' || num.charAt(1) == 'N') {
      boolean oldZero = zero;
      zero = false;
      if (num.charAt(1) == 'N' && !space && !plus) {
        num = num.substring(1);
      }
      pad(num);
      zero = oldZero;
      return;
    }
    if (plus || num.charAt(0) != '+') {
      if (zero && widPresent && wid > num.length()) {
        buf.append(num.charAt(0));
        writePadding(wid - num.length());
        buf.append(num, 1, num.length());
        return;
      }
      pad(num);
      return;
    }
    pad(num.substring(1));
  }

  /** strconv.FormatFloat for 'e', 'f', 'g' and 'x' ({@code prec} -1 = shortest). */
  static String formatFloat(double v, int verb, int prec) {
    boolean neg = v < 0 || (v == 0 && 1 / v < 0);
    double abs = Math.abs(v);
    String body;
    char lower = (char) Character.toLowerCase(verb);
    if (lower == 'x') {
      body = hexFloat(abs, prec);
      if (verb == 'X') {
        body = body.toUpperCase(java.util.Locale.ROOT);
      }
    } else if (lower == 'f') {
      if (prec < 0) {
        Digits d = shortest(abs);
        body = fmtF(d, Math.max(d.digits.length() - d.dp, 0));
      } else {
        body = new BigDecimal(abs).setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
      }
    } else if (lower == 'e') {
      Digits d = prec < 0 ? shortest(abs) : rounded(abs, prec + 1);
      body = fmtE(d, prec < 0 ? Math.max(d.digits.length() - 1, 0) : prec, (char) verb);
    } else {
      // 'g'
      boolean shortest = prec < 0;
      int p = prec == 0 ? 1 : prec;
      Digits d = shortest ? shortest(abs) : rounded(abs, p);
      int eprec = shortest ? 6 : p;
      if (!shortest && eprec > d.digits.length() && d.digits.length() >= d.dp) {
        eprec = d.digits.length();
      }
      int exp = d.dp - 1;
      char e = verb == 'G' ? 'E' : 'e';
      if (d.digits.isEmpty()) {
        body = "0";
      } else if (exp < -4 || exp >= eprec) {
        int ep = shortest ? d.digits.length() : Math.min(p, d.digits.length());
        body = fmtE(d, Math.max(ep - 1, 0), e);
      } else {
        body = fmtF(d, Math.max(d.digits.length() - d.dp, 0));
      }
    }
    return neg ? "-" + body : body;
  }

  /** Decimal digits (no trailing zeros; empty for zero) and decimal-point position. */
  private record Digits(String digits, int dp) {}

  private static Digits shortest(double abs) {
    if (abs == 0) {
      return new Digits("", 0);
    }
    return digitsOf(new BigDecimal(Double.toString(abs)));
  }

  private static Digits rounded(double abs, int significant) {
    if (abs == 0) {
      return new Digits("", 0);
    }
    return digitsOf(
        new BigDecimal(abs)
            .round(new MathContext(Math.max(significant, 1), RoundingMode.HALF_EVEN)));
  }

  private static Digits digitsOf(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    String digits = stripped.unscaledValue().toString();
    return new Digits(digits, digits.length() - stripped.scale());
  }

  private static String fmtE(Digits d, int prec, char e) {
    StringBuilder sb = new StringBuilder();
    sb.append(d.digits.isEmpty() ? '0' : d.digits.charAt(0));
    if (prec > 0) {
      sb.append('.');
      for (int k = 1; k <= prec; k++) {
        sb.append(k < d.digits.length() ? d.digits.charAt(k) : '0');
      }
    }
    int exp = d.digits.isEmpty() ? 0 : d.dp - 1;
    sb.append(e).append(exp < 0 ? '-' : '+');
    int absExp = Math.abs(exp);
    if (absExp < 10) {
      sb.append('0');
    }
    return sb.append(absExp).toString();
  }

  private static String fmtF(Digits d, int prec) {
    StringBuilder sb = new StringBuilder();
    if (d.dp > 0) {
      for (int k = 0; k < d.dp; k++) {
        sb.append(k < d.digits.length() ? d.digits.charAt(k) : '0');
      }
    } else {
      sb.append('0');
    }
    if (prec > 0) {
      sb.append('.');
      for (int k = 0; k < prec; k++) {
        int idx = d.dp + k;
        sb.append(idx >= 0 && idx < d.digits.length() ? d.digits.charAt(idx) : '0');
      }
    }
    return sb.toString();
  }

  private static String hexFloat(double abs, int prec) {
    if (abs == 0) {
      return "0x0p+00";
    }
    long bits = Double.doubleToLongBits(abs);
    int exp = (int) ((bits >> 52) & 0x7ff);
    long mant = bits & ((1L << 52) - 1);
    if (exp == 0) {
      // subnormal: normalise
      while ((mant & (1L << 52)) == 0) {
        mant <<= 1;
        exp--;
      }
      exp++;
      mant &= (1L << 52) - 1;
    }
    exp -= 1023;
    String frac = String.format("%013x", mant);
    if (prec >= 0 && prec < 13) {
      // round the 52-bit fraction to prec hex digits, half to even
      int drop = (13 - prec) * 4;
      long full = (1L << 52) | mant;
      long half = 1L << (drop - 1);
      long rem = full & ((1L << drop) - 1);
      long kept = full >> drop;
      if (rem > half || (rem == half && (kept & 1) == 1)) {
        kept++;
      }
      if (kept >> (prec * 4) > 1) {
        kept >>= 1;
        exp++;
      }
      long fracBits = kept & ((1L << (prec * 4)) - 1);
      frac = prec == 0 ? "" : String.format("%0" + prec + "x", fracBits);
    } else {
      int endFrac = frac.length();
      while (endFrac > 0 && frac.charAt(endFrac - 1) == '0') {
        endFrac--;
      }
      frac = frac.substring(0, endFrac);
      if (prec > 13) {
        frac = frac + "0".repeat(prec - frac.length());
      }
    }
    StringBuilder sb = new StringBuilder("0x1");
    if (!frac.isEmpty()) {
      sb.append('.').append(frac);
    }
    sb.append('p').append(exp < 0 ? '-' : '+');
    int absExp = Math.abs(exp);
    if (absExp < 10) {
      sb.append('0');
    }
    return sb.append(absExp).toString();
  }
}
