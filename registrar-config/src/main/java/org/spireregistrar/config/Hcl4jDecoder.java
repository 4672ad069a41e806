package org.spireregistrar.config;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.HCLParserException;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.VariableTree;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spireregistrar.config.HclParser.Item;
import org.spireregistrar.config.HclParser.Lint;
import org.spireregistrar.config.HclParser.Obj;
import org.spireregistrar.config.HclParser.Quirk;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigException;

/**
 * Decodes configuration text with hcl4j, guarded by {@link HclParser}.
 *
 * <ol>
 *   <li>{@link HclParser} lints the text: anything HCL v1 rejects fails here, before hcl4j runs
 *       (hcl4j accepts much malformed text silently). It also reads every key's line.
 *   <li>Strings with {@code ${…}} are refused before hcl4j runs: hcl4j evaluates them as HCL2
 *       templates (changing the value, printing to stdout, or recursing without end).
 *   <li>hcl4j decodes the text. Its errors become {@code unable to decode configuration: line N:
 *       …}, naming the construct when the linter noted one on that line.
 *   <li>Each value hcl4j produced is checked against the linter's reading of the same text, and
 *       converted: numbers (always doubles in hcl4j) become {@link Long} when integral; maps become
 *       nested documents carrying the linter's lines. A value hcl4j reads differently from HCL v1
 *       (a hex number, an exponent, a {@code <<-} heredoc, …) fails with the line and the construct
 *       rather than being used changed. {@code TRUE}/{@code FALSE} in any case, which hcl4j reads
 *       as an unresolved variable, are taken as the booleans they spell.
 * </ol>
 *
 * <p><b>Repeated keys.</b> HCL v1 keeps every occurrence (the last scalar wins, lists are appended,
 * blocks merged: {@link org.spireregistrar.core.config.ConfigParser} combines them). hcl4j keeps
 * only the last assignment of a key, and collects consecutive blocks of one key into a list. So the
 * occurrences hcl4j kept carry hcl4j's values, and the earlier ones, which hcl4j dropped, carry the
 * linter's reading of their text; every occurrence keeps its line and source order.
 *
 * <p>hcl4j logs its parse errors with a stack trace through the SLF4J logger {@code
 * com.bertramlabs.plugins.hcl4j}; {@code simplelogger.properties} turns that logger off. Its {@code
 * System.out} prints happen only while evaluating {@code ${…}} templates, which never reach it, so
 * the standard streams are left alone.
 */
final class Hcl4jDecoder {

  private static final Pattern LINE = Pattern.compile("line: (\\d+)");

  private final List<Quirk> quirks;
  private final String source;

  private Hcl4jDecoder(List<Quirk> quirks, String source) {
    this.quirks = quirks;
    this.source = source;
  }

  /**
   * Decodes configuration text into a document, without validating keys or values.
   *
   * @throws ConfigException {@code unable to decode configuration: line N: …}
   */
  static ConfigDocument decode(String text, String source) {
    Lint lint = HclParser.lint(text);
    for (Quirk q : lint.quirks()) {
      if (q.fatal()) {
        throw HclParser.error(q.line(), q.what());
      }
    }
    Map<String, Object> decoded = hcl4j(text, lint.quirks());
    return new Hcl4jDecoder(lint.quirks(), source).object(lint.root(), decoded, null, null);
  }

  /** hcl4j's reading of the text; CRLF line ends become LF (HCL v1 drops a heredoc line's CR). */
  private static Map<String, Object> hcl4j(String text, List<Quirk> quirks) {
    try {
      return new HCLParser().parse(text.replace("\r\n", "\n"));
    } catch (HCLParserException | IOException | RuntimeException e) {
      throw decodeError(e, quirks);
    }
  }

  /**
   * An hcl4j failure as a decode error: {@code line N: <hcl4j's message>}, or, when the linter
   * noted a construct hcl4j reads differently on that line, {@code line N: <construct> (hcl4j:
   * <message>)}.
   */
  static ConfigException decodeError(Exception failure, List<Quirk> quirks) {
    // hcl4j wraps its HCLParserException in a RuntimeException.
    Exception e = failure.getCause() instanceof HCLParserException p ? p : failure;
    String message =
        e instanceof HCLParserException || e.getMessage() == null
            ? String.valueOf(e.getMessage())
            : e.getClass().getSimpleName() + ": " + e.getMessage();
    message = message.replace("\r", "\\r").replace("\n", "\\n").strip();
    Matcher m = LINE.matcher(message);
    Integer line = m.find() ? Integer.valueOf(m.group(1)) : null;
    // The construct on hcl4j's line, else on the line before (a key whose "=" or ":" is on the
    // next line fails there), else, when hcl4j names no line, the first one.
    Quirk named = null;
    for (Quirk q : quirks) {
      if (line == null || q.line() == line) {
        named = q;
        break;
      }
      if (q.line() == line - 1 && named == null) {
        named = q;
      }
    }
    if (named != null) {
      return HclParser.error(named.line(), named.what() + " (hcl4j: " + message + ")");
    }
    if (line != null) {
      return HclParser.error(line, message);
    }
    return new ConfigException(HclParser.DECODE_PREFIX + "hcl4j: " + message);
  }

  // ---------------------------------------------------------------------------------------------
  // Checking hcl4j's values against the linter's reading

