package org.spireregistrar.config;

import static org.spireregistrar.config.HclChecker.error;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spireregistrar.config.HclChecker.Quirk;
import org.spireregistrar.core.GoQuote;

/**
 * The lexer of {@link HclChecker}: splits HCL v1 (or JSON) text into tokens, rejecting what HCL
 * v1's scanner rejects (an unterminated string, comment or heredoc, an invalid escape, a malformed
 * number, a stray character) and noting the tokens hcl4j reads differently: hex numbers, octal
 * numbers that differ from their decimal reading, exponents, integers beyond 2^53, escapes hcl4j
 * lacks or reads where HCL v1 does not (inside {@code ${…}}, after a {@code $}), {@code ${}
 * interpolation (fatal: hcl4j evaluates it), indented {@code <<-} end markers, non-ASCII
 * identifiers. It converts no value.
 */
final class HclLexer {

  /** Integers hcl4j reads exactly: it reads every number as a double. */
  private static final BigInteger MAX_EXACT = BigInteger.ONE.shiftLeft(53);

  /** A number's longest plausible text; {@link #number} checks the parts. */
  private static final Pattern NUMBER =
      Pattern.compile("-?(?:0[xX](\\p{XDigit}*)|(\\d*)(\\.\\d*)?([eE][+-]?\\d*)?)");

  /** Token kinds; the single-character ones in the order of {@code "{}[],=:"}. */
  enum Kind {
    LBRACE,
    RBRACE,
    LBRACK,
    RBRACK,
    COMMA,
    ASSIGN,
    COLON,
    IDENT,
    STRING,
    HEREDOC,
    NUMBER,
    EOF
  }

  /**
   * One token: {@code text} is its source, {@code [start, end)} its offsets.
   *
   * @param note for a string hcl4j ends early: what each reads (a quirk once its key is known)
   */
  record Token(Kind kind, String text, int start, int end, int line, String note) {}

  private final String text;
  private final List<Token> tokens = new ArrayList<>();
  final List<Quirk> quirks = new ArrayList<>();
  private int pos;
  private int line = 1;
  boolean json; // whether the first token is "{": HCL v1 then reads JSON

  HclLexer(String text) {
    this.text = text;
  }

  /** The tokens, ending with {@code EOF}. */
  List<Token> lex() {
    while (true) {
      skipBlank();
      int start = pos;
      int at = line;
      char c = peekChar(0);
      json |= tokens.isEmpty() && c == '{';
      int single = "{}[],=:".indexOf(c);
      String note = null;
      Kind kind;
      if (pos >= text.length()) {
        tokens.add(new Token(Kind.EOF, "", pos, pos, line, null));
        return tokens;
      } else if (single >= 0) {
        pos++;
        kind = Kind.values()[single];
      } else if (c == '"') {
        kind = Kind.STRING;
        note = string();
      } else if (c == '\'') {
        throw error(at, "single-quoted strings are not allowed; use double quotes");
      } else if (c == '<' && peekChar(1) == '<' && !json) {
        kind = Kind.HEREDOC;
        heredoc();
      } else if (isDigit(c) || c == '-' || (c == '.' && isDigit(peekChar(1)))) {
        kind = Kind.NUMBER;
        number();
      } else if (Character.isLetter(c) || c == '_') {
        kind = Kind.IDENT;
        skipIdent();
        if (!text.substring(start, pos).chars().allMatch(ch -> ch < 0x80)) {
          quirk(at, "unquoted keys with non-ASCII letters are not supported here; quote it");
        }
      } else {
        throw error(at, "unexpected character " + describeChar(c));
      }
      tokens.add(new Token(kind, text.substring(start, pos), start, pos, at, note));
    }
  }

