package org.spireregistrar.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.spireregistrar.config.HclLexer.Kind;
import org.spireregistrar.config.HclLexer.Token;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.config.ConfigException;

/**
 * The syntax check hcl4j lacks, over {@link HclLexer}'s tokens: the structure of HCL v1 (and of the
 * JSON form HCL v1 also reads) as the original registrar's {@code hcl.Decode} accepted it. It
 * converts no value: the values are hcl4j's ({@link Hcl4jDecoder}).
 *
 * <p>It rejects what HCL v1 rejects, naming the line and what was wrong, e.g. {@code unable to
 * decode configuration: line 3: key "trust_domain" has no value}. Syntax: {@code key = value} items
 * separated by newlines (a comma after an item is allowed); keys are identifiers or quoted strings;
 * {@code key { … }} and {@code key "label" { … }} are blocks; values are strings, heredocs,
 * numbers, {@code true}/{@code false} (in any case outside JSON), lists {@code [a, b,]} and
 * objects. A file whose first token is "{" is JSON.
 *
 * <p>It records ({@link Outline}) every item's key, line, source span and the {@link Shape} of its
 * value, and a {@link Quirk} for each construct hcl4j 0.9.8 reads differently from HCL v1: the
 * lexer's (numbers, escapes, interpolation, heredocs) and the structure's (a heredoc in a list, an
 * item split over lines or by a comment, items on one line without a comma, a key both a value and
 * a block, repeated or split labelled blocks, quoted block names, empty or escaped keys).
 */
final class HclChecker {

  static final String DECODE_PREFIX = "unable to decode configuration: ";

  /** Lists and blocks nest at most this deep; a configuration needs two levels. */
  static final int MAX_DEPTH = 64;

  /** Characters of a key or value quoted back in a message. */
  private static final int SHOWN = 256;

  /** What was written as a value. */
  sealed interface Shape permits Scalar, Items, Elements {}

  /** A string or heredoc, a number, or a boolean token. */
  enum Scalar implements Shape {
    STRING,
    NUMBER,
    BOOLEAN
  }

  /** An object or block: its items in source order, duplicates kept. */
  record Items(List<Item> items) implements Shape {}

  /** A list: the shape of each element. */
  record Elements(List<Shape> shapes) implements Shape {}

  /**
   * One item as written.
   *
   * @param line the line of the key
   * @param block whether it was written {@code key { … }} rather than {@code key = …}
   * @param start the offset of the key; {@code [start, end)} is the item without a trailing comma
   */
  record Item(String key, int line, boolean block, int start, int end, Shape shape) {}

  /**
   * A construct hcl4j reads differently from HCL v1, at {@code line}.
   *
   * @param what the message naming it, e.g. {@code hex numbers are not supported here}
   * @param fatal whether hcl4j must not even see it (interpolation, which hcl4j evaluates)
   */
  record Quirk(int line, String what, boolean fatal) {}

  /**
   * A checked file.
   *
   * @param quirks in line order
   * @param json whether an item's span needs enclosing braces to be read on its own
   */
  record Outline(List<Item> items, List<Quirk> quirks, boolean json) {}

  private final String text;
  private final List<Token> tokens;
  private final List<Quirk> quirks;
  private int next;
  private int depth;
  private boolean labelled; // whether the last item() read was a labelled block

  private HclChecker(String text, List<Token> tokens, List<Quirk> quirks) {
    this.text = text;
    this.tokens = tokens;
    this.quirks = quirks;
  }

  /**
   * Checks the syntax of configuration text and outlines its items.
   *
   * @throws ConfigException {@code unable to decode configuration: line N: …} on a syntax error
   */
  static Outline check(String text) {
    HclLexer lexer = new HclLexer(text);
    HclChecker c = new HclChecker(text, lexer.lex(), lexer.quirks);
    Items root = lexer.json ? c.jsonDocument() : c.objectList(null, null);
    List<Quirk> sorted = new ArrayList<>(c.quirks);
    sorted.sort((a, b) -> Integer.compare(a.line(), b.line())); // stable: source order per line
    return new Outline(root.items(), List.copyOf(sorted), lexer.json);
  }

  static ConfigException error(int line, String what) {
    return new ConfigException(DECODE_PREFIX + "line " + line + ": " + what);
  }

  // ---------------------------------------------------------------------------------------------
  // HCL