  /**
   * The document of {@code obj}'s items with hcl4j's values.
   *
   * @param owner the item holding this object, null for the file
   * @param top the top-level item holding it, null for the file
   */
  private ConfigDocument object(Obj obj, Map<?, ?> decoded, Item owner, Item top) {
    List<Item> items = obj.items();
    Map<String, List<Integer>> byKey = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      byKey.computeIfAbsent(items.get(i).key(), k -> new ArrayList<>()).add(i);
    }
    Object[] values = new Object[items.size()];
    for (Map.Entry<String, List<Integer>> e : byKey.entrySet()) {
      List<Integer> at = e.getValue();
      int last = at.size() - 1;
      // hcl4j's value for a key: its last assignment, or the list of the blocks that follow it.
      int first = last;
      while (first > 0
          && items.get(at.get(first)).block()
          && items.get(at.get(first - 1)).value() instanceof Obj) {
        first--;
      }
      for (int i = 0; i < first; i++) {
        // Dropped by hcl4j, kept by HCL v1: the linter's reading of this occurrence.
        Item dropped = items.get(at.get(i));
        values[at.get(i)] = HclParser.documentValue(dropped.value(), source);
      }
      Item lastItem = items.get(at.get(last));
      if (!decoded.containsKey(e.getKey())) {
        throw mismatch(lastItem, topOf(lastItem, top), "hcl4j does not read this key");
      }
      Object theirs = decoded.get(e.getKey());
      if (first == last) {
        values[at.get(last)] = value(lastItem.value(), theirs, lastItem, topOf(lastItem, top));
        continue;
      }
      int blocks = last - first + 1;
      if (!(theirs instanceof List<?> list) || list.size() != blocks) {
        throw mismatch(
            lastItem,
            topOf(lastItem, top),
            "hcl4j reads its " + blocks + " blocks as " + describe(theirs));
      }
      for (int i = first; i <= last; i++) {
        Item item = items.get(at.get(i));
        values[at.get(i)] = value(item.value(), list.get(i - first), item, topOf(item, top));
      }
    }
    for (Object key : decoded.keySet()) {
      if (!byKey.containsKey(key)) {
        String what =
            "hcl4j reads a key "
                + HclParser.quote(String.valueOf(key))
                + " that is not in the file";
        if (owner == null) {
          throw quirkOr(null, null, HclParser.DECODE_PREFIX + what);
        }
        throw mismatch(owner, top, what);
      }
    }
    ConfigDocument.Builder b = ConfigDocument.builder(source);
    for (int i = 0; i < items.size(); i++) {
      b.add(items.get(i).key(), values[i], items.get(i).line());
    }
    return b.build();
  }

  /** hcl4j's value {@code theirs}, converted, when it is what the linter read ({@code mine}). */
  private Object value(Object mine, Object theirs, Item at, Item top) {
    if (mine instanceof String s && s.equals(theirs)) {
      return s;
    }
    if (mine instanceof Boolean b) {
      if (b.equals(theirs)) {
        return b;
      }
      if (theirs instanceof VariableTree v && b.toString().equalsIgnoreCase(v.getName())) {
        return b; // TRUE / FALSE: hcl4j reads an unknown variable, HCL v1 would refuse it
      }
    }
    if (mine instanceof Number n && theirs instanceof Double d && sameNumber(n, d)) {
      return integral(d) ? (Object) Long.valueOf(d.longValue()) : d;
    }
    if (mine instanceof List<?> l && theirs instanceof List<?> t && l.size() == t.size()) {
      List<Object> out = new ArrayList<>(l.size());
      for (int i = 0; i < l.size(); i++) {
        out.add(value(l.get(i), t.get(i), at, top));
      }
      return out;
    }
    if (mine instanceof Obj o && theirs instanceof Map<?, ?> m) {
      return object(o, m, at, top);
    }
    throw mismatch(
        at, top, "hcl4j reads " + describe(theirs) + " where HCL v1 reads " + describe(mine));
  }

  private static boolean sameNumber(Number mine, double theirs) {
    if (mine instanceof Long l) {
      return integral(theirs) && l == (long) theirs;
    }
    return mine.doubleValue() == theirs;
  }

  /** Integral and exact: hcl4j's doubles hold integers up to 2^53 exactly. */
  private static boolean integral(double d) {
    return d == Math.rint(d) && Math.abs(d) <= HclParser.MAX_EXACT;
  }

  private static Item topOf(Item item, Item top) {
    return top == null ? item : top;
  }

  /**
   * hcl4j read item {@code at} differently from HCL v1: names the construct noted inside it (or
   * inside its top-level item), else says what hcl4j read.
   */
  private ConfigException mismatch(Item at, Item top, String what) {
    return quirkOr(
        at,
        top,
        HclParser.DECODE_PREFIX + "line " + at.line() + ": key " + quoteKey(at) + ": " + what);
  }

  private ConfigException quirkOr(Item at, Item top, String otherwise) {
    for (Item span : new Item[] {at, top}) {
      for (Quirk q : quirks) {
        if (span == null || (q.line() >= span.line() && q.line() <= span.endLine())) {
          return HclParser.error(q.line(), q.what());
        }
      }
      if (span == null) {
        break;
      }
    }
    return new ConfigException(otherwise);
  }

  private static String quoteKey(Item item) {
    return HclParser.quote(item.key());
  }

  /** hcl4j's and the linter's values for messages: {@code string "x"}, {@code number 16}, … */
  private static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    if (v instanceof String s) {
      return "string " + HclParser.quote(s);
    }
    if (v instanceof Boolean || v instanceof Long) {
      return (v instanceof Boolean ? "boolean " : "number ") + v;
    }
    if (v instanceof Double d) {
      return "number " + (integral(d) ? String.valueOf(d.longValue()) : String.valueOf(d));
    }
    if (v instanceof VariableTree t) {
      return "identifier " + t.getName();
    }
    if (v instanceof List<?> l) {
      return "a list of " + l.size();
    }
    if (v instanceof Map<?, ?> || v instanceof Obj) {
      return "a block";
    }
    return v.getClass().getSimpleName() + " " + v;
  }
}
