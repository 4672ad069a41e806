package org.spireregistrar.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigException;

/**
 * The strict structural linter for the HCL v1 syntax (and the JSON form HCL v1 also reads) that the
 * original registrar's {@code hcl.Decode} accepted. It rejects anything HCL v1 rejects, with the
 * line and what was expected, e.g. {@code unable to decode configuration: line 3: key
 * "trust_domain" has no value}, and it knows the line of every key. The values themselves are
 * decoded by hcl4j ({@link Hcl4jDecoder}); this parser's own reading of them is the reference
 * hcl4j's output is checked against.
 *
 * <p>Syntax: {@code key = value} items separated by whitespace or newlines (a comma after an item is
 * allowed); keys are identifiers (letters, digits, {@code _ - .}) or quoted strings; {@code key {
 * … }} and {@code key "label" { … }} are blocks. Values: double-quoted strings with Go escapes
 * ({@code ${…}} kept literally), heredocs ({@code <<EOF} and {@code <<-EOF}), numbers (decimal,
 * {@code 0x} hex, leading-zero octal, floats), {@code true}/{@code false} (in HCL syntax in any
 * case: {@code TRUE} is a boolean too), lists {@code [a, b,]} and objects {@code { … }}. Comments:
 * {@code #}, {@code //} and {@code /* … *}{@code /}. A file whose first token is {@code {} is read
 * as JSON.
 *
 * <p>While reading, it notes every construct that hcl4j 0.9.8 is known to read differently from HCL
 * v1 (a {@link Quirk}): hex and octal numbers, exponents, escapes other than {@code \" \\ \n \t
 * \r}, {@code ${} interpolation, {@code <<-} heredocs, heredocs in lists, a value on the line after
 * its key, items on one line without a comma, labelled blocks, non-ASCII unquoted keys.
 */
final class HclParser {

  static final String DECODE_PREFIX = "unable to decode configuration: ";

  private enum Kind {
    IDENT,
    STRING,
    HEREDOC,
    NUMBER,
    LBRACE,
    RBRACE,
    LBRACK,
    RBRACK,
    COMMA,
    ASSIGN,
    COLON,
    EOF
  }

  private record Token(Kind kind, String text, Object value, int line, int endLine) {
    Token(Kind kind, String text, Object value, int line) {
      this(kind, text, value, line, line);
    }
  }

  /**
   * One item as written.
   *
   * @param value a String, Boolean, Long, Double, List of values, or {@link Obj}
   * @param line the line of the key
   * @param endLine the last line of the value
   * @param block whether it was written {@code key { … }} rather than {@code key = …}
   */
  record Item(String key, Object value, int line, int endLine, boolean block) {}

  /** The items of a file, block or object, in source order, duplicates kept. */
  record Obj(List<Item> items) {}

  /**
   * A construct hcl4j reads differently from HCL v1, at {@code line}.
   *
   * @param what the message naming it, e.g. {@code hex numbers are not supported here}
   * @param fatal whether hcl4j must not even see it (interpolation, which hcl4j evaluates)
   */
  record Quirk(int line, String what, boolean fatal) {}

  /** The linter's reading of a file: its items with lines, and the hcl4j quirks found. */
  record Lint(Obj root, List<Quirk> quirks) {}

  /** Lists and blocks nest at most this deep; a configuration needs two levels. */
  static final int MAX_DEPTH = 64;

  /** Integers hcl4j reads exactly: it reads every number as a double. */
  static final long MAX_EXACT = 1L << 53;

  private final List<Token> tokens;
  private final List<Quirk> quirks;
  private int next;
  private int depth;

  private HclParser(List<Token> tokens, List<Quirk> quirks) {
    this.tokens = tokens;
    this.quirks = quirks;
  }

  /**
   * Parses configuration text into a document with the line of every key, using this parser's own
   * reading of the values (the reference {@link Hcl4jDecoder} checks hcl4j against).
   *
   * @param source names the text (a file name), kept in the document
   * @throws ConfigException {@code unable to decode configuration: line N: …} on a syntax error
   */
  static ConfigDocument parse(String text, String source) {
    return document(lint(text).root(), source);
  }