  /** Items up to the closing brace of {@code open}, or to the end of file when it is null. */
  private Items objectList(Token open, String blockKey) {
    if (open != null) {
      enter(open);
    }
    List<Item> items = new ArrayList<>();
    Set<String> scalarKeys = new HashSet<>(); // keys given a value that is not an object
    Map<String, Boolean> seen = new HashMap<>(); // key -> whether one of its items is labelled
    int previousEnd = -1; // the last line of an item that hcl4j wants a comma or newline after
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.EOF && open != null) {
        throw error(
            open.line(), "block for key " + quote(blockKey) + " is not closed: missing \"}\"");
      }
      if (t.kind() == Kind.RBRACE && open == null) {
        throw error(t.line(), "unexpected \"}\": no block is open");
      }
      if (t.kind() == Kind.EOF || t.kind() == Kind.RBRACE) {
        advance();
        depth -= open == null ? 0 : 1;
        return new Items(items);
      }
      if (t.line() == previousEnd) {
        quirk(t.line(), "items on one line must be separated by commas here");
      }
      Item item = item();
      if (!(item.shape() instanceof Items)) {
        scalarKeys.add(item.key());
      } else if (item.block() && scalarKeys.contains(item.key())) {
        quirk(item.line(), "key " + quote(item.key()) + " is both a value and a block here");
      }
      // hcl4j merges the labelled blocks of a key by label; HCL v1 keeps each occurrence.
      Boolean before = seen.put(item.key(), labelled || seen.getOrDefault(item.key(), false));
      if (before != null && (before || labelled)) {
        quirk(item.line(), LABELLED);
      }
      items.add(item);
      previousEnd = item.block() ? -1 : endLine(lastConsumed(0));
      if (peek().kind() == Kind.COMMA) {
        Token comma = advance(); // HCL v1 allows a comma after an item
        if (open != null && comma.line() != endLine(lastConsumed(1))) {
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
    List<Token> keys = new ArrayList<>(List.of(first));
    while (peek().kind() == Kind.IDENT || peek().kind() == Kind.STRING) {
      keys.add(advance());
    }
    List<String> names = keys.stream().map(this::key).toList();
    String key = names.get(0);
    if (key.isEmpty()) {
      quirk(first.line(), "empty keys are not supported here");
    }
    Token t = peek();
    if (t.kind() == Kind.LBRACE) {
      // key "label" … { … } is a block nested once per label, as HCL v1 decodes it.
      advance();
      for (int i = 1; i < keys.size(); i++) {
        // hcl4j reads labels on the key's line only, and an identifier label only set apart.
        Token label = keys.get(i);
        Token before = keys.get(i - 1);
        if (!tight(before, label) || label.kind() == Kind.IDENT && label.start() == before.end()) {
          quirk(first.line(), LABELLED);
          break;
        }
      }
      if (first.kind() == Kind.STRING) {
        quirk(first.line(), "blocks with a quoted name are not supported here");
      }
      if (t.line() != keys.get(keys.size() - 1).line()) {
        quirk(
            t.line(), "the \"{\" of block " + quote(key) + " must be on the line of the key here");
      } else if (!tight(keys.get(keys.size() - 1), t)) {
        quirk(t.line(), commentAfter(key, t));
      }
      Shape shape = objectList(t, names.get(names.size() - 1));
      int end = lastConsumed(0).end();
      for (int i = keys.size() - 1; i >= 1; i--) {
        Item label = new Item(names.get(i), keys.get(i).line(), true, first.start(), end, shape);
        shape = new Items(List.of(label));
      }
      labelled = keys.size() > 1; // set after the items inside were read
      return new Item(key, first.line(), true, first.start(), end, shape);
    }
    if (keys.size() > 1 || t.kind() != Kind.ASSIGN) {
      Token got = keys.size() > 1 ? keys.get(1) : t;
      throw error(
          first.line(),
          "expected \"=\" or \"{\" after key " + quote(key) + ", got " + describe(got));
    }
    Token assign = advance();
    if (assign.line() != first.line()) {
      quirk(first.line(), "the \"=\" must be on the line of key " + quote(key) + " here");
    } else if (!tight(first, assign)) {
      quirk(first.line(), commentAfter(key, assign));
    }
    Shape shape = value(key, first, assign, false);
    labelled = false;
    return new Item(key, first.line(), false, first.start(), lastConsumed(0).end(), shape);
  }

  /**
   * A value: an item's ({@code assign} is its "="), a list element's ({@code assign} null), or,
   * when {@code json}, a JSON one.
   */
  private Shape value(String key, Token keyToken, Token assign, boolean json) {
    Token t = peek();
    boolean inList = assign == null && !json;
    boolean sameLine = assign == null || t.line() == assign.line();
    if (!sameLine && t.kind() != Kind.EOF && t.kind() != Kind.ASSIGN && t.kind() != Kind.COLON) {
      quirk(t.line(), valueOnNextLine(key));
    }
    switch (t.kind()) {
      case HEREDOC, STRING, NUMBER:
        advance();
        if (t.kind() == Kind.HEREDOC && inList) {
          quirk(t.line(), "heredocs inside lists are not supported here");
        } else if (t.note() != null) {
          quirk(t.line(), "key " + quote(key) + ": " + t.note());
        }
        return t.kind() == Kind.NUMBER ? Scalar.NUMBER : Scalar.STRING;
      case IDENT:
        if (json ? t.text().equals("true") || t.text().equals("false") : isBoolean(t)) {
          advance();
          return Scalar.BOOLEAN;
        }
        if (json && t.text().equals("null") || !sameLine || assign != null && lookingAtItem(next)) {
          throw noValue(keyToken, key);
        }
        throw error(
            t.line(),
            "unquoted value "
                + t.text()
                + (inList ? " in the list" : "")
                + " for key "
                + quote(key)
                + hint(t));
      case LBRACK:
        return list(key, advance(), json ? keyToken : null);
      case LBRACE:
        return json ? jsonObject(advance(), key) : objectList(advance(), key);
      default:
        if (inList) {
          throw error(
              t.line(),
              "expected a value in the list for key " + quote(key) + ", got " + describe(t));
        }
        if (json && t.kind() != Kind.EOF) {
          throw error(
              t.line(), "expected a value for JSON key " + quote(key) + ", got " + describe(t));
        }
        if (!json && sameLine && (t.kind() == Kind.ASSIGN || t.kind() == Kind.COLON)) {
          throw error(t.line(), "expected a value after " + quote(key) + " =, got " + describe(t));
        }
        throw noValue(keyToken, key); // EOF, "}", "]", ","
    }
  }

  /** A list's elements; {@code jsonKey} is the key token of a JSON list, null in HCL. */
  private Elements list(String key, Token open, Token jsonKey) {
    enter(open);
    List<Shape> shapes = new ArrayList<>();
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.RBRACK && (jsonKey == null || shapes.isEmpty())) {
        advance(); // JSON allows no "]" right after a ","
        depth--;
        return new Elements(shapes);
      }
      if (t.kind() == Kind.EOF || (jsonKey == null && lookingAtItem(next))) {
        throw error(open.line(), "list for key " + quote(key) + " is not closed: missing \"]\"");
      }
      shapes.add(value(key, jsonKey, null, jsonKey != null));
      Token sep = peek();
      if (sep.kind() == Kind.COMMA) {
        advance();
      } else if (sep.kind() != Kind.RBRACK
          && sep.kind() != Kind.EOF
          && (jsonKey != null || !lookingAtItem(next))) {
        throw error(
            sep.line(),
            "expected \",\" or \"]\" in the list for key " + quote(key) + ", got " + describe(sep));
      } else if (sep.kind() == Kind.RBRACK) {
        advance();
        depth--;
        return new Elements(shapes);
      }
    }
  }

  /** {@code true} and {@code false} in any case: HCL v1 wants lower case, hcl4j and we do not. */
  private static boolean isBoolean(Token t) {
    return t.kind() == Kind.IDENT
        && (t.text().equalsIgnoreCase("true") || t.text().equalsIgnoreCase("false"));
  }

  /** Whether tokens from {@code i} start a new {@code key =} item (a list or value left open). */
  private boolean lookingAtItem(int i) {
    Token t = tokens.get(i);
    return (t.kind() == Kind.IDENT || t.kind() == Kind.STRING)
        && tokens.get(i + 1).kind() == Kind.ASSIGN
        && !isBoolean(t);
  }

  // ---------------------------------------------------------------------------------------------
  // JSON (HCL v1 reads a file starting with "{" as JSON)

  private Items jsonDocument() {
    Items doc = jsonObject(advance(), null);
    Token t = peek();
    if (t.kind() != Kind.EOF) {
      throw error(t.line(), "unexpected " + describe(t) + " after the JSON object");
    }
    return doc;
  }

  private Items jsonObject(Token open, String ownerKey) {
    enter(open);
    List<Item> items = new ArrayList<>();
    Token sep = peek().kind() == Kind.RBRACE ? advance() : null;
    while (sep == null || sep.kind() == Kind.COMMA) {
      Token k = advance();
      if (k.kind() == Kind.EOF) {
        throw jsonUnclosed(open, ownerKey);
      }
      if (k.kind() != Kind.STRING) {
        throw error(k.line(), "expected a quoted JSON key, got " + describe(k));
      }
      String key = key(k);
      Token colon = advance();
      if (colon.kind() != Kind.COLON) {
        throw error(
            colon.line(),
            "expected \":\" after JSON key " + quote(key) + ", got " + describe(colon));
      }
      if (key.isEmpty()) {
        quirk(k.line(), "empty keys are not supported here");
      }
      if (colon.line() != k.line()) {
        quirk(k.line(), "the \":\" must be on the line of key " + quote(key) + " here");
      } else if (!tight(k, colon)) {
        quirk(k.line(), commentAfter(key, colon));
      } else if (peek().line() != colon.line()) {
        quirk(peek().line(), valueOnNextLine(key));
      }
      Shape shape = value(key, k, null, true);
      items.add(new Item(key, k.line(), false, k.start(), lastConsumed(0).end(), shape));
      sep = advance();
      if (sep.kind() == Kind.EOF) {
        throw jsonUnclosed(open, ownerKey);
      }
      if (sep.kind() != Kind.COMMA && sep.kind() != Kind.RBRACE) {
        throw error(sep.line(), "expected \",\" or \"}\" in JSON object, got " + describe(sep));
      }
    }
    depth--;
    return new Items(items);
  }

  private static ConfigException jsonUnclosed(Token open, String ownerKey) {
    return error(
        open.line(),
        (ownerKey == null ? "JSON object" : "object for key " + quote(ownerKey))
            + " is not closed: missing \"}\"");
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens and messages

  private static final String LABELLED =
      "labelled blocks (key \"label\" { … }) are not supported here";

  /** A key as written: an identifier, or a quoted string without escapes (keys are not read). */
  private String key(Token t) {
    if (t.kind() == Kind.IDENT) {
      return t.text();
    }
    String key = t.text().substring(1, t.text().length() - 1);
    if (key.indexOf('\\') >= 0) {
      quirk(t.line(), "escapes in quoted keys are not supported here");
    } else if (t.note() != null) {
      quirk(t.line(), t.note());
    }
    return key;
  }

  private Token peek() {
    return tokens.get(next);
  }

  private Token advance() {
    Token t = tokens.get(next);
    next += t.kind() == Kind.EOF ? 0 : 1;
    return t;
  }

  /** Whether only spaces and tabs, no newline or comment, separate two tokens. */
  private boolean tight(Token before, Token t) {
    String gap = text.substring(before.end(), t.start());
    return gap.isBlank() && gap.indexOf('\n') < 0;
  }

  /** The line a token ends on (a heredoc's is its end marker's). */
  private static int endLine(Token t) {
    return t.line() + (int) t.text().chars().filter(c -> c == '\n').count();
  }

  /** The token {@code before} tokens before the last one read. */
  private Token lastConsumed(int before) {
    return tokens.get(Math.max(0, next - 1 - before));
  }

  private void enter(Token open) {
    if (++depth > MAX_DEPTH) {
      throw error(open.line(), "nesting is deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void quirk(int line, String what) {
    quirks.add(new Quirk(line, what, false));
  }

  /** Quoted as Go quotes; past {@link #SHOWN} characters cut with "…" (a key may be 1 MiB). */
  private static String quote(String s) {
    return GoQuote.quoteCut(s, SHOWN);
  }

  private static String describe(Token t) {
    return switch (t.kind()) {
      case IDENT -> "identifier " + t.text();
      // As written (escapes too), unless it holds characters that must be quoted to be seen.
      case STRING ->
          "string "
              + (t.text().length() <= SHOWN && t.text().codePoints().allMatch(GoQuote::isPrint)
                  ? t.text()
                  : quote(t.text().substring(1, t.text().length() - 1)));
      case HEREDOC -> "heredoc";
      case NUMBER -> "number " + t.text();
      case EOF -> "end of file";
      default -> quote(t.text());
    };
  }

  private static String commentAfter(String key, Token t) {
    return "comments between key "
        + quote(key)
        + " and its "
        + quote(t.text())
        + " are not supported here";
  }

  private static String valueOnNextLine(String key) {
    return "the value of key " + quote(key) + " must start on the line of the key here";
  }

  private static ConfigException noValue(Token keyToken, String key) {
    return error(keyToken.line(), "key " + quote(key) + " has no value");
  }

  private static String hint(Token t) {
    String lower = t.text().toLowerCase(Locale.ROOT);
    return lower.equals("true") || lower.equals("false")
        ? "; booleans are written true or false"
        : "; strings must be in double quotes";
  }
}