  private void skipBlank() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        pos++;
      } else if (c == '\n') {
        line++;
        pos++;
      } else if (c == '#' || (c == '/' && peekChar(1) == '/')) {
        int end = text.indexOf('\n', pos);
        pos = end < 0 ? text.length() : end;
      } else if (c == '/' && peekChar(1) == '*') {
        int end = text.indexOf("*/", pos + 2);
        if (end < 0) {
          throw error(line, "comment is not terminated: missing \"*/\"");
        }
        line += (int) text.substring(pos, end).chars().filter(ch -> ch == '\n').count();
        pos = end + 2;
      } else if (c == '/') {
        throw error(line, "unexpected character '/' (comments start with // or /*)");
      } else {
        return;
      }
    }
  }

  /**
   * Checks a quoted string. Inside {@code ${ … }} HCL v1 keeps every character as written
   * (quotes too), while hcl4j, which evaluates only an unescaped {@code ${}, reads escapes there
   * and ends the string at a quote.
   *
   * @return the note for a quote inside {@code ${ … }}, else null
   */
  private String string() {
    int startLine = line;
    int start = pos++;
    int braces = 0; // depth inside ${ … }
    int quoteInBraces = -1;
    while (true) {
      char c = peekChar(0);
      if (pos >= text.length() || c == '\n') {
        throw error(startLine, "string is not terminated: missing closing '\"'");
      }
      pos++;
      if (braces > 0) {
        braces += c == '{' ? 1 : c == '}' ? -1 : 0;
        quoteInBraces = c == '"' && quoteInBraces < 0 ? pos - 1 : quoteInBraces;
        if (c == '\\' && "\"\\ntr".indexOf(peekChar(0)) >= 0) {
          quirk(startLine, "\\" + peekChar(0) + " escapes inside \"${…}\" are not supported here");
        }
      } else if (c == '"') {
        break;
      } else if (c == '\\') {
        escape(startLine);
      } else if (c == '$' && peekChar(0) == '{' && !json) {
        braces = 1;
        pos++;
      } else if (c < 0x20 && c != '\t') {
        throw error(startLine, "control character " + describeChar(c) + " in string");
      }
    }
    String body = text.substring(start + 1, pos - 1);
    if (interpolates(body)) {
      quirks.add(new Quirk(startLine, "\"${\" interpolation is not supported in values", true));
    }
    if (quoteInBraces < 0) {
      return null;
    }
    return body.indexOf('\\') >= 0
        ? "hcl4j ends this string at the '\"' inside \"${…}\""
        : "hcl4j reads string "
            + GoQuote.quote(text.substring(start + 1, quoteInBraces))
            + " where HCL v1 reads string "
            + GoQuote.quote(body);
  }

  /**
   * Whether hcl4j would evaluate a {@code ${…}} template in this string: a "{" after an odd number
   * of "$" ("$${" is a literal "${" to it, "$$${" a "$$" and a template).
   */
  private static boolean interpolates(String body) {
    for (int i = body.indexOf("${"); i >= 0; i = body.indexOf("${", i + 1)) {
      int dollars = 0;
      while (i - dollars >= 0 && body.charAt(i - dollars) == '$') {
        dollars++;
      }
      if (dollars % 2 == 1) {
        return true;
      }
    }
    return false;
  }

  /** Checks the escape after a backslash: Go's, as HCL v1 reads them. */
  private void escape(int startLine) {
    char e = peekChar(0);
    int dollars = 0; // hcl4j keeps the backslash after an odd run of "$" ("$$" is its escape)
    while (text.charAt(pos - 2 - dollars) == '$') {
      dollars++;
    }
    if (dollars % 2 == 1) {
      quirk(startLine, "\"$\" followed by an escape is not supported here");
    }
    if (pos >= text.length() || e == '\n') {
      throw error(startLine, "string is not terminated: missing closing '\"'");
    }
    if ("ntr\\\"".indexOf(e) < 0) { // all hcl4j reads
      quirk(
          startLine,
          (e >= '0' && e <= '7' ? "octal" : "\\" + e)
              + " escapes in strings are not supported here");
    }
    int hexDigits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (hexDigits > 0) {
      long v = 0;
      for (int i = 1; i <= hexDigits; i++) {
        int d = Character.digit(peekChar(i), 16);
        if (d < 0) {
          throw error(startLine, "invalid escape in string: needs " + hexDigits + " hex digits");
        }
        v = v * 16 + d;
      }
      if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
        throw error(startLine, "invalid escape in string: not a Unicode code point");
      }
      pos += hexDigits;
    } else if (e >= '0' && e <= '7') {
      if (!text.substring(pos, Math.min(pos + 3, text.length())).matches("[0-7]{3}")) {
        throw error(startLine, "invalid octal escape in string: needs 3 digits");
      }
      if (Integer.parseInt(text.substring(pos, pos + 3), 8) > 255) {
        throw error(startLine, "invalid octal escape in string: value above \\377");
      }
      pos += 2;
    } else if ("abfnrtv\\\"".indexOf(e) < 0 && !(e == '/' && json)) {
      throw error(startLine, "invalid escape sequence \\" + e + " in string");
    }
    pos++;
  }

  /**
   * Checks a heredoc. hcl4j reads {@code <<-} like {@code <<}, which is HCL v1's reading unless the
   * end marker is indented, and it ends a heredoc at a line that is an indented marker.
   */
  private void heredoc() {
    int startLine = line;
    pos += peekChar(2) == '-' ? 3 : 2;
    boolean indented = text.charAt(pos - 1) == '-';
    int anchorStart = pos;
    skipIdent();
    String anchor = text.substring(anchorStart, pos);
    if (anchor.isEmpty()) {
      throw error(startLine, "heredoc needs a marker after <<, e.g. <<EOF");
    }
    pos += peekChar(0) == '\r' ? 1 : 0;
    if (peekChar(0) != '\n') {
      throw error(startLine, "heredoc marker <<" + anchor + " must be followed by a newline");
    }
    boolean indentedAnchorLine = false;
    while (true) {
      if (pos >= text.length()) {
        throw error(
            startLine, "heredoc <<" + anchor + " is not terminated: missing line " + anchor);
      }
      pos++; // the newline before the line
      line++;
      int end = text.indexOf('\n', pos);
      end = end < 0 ? text.length() : end;
      String raw = text.substring(pos, end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end);
      pos = end;
      if ((indented ? raw.stripLeading() : raw).equals(anchor)) {
        if (!raw.equals(anchor)) {
          quirk(startLine, "indented heredocs (<<-" + anchor + ") are not supported here; use <<");
        } else if (indentedAnchorLine) {
          quirk(
              startLine,
              "heredoc lines that are an indented " + anchor + " are not supported here");
        }
        return;
      }
      indentedAnchorLine |= raw.strip().equals(anchor);
    }
  }

  private void number() {
    int at = line;
    int start = pos;
    Matcher m = NUMBER.matcher(text).region(pos, text.length());
    m.lookingAt();
    pos = m.end();
    String hex = m.group(1);
    String digits = m.group(2);
    String fraction = m.group(3);
    String exponent = m.group(4);
    if ((pos < text.length() && isIdentPart(text.charAt(pos)))
        || (hex != null
            ? hex.isEmpty()
            : (digits.isEmpty() && fraction == null)
                || ".".equals(fraction)
                || (exponent != null && !isDigit(exponent.charAt(exponent.length() - 1))))) {
      skipIdent(); // "12abc", "1.2.3", "1e", "-": one malformed token
      throw error(at, "malformed number " + text.substring(start, pos));
    }
    String literal = text.substring(start, pos);
    boolean negative = literal.startsWith("-");
    if (exponent != null) {
      String what = "numbers with an exponent are not supported here";
      try {
        BigDecimal v = new BigDecimal(literal); // the plain form as a hint, when it is short
        what += Math.abs(v.scale()) <= 40 ? "; write " + literal + " as " + v.toPlainString() : "";
      } catch (NumberFormatException e) {
        // an exponent beyond an int: no hint
      }
      quirk(at, what);
    } else if (hex != null) {
      BigInteger v = integer(hex, 16, negative, literal, at);
      quirk(at, "hex numbers are not supported here; write " + literal + " as " + v);
      exact(v, at);
    } else if (fraction == null) {
      boolean octal = digits.length() > 1 && digits.charAt(0) == '0' && !json;
      if (octal && !digits.matches("[0-7]+")) {
        throw error(at, "malformed number " + literal + ": a leading 0 means octal");
      }
      BigInteger v = integer(digits, octal ? 8 : 10, negative, literal, at);
      // hcl4j reads the digits as decimal: the same number when one digit follows the zeros.
      if (octal && digits.replaceFirst("^0+", "").length() > 1) {
        quirk(
            at,
            "numbers with a leading 0 (octal) are not supported here; write "
                + literal
                + " as "
                + v);
      }
      exact(v, at);
    }
  }

  /** The integer a literal's digits spell, for range checks and messages. */
  private BigInteger integer(String digits, int radix, boolean negative, String literal, int at) {
    BigInteger v = new BigInteger(digits, radix);
    v = negative ? v.negate() : v;
    if (v.bitLength() > 63) {
      throw error(at, "number " + literal + " is out of range");
    }
    return v;
  }

  private void exact(BigInteger v, int at) {
    if (v.abs().compareTo(MAX_EXACT) > 0) {
      quirk(at, "integers beyond 2^53 are not supported here (hcl4j reads numbers as doubles)");
    }
  }

  private void skipIdent() {
    while (pos < text.length() && isIdentPart(text.charAt(pos))) {
      pos++;
    }
  }

  private char peekChar(int ahead) {
    int i = pos + ahead;
    return i < text.length() ? text.charAt(i) : '\0';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isIdentPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
  }

  private static String describeChar(char c) {
    if (Character.isISOControl(c) || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
      return String.format(Locale.ROOT, "U+%04X", (int) c);
    }
    return "'" + c + "'";
  }

  private void quirk(int at, String what) {
    quirks.add(new Quirk(at, what, false));
  }
}