  /**
   * Checks the syntax of configuration text and reads its items.
   *
   * @throws ConfigException {@code unable to decode configuration: line N: …} on a syntax error
   */
  static Lint lint(String text) {
    Lexer lexer = new Lexer(text);
    List<Token> tokens = lexer.lex();
    HclParser p = new HclParser(tokens, lexer.quirks);
    Obj root = p.tokens.get(0).kind() == Kind.LBRACE ? p.jsonDocument() : p.hclDocument();
    List<Quirk> sorted = new ArrayList<>(p.quirks);
    sorted.sort((a, b) -> Integer.compare(a.line(), b.line())); // stable: source order per line
    return new Lint(root, List.copyOf(sorted));
  }

  /** The items as a document: blocks and objects become nested documents. */
  static ConfigDocument document(Obj obj, String source) {
    ConfigDocument.Builder b = ConfigDocument.builder(source);
    for (Item item : obj.items()) {
      b.add(item.key(), documentValue(item.value(), source), item.line());
    }
    return b.build();
  }

  static Object documentValue(Object value, String source) {
    if (value instanceof Obj o) {
      return document(o, source);
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(documentValue(v, source)));
      return out;
    }
    return value;
  }

  // ---------------------------------------------------------------------------------------------
  // HCL

  private Obj hclDocument() {
    return objectList(null, null);
  }

  /** Items up to the closing brace of {@code open}, or to the end of file when it is null. */
  private Obj objectList(Token open, String blockKey) {
    if (open != null) {
      enter(open);
    }
    List<Item> items = new ArrayList<>();
    Set<String> scalarKeys = new HashSet<>(); // keys given a value that is not an object
    int previousEnd = -1; // last line of the previous item when no comma followed it
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.EOF) {
        if (open != null) {
          throw error(
              open.line(), "block for key " + quote(blockKey) + " is not closed: missing \"}\"");
        }
        return new Obj(items);
      }
      if (t.kind() == Kind.RBRACE) {
        if (open == null) {
          throw error(t.line(), "unexpected \"}\": no block is open");
        }
        advance();
        depth--;
        return new Obj(items);
      }
      if (t.line() == previousEnd) {
        quirk(t.line(), "items on one line must be separated by commas here");
      }
      Item item = item();
      if (!(item.value() instanceof Obj)) {
        scalarKeys.add(item.key());
      } else if (item.block() && scalarKeys.contains(item.key())) {
        quirk(item.line(), "key " + quote(item.key()) + " is both a value and a block here");
      }
      items.add(item);
      previousEnd = lastConsumed().endLine();
      if (peek().kind() == Kind.COMMA) {
        Token comma = advance(); // HCL v1 allows a comma after an item
        if (open != null && comma.line() != previousEnd) {
          quirk(comma.line(), "a comma in a block must be on the line of the item before it here");
        }
        previousEnd = -1;
      }
    }
  }

  private Item item() {
    Token first = advance();
    if (first.kind() != Kind.IDENT && first.kind() != Kind.STRING) {
      throw error(first.line(), "expected a key, got " + describe(first));
    }
    String key = (String) first.value();
    if (key.isEmpty()) {
      quirk(first.line(), "empty keys are not supported here");
    }
    List<Token> keys = new ArrayList<>();
    keys.add(first);
    while (peek().kind() == Kind.IDENT || peek().kind() == Kind.STRING) {
      keys.add(advance());
    }
    Token t = peek();
    if (t.kind() == Kind.LBRACE) {
      // key "label" … { … } is a block nested once per label, as HCL v1 decodes it.
      advance();
      if (t.line() != keys.get(keys.size() - 1).line()) {
        quirk(
            t.line(), "the \"{\" of block " + quote(key) + " must be on the line of the key here");
      }
      if (first.kind() == Kind.STRING) {
        quirk(first.line(), "blocks with a quoted name are not supported here");
      }
      if (keys.size() > 1) {
        quirk(first.line(), "labelled blocks (key \"label\" { … }) are not supported here");
      }
      Token innermost = keys.get(keys.size() - 1);
      Object value = objectList(t, (String) innermost.value());
      int end = lastConsumed().endLine();
      for (int i = keys.size() - 1; i >= 1; i--) {
        Token label = keys.get(i);
        value = new Obj(List.of(new Item((String) label.value(), value, label.line(), end, true)));
      }
      return new Item(key, value, first.line(), end, true);
    }
    if (keys.size() > 1) {
      throw error(
          first.line(),
          "expected \"=\" or \"{\" after key " + quote(key) + ", got " + describe(keys.get(1)));
    }
    if (t.kind() != Kind.ASSIGN) {
      throw error(
          first.line(), "expected \"=\" or \"{\" after key " + quote(key) + ", got " + describe(t));
    }
    Token assign = advance();
    if (assign.line() != first.line()) {
      quirk(first.line(), "the \"=\" must be on the line of key " + quote(key) + " here");
    }
    Object value = value(first, assign);
    return new Item(key, value, first.line(), lastConsumed().endLine(), false);
  }

  private Object value(Token keyToken, Token assign) {
    String key = (String) keyToken.value();
    Token t = peek();
    if (t.line() != assign.line()
        && t.kind() != Kind.EOF
        && t.kind() != Kind.ASSIGN
        && t.kind() != Kind.COLON) {
      quirk(t.line(), valueOnNextLine(key));
    }
    switch (t.kind()) {
      case STRING, HEREDOC, NUMBER:
        advance();
        return t.value();
      case IDENT:
        if (isBoolean(t)) {
          advance();
          return Boolean.valueOf(t.text().toLowerCase(Locale.ROOT));
        }
        if (t.line() != assign.line() || lookingAtItem(next)) {
          throw noValue(keyToken);
        }
        throw error(t.line(), unquoted(t) + " for key " + quote(key) + hint(t));
      case LBRACK:
        advance();
        return list(key, t);
      case LBRACE:
        advance();
        return objectList(t, key);
      case ASSIGN, COLON:
        if (t.line() == assign.line()) {
          throw error(t.line(), "expected a value after " + quote(key) + " =, got " + describe(t));
        }
        throw noValue(keyToken);
      default: // EOF, "}", "]", ","
        throw noValue(keyToken);
    }
  }

  private List<Object> list(String key, Token open) {
    enter(open);
    List<Object> items = new ArrayList<>();
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.RBRACK) {
        advance();
        depth--;
        return items;
      }
      if (t.kind() == Kind.EOF || lookingAtItem(next)) {
        throw unclosedList(key, open);
      }
      items.add(listItem(key));
      Token sep = peek();
      if (sep.kind() == Kind.COMMA) {
        advance();
      } else if (sep.kind() == Kind.RBRACK) {
        advance();
        depth--;
        return items;
      } else if (sep.kind() == Kind.EOF || lookingAtItem(next)) {
        throw unclosedList(key, open);
      } else {
        throw error(
            sep.line(),
            "expected \",\" or \"]\" in the list for key " + quote(key) + ", got " + describe(sep));
      }
    }
  }

  private Object listItem(String key) {
    Token t = advance();
    switch (t.kind()) {
      case HEREDOC:
        quirk(t.line(), "heredocs inside lists are not supported here");
        return t.value();
      case STRING, NUMBER:
        return t.value();
      case IDENT:
        if (isBoolean(t)) {
          return Boolean.valueOf(t.text().toLowerCase(Locale.ROOT));
        }
        throw error(t.line(), unquoted(t) + " in the list for key " + quote(key) + hint(t));
      case LBRACK:
        return list(key, t);
      case LBRACE:
        return objectList(t, key);
      default:
        throw error(
            t.line(),
            "expected a value in the list for key " + quote(key) + ", got " + describe(t));
    }
  }

  /** {@code true} and {@code false} in any case: HCL v1 wants lower case, hcl4j and we do not. */
  private static boolean isBoolean(Token t) {
    return t.kind() == Kind.IDENT
        && (t.text().equalsIgnoreCase("true") || t.text().equalsIgnoreCase("false"));
  }

  /**
   * Whether tokens from {@code i} start a new {@code key =} item (a list or value was left open).
   */
  private boolean lookingAtItem(int i) {
    Token t = tokens.get(i);
    return (t.kind() == Kind.IDENT || t.kind() == Kind.STRING)
        && i + 1 < tokens.size()
        && tokens.get(i + 1).kind() == Kind.ASSIGN
        && !isBoolean(t);
  }

  private void enter(Token open) {
    if (++depth > MAX_DEPTH) {
      throw error(open.line(), "nesting is deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void quirk(int line, String what) {
    quirks.add(new Quirk(line, what, false));
  }

  private static String valueOnNextLine(String key) {
    return "the value of key " + quote(key) + " must start on the line of the key here";
  }

  private ConfigException unclosedList(String key, Token open) {
    return error(open.line(), "list for key " + quote(key) + " is not closed: missing \"]\"");
  }

  private ConfigException noValue(Token keyToken) {
    return error(keyToken.line(), "key " + quote((String) keyToken.value()) + " has no value");
  }

  private static String unquoted(Token t) {
    return "unquoted value " + t.text();
  }

  private static String hint(Token t) {
    String lower = t.text().toLowerCase(Locale.ROOT);
    if (lower.equals("true") || lower.equals("false")) {
      return "; booleans are written true or false";
    }
    return "; strings must be in double quotes";
  }

  // ---------------------------------------------------------------------------------------------
  // JSON (HCL v1 reads a file starting with "{" as JSON)

  private Obj jsonDocument() {
    Token open = advance();
    Obj doc = jsonObject(open, null);
    Token t = peek();
    if (t.kind() != Kind.EOF) {
      throw error(t.line(), "unexpected " + describe(t) + " after the JSON object");
    }
    return doc;
  }

  private Obj jsonObject(Token open, String ownerKey) {
    enter(open);
    List<Item> items = new ArrayList<>();
    if (peek().kind() == Kind.RBRACE) {
      advance();
      depth--;
      return new Obj(items);
    }
    while (true) {
      Token k = advance();
      if (k.kind() == Kind.EOF) {
        throw jsonUnclosed(open, ownerKey);
      }
      if (k.kind() != Kind.STRING) {
        throw error(k.line(), "expected a quoted JSON key, got " + describe(k));
      }
      Token colon = advance();
      if (colon.kind() != Kind.COLON) {
        throw error(
            colon.line(),
            "expected \":\" after JSON key "
                + quote((String) k.value())
                + ", got "
                + describe(colon));
      }
      if (((String) k.value()).isEmpty()) {
        quirk(k.line(), "empty keys are not supported here");
      }
      if (colon.line() != k.line()) {
        quirk(
            k.line(),
            "the \":\" must be on the line of key " + quote((String) k.value()) + " here");
      } else if (peek().line() != colon.line()) {
        quirk(peek().line(), valueOnNextLine((String) k.value()));
      }
      Object value = jsonValue((String) k.value(), k);
      items.add(new Item((String) k.value(), value, k.line(), lastConsumed().endLine(), false));
      Token sep = advance();
      if (sep.kind() == Kind.RBRACE) {
        depth--;
        return new Obj(items);
      }
      if (sep.kind() == Kind.EOF) {
        throw jsonUnclosed(open, ownerKey);
      }
      if (sep.kind() != Kind.COMMA) {
        throw error(sep.line(), "expected \",\" or \"}\" in JSON object, got " + describe(sep));
      }
    }
  }

  private Object jsonValue(String key, Token keyToken) {
    Token t = advance();
    switch (t.kind()) {
      case STRING, NUMBER:
        return t.value();
      case IDENT:
        if (t.text().equals("true") || t.text().equals("false")) {
          return Boolean.valueOf(t.text());
        }
        if (t.text().equals("null")) {
          throw noValue(keyToken);
        }
        throw error(t.line(), unquoted(t) + " for key " + quote(key) + hint(t));
      case LBRACE:
        return jsonObject(t, key);
      case LBRACK:
        enter(t);
        List<Object> items = new ArrayList<>();
        if (peek().kind() == Kind.RBRACK) {
          advance();
          depth--;
          return items;
        }
        while (true) {
          if (peek().kind() == Kind.EOF) {
            throw unclosedList(key, t);
          }
          items.add(jsonValue(key, keyToken));
          Token sep = advance();
          if (sep.kind() == Kind.RBRACK) {
            depth--;
            return items;
          }
          if (sep.kind() == Kind.EOF) {
            throw unclosedList(key, t);
          }
          if (sep.kind() != Kind.COMMA) {
            throw error(
                sep.line(),
                "expected \",\" or \"]\" in the list for key "
                    + quote(key)
                    + ", got "
                    + describe(sep));
          }
        }
      default:
        if (t.kind() == Kind.EOF) {
          throw noValue(keyToken);
        }
        throw error(
            t.line(), "expected a value for JSON key " + quote(key) + ", got " + describe(t));
    }
  }

  private ConfigException jsonUnclosed(Token open, String ownerKey) {
    return error(
        open.line(),
        (ownerKey == null ? "JSON object" : "object for key " + quote(ownerKey))
            + " is not closed: missing \"}\"");
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens

  private Token peek() {
    return tokens.get(next);
  }

  private Token advance() {
    Token t = tokens.get(next);
    if (t.kind() != Kind.EOF) {
      next++;
    }
    return t;
  }

  /** The last token read (the end of an item); the first token when none was read. */
  private Token lastConsumed() {
    return tokens.get(Math.max(0, next - 1));
  }

  private static String describe(Token t) {
    return switch (t.kind()) {
      case IDENT -> "identifier " + t.text();
      case STRING -> "string " + quote((String) t.value());
      case HEREDOC -> "heredoc";
      case NUMBER -> "number " + t.text();
      case EOF -> "end of file";
      default -> quote(t.text());
    };
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  static ConfigException error(int line, String what) {
    return new ConfigException(DECODE_PREFIX + "line " + line + ": " + what);
  }

  // ---------------------------------------------------------------------------------------------
  // Lexer

  private static final class Lexer {
    private final String text;
    private int pos;
    private int line = 1;
    private boolean json;
    final List<Quirk> quirks = new ArrayList<>();

    Lexer(String text) {
      // A UTF-8 byte-order mark is not part of the configuration.
      this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    List<Token> lex() {
      List<Token> out = new ArrayList<>();
      while (true) {
        skipBlank();
        if (pos >= text.length()) {
          out.add(new Token(Kind.EOF, "", null, line));
          return out;
        }
        char c = text.charAt(pos);
        if (out.isEmpty() && c == '{') {
          json = true;
        }
        int at = line;
        switch (c) {
          case '{' -> out.add(single(Kind.LBRACE, at));
          case '}' -> out.add(single(Kind.RBRACE, at));
          case '[' -> out.add(single(Kind.LBRACK, at));
          case ']' -> out.add(single(Kind.RBRACK, at));
          case ',' -> out.add(single(Kind.COMMA, at));
          case '=' -> out.add(single(Kind.ASSIGN, at));
          case ':' -> out.add(single(Kind.COLON, at));
          case '"' -> out.add(string());
          case '\'' -> throw error(at, "single-quoted strings are not allowed; use double quotes");
          default -> {
            if (c == '<' && pos + 1 < text.length() && text.charAt(pos + 1) == '<' && !json) {
              out.add(heredoc());
            } else if (isDigit(c) || c == '-' || (c == '.' && nextIsDigit())) {
              out.add(number());
            } else if (Character.isLetter(c) || c == '_') {
              int start = pos;
              while (pos < text.length() && isIdentPart(text.charAt(pos))) {
                pos++;
              }
              String word = text.substring(start, pos);
              if (!word.chars().allMatch(ch -> ch < 0x80)) {
                quirk(at, "unquoted keys with non-ASCII letters are not supported here; quote it");
              }
              out.add(new Token(Kind.IDENT, word, word, at));
            } else {
              throw error(at, "unexpected character " + describeChar(c));
            }
          }
        }
      }
    }

    private Token single(Kind kind, int at) {
      return new Token(kind, String.valueOf(text.charAt(pos++)), null, at);
    }

    private void skipBlank() {
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c == '\n') {
          line++;
          pos++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
          pos++;
        } else if (c == '#' || (c == '/' && peekChar(1) == '/')) {
          while (pos < text.length() && text.charAt(pos) != '\n') {
            pos++;
          }
        } else if (c == '/' && peekChar(1) == '*') {
          int start = line;
          int end = text.indexOf("*/", pos + 2);
          if (end < 0) {
            throw error(start, "comment is not terminated: missing \"*/\"");
          }
          for (int i = pos; i < end; i++) {
            if (text.charAt(i) == '\n') {
              line++;
            }
          }
          pos = end + 2;
        } else if (c == '/') {
          throw error(line, "unexpected character '/' (comments start with // or /*)");
        } else {
          return;
        }
      }
    }

    private char peekChar(int ahead) {
      int i = pos + ahead;
      return i < text.length() ? text.charAt(i) : '\0';
    }

    private boolean nextIsDigit() {
      return isDigit(peekChar(1));
    }

    private Token string() {
      int startLine = line;
      int start = pos;
      pos++; // opening quote
      StringBuilder value = new StringBuilder();
      int braces = 0; // depth inside ${ … }, where quotes do not end the string
      while (true) {
        if (pos >= text.length() || text.charAt(pos) == '\n') {
          throw error(startLine, "string is not terminated: missing closing '\"'");
        }
        char c = text.charAt(pos);
        if (braces > 0) {
          if (c == '{') {
            braces++;
          } else if (c == '}') {
            braces--;
          }
          value.append(c);
          pos++;
          continue;
        }
        if (c == '"') {
          pos++;
          String raw = text.substring(start, pos);
          if (interpolates(raw)) {
            quirks.add(
                new Quirk(startLine, "\"${\" interpolation is not supported in values", true));
          }
          return new Token(Kind.STRING, raw, value.toString(), startLine);
        }
        if (c == '\\') {
          escape(value, startLine);
          continue;
        }
        if (c == '$' && peekChar(1) == '{' && !json) {
          braces = 1;
          value.append("${");
          pos += 2;
          continue;
        }
        if (c < 0x20 && c != '\t') {
          throw error(startLine, "control character " + describeChar(c) + " in string");
        }
        value.append(c);
        pos++;
      }
    }

    /**
     * Whether hcl4j would evaluate a {@code ${…}} template in this quoted string: a "{" after an
     * odd number of "$" ("$${" is a literal "${" to it, "$$${" a "$$" and a template).
     */
    private static boolean interpolates(String raw) {
      for (int i = raw.indexOf("${"); i >= 0; i = raw.indexOf("${", i + 1)) {
        int dollars = 0;
        for (int j = i; j >= 0 && raw.charAt(j) == '$'; j--) {
          dollars++;
        }
        if (dollars % 2 == 1) {
          return true;
        }
      }
      return false;
    }

    private void escape(StringBuilder value, int startLine) {
      char e = peekChar(1);
      if ("ntr\\\"".indexOf(e) < 0 && e != '\0' && e != '\n') {
        quirk(
            startLine,
            (e >= '0' && e <= '7' ? "octal" : "\\" + e)
                + " escapes in strings are not supported here");
      }
      pos += 2;
      switch (e) {
        case 'a' -> value.append('\u0007');
        case 'b' -> value.append('\b');
        case 'f' -> value.append('\f');
        case 'n' -> value.append('\n');
        case 'r' -> value.append('\r');
        case 't' -> value.append('\t');
        case 'v' -> value.append('\u000b');
        case '\\' -> value.append('\\');
        case '"' -> value.append('"');
        case '/' -> {
          if (!json) {
            throw error(startLine, "invalid escape sequence \\/ in string");
          }
          value.append('/');
        }
        case 'x' -> value.append((char) hex(2, startLine));
        case 'u' -> value.appendCodePoint(hex(4, startLine));
        case 'U' -> value.appendCodePoint(hex(8, startLine));
        default -> {
          if (e >= '0' && e <= '7') {
            pos--; // the first octal digit
            int v = 0;
            for (int i = 0; i < 3; i++) {
              char d = peekChar(0);
              if (d < '0' || d > '7') {
                throw error(startLine, "invalid octal escape in string: needs 3 digits");
              }
              v = v * 8 + (d - '0');
              pos++;
            }
            if (v > 255) {
              throw error(startLine, "invalid octal escape in string: value above \\377");
            }
            value.append((char) v);
          } else if (e == '\0' || e == '\n') {
            throw error(startLine, "string is not terminated: missing closing '\"'");
          } else {
            throw error(startLine, "invalid escape sequence \\" + e + " in string");
          }
        }
      }
    }

    private int hex(int digits, int startLine) {
      int v = 0;
      for (int i = 0; i < digits; i++) {
        int d = Character.digit(peekChar(0), 16);
        if (d < 0) {
          throw error(startLine, "invalid escape in string: needs " + digits + " hex digits");
        }
        v = v * 16 + d;
        pos++;
      }
      if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
        throw error(startLine, "invalid escape in string: not a Unicode code point");
      }
      return v;
    }

    private Token heredoc() {
      int startLine = line;
      pos += 2;
      boolean indented = peekChar(0) == '-';
      if (indented) {
        pos++;
      }
      int anchorStart = pos;
      while (pos < text.length() && isIdentPart(text.charAt(pos))) {
        pos++;
      }
      String anchor = text.substring(anchorStart, pos);
      if (anchor.isEmpty()) {
        throw error(startLine, "heredoc needs a marker after <<, e.g. <<EOF");
      }
      if (peekChar(0) == '\r') {
        pos++;
      }
      if (peekChar(0) != '\n') {
        throw error(startLine, "heredoc marker <<" + anchor + " must be followed by a newline");
      }
      pos++;
      line++;
      List<String> lines = new ArrayList<>();
      while (true) {
        if (pos >= text.length()) {
          throw error(
              startLine, "heredoc <<" + anchor + " is not terminated: missing line " + anchor);
        }
        int eol = text.indexOf('\n', pos);
        int end = eol < 0 ? text.length() : eol;
        String raw = text.substring(pos, end);
        if (raw.endsWith("\r")) {
          raw = raw.substring(0, raw.length() - 1);
        }
        String candidate = indented ? raw.stripLeading() : raw;
        pos = end;
        if (candidate.equals(anchor)) {
          lines.add(raw); // the terminator line, for its indentation
          break;
        }
        lines.add(raw);
        if (eol >= 0) {
          pos++;
          line++;
        }
      }
      String value = heredocValue(lines, indented);
      if (indented) {
        quirk(startLine, "indented heredocs (<<-" + anchor + ") are not supported here; use <<");
      } else if (lines.subList(0, lines.size() - 1).stream()
          .anyMatch(l -> l.strip().equals(anchor))) {
        quirk(
            startLine, "heredoc lines that are an indented " + anchor + " are not supported here");
      }
      return new Token(Kind.HEREDOC, "<<" + anchor, value, startLine, line);
    }

    /** HCL v1's unindentHeredoc; {@code lines} ends with the terminator line. */
    private static String heredocValue(List<String> lines, boolean indented) {
      List<String> body = lines.subList(0, lines.size() - 1);
      if (!indented) {
        StringBuilder b = new StringBuilder();
        body.forEach(l -> b.append(l).append('\n'));
        return b.toString();
      }
      String terminator = lines.get(lines.size() - 1);
      String prefix =
          terminator.substring(0, terminator.length() - terminator.stripLeading().length());
      boolean allIndented = body.stream().allMatch(l -> l.startsWith(prefix));
      StringBuilder b = new StringBuilder();
      if (!allIndented) {
        body.forEach(l -> b.append(l).append('\n'));
        return b.toString().stripTrailing();
      }
      body.forEach(l -> b.append(l.substring(prefix.length())).append('\n'));
      return b.toString();
    }

    private Token number() {
      int at = line;
      int start = pos;
      if (peekChar(0) == '-') {
        pos++;
      }
      boolean isFloat = false;
      Object value;
      if (peekChar(0) == '0' && (peekChar(1) == 'x' || peekChar(1) == 'X')) {
        pos += 2;
        int digitsStart = pos;
        while (Character.digit(peekChar(0), 16) >= 0) {
          pos++;
        }
        if (pos == digitsStart) {
          throw malformedNumber(start, at);
        }
        checkNumberEnd(start, at);
        value =
            parseLong(text.substring(digitsStart, pos), 16, text.charAt(start) == '-', start, at);
        quirk(
            at,
            "hex numbers are not supported here; write "
                + text.substring(start, pos)
                + " as "
                + value);
      } else {
        int intStart = pos;
        while (isDigit(peekChar(0))) {
          pos++;
        }
        boolean hasInt = pos > intStart;
        if (peekChar(0) == '.') {
          isFloat = true;
          pos++;
          int fracStart = pos;
          while (isDigit(peekChar(0))) {
            pos++;
          }
          if (pos == fracStart) {
            throw malformedNumber(start, at);
          }
        } else if (!hasInt) {
          throw malformedNumber(start, at);
        }
        if (peekChar(0) == 'e' || peekChar(0) == 'E') {
          isFloat = true;
          pos++;
          if (peekChar(0) == '+' || peekChar(0) == '-') {
            pos++;
          }
          int expStart = pos;
          while (isDigit(peekChar(0))) {
            pos++;
          }
          if (pos == expStart) {
            throw malformedNumber(start, at);
          }
        }
        checkNumberEnd(start, at);
        String literal = text.substring(start, pos);
        if (isFloat) {
          value = Double.valueOf(literal);
          if (literal.indexOf('e') >= 0 || literal.indexOf('E') >= 0) {
            quirk(
                at,
                "numbers with an exponent are not supported here; write "
                    + literal
                    + " as "
                    + new BigDecimal(literal).toPlainString());
          }
        } else {
          String digits = text.substring(intStart, pos);
          boolean octal = digits.length() > 1 && digits.charAt(0) == '0' && !json;
          if (octal) {
            for (int i = 0; i < digits.length(); i++) {
              if (digits.charAt(i) > '7') {
                throw error(at, "malformed number " + literal + ": a leading 0 means octal");
              }
            }
          }
          value = parseLong(digits, octal ? 8 : 10, text.charAt(start) == '-', start, at);
          if (octal) {
            quirk(
                at,
                "numbers with a leading 0 (octal) are not supported here; write "
                    + literal
                    + " as "
                    + value);
          }
        }
      }
      if (value instanceof Long l && (l > MAX_EXACT || l < -MAX_EXACT)) {
        quirk(at, "integers beyond 2^53 are not supported here (hcl4j reads numbers as doubles)");
      }
      return new Token(Kind.NUMBER, text.substring(start, pos), value, at);
    }

    private Long parseLong(String digits, int radix, boolean neg, int start, int at) {
      try {
        return Long.parseLong((neg ? "-" : "") + digits, radix);
      } catch (NumberFormatException e) {
        throw error(at, "number " + text.substring(start, pos) + " is out of range");
      }
    }

    /** A number must not run into letters: "12abc" or "1.2.3" is one malformed token. */
    private void checkNumberEnd(int start, int at) {
      if (pos < text.length() && (isIdentPart(text.charAt(pos)))) {
        throw malformedNumber(start, at);
      }
    }

    private ConfigException malformedNumber(int start, int at) {
      int end = pos;
      while (end < text.length() && (isIdentPart(text.charAt(end)))) {
        end++;
      }
      return error(at, "malformed number " + text.substring(start, Math.max(end, start + 1)));
    }

    private void quirk(int at, String what) {
      quirks.add(new Quirk(at, what, false));
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
  }
}
