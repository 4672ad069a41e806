package org.spireregistrar.config;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.HCLParserException;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.VariableTree;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spireregistrar.config.HclChecker.Elements;
import org.spireregistrar.config.HclChecker.Item;
import org.spireregistrar.config.HclChecker.Items;
import org.spireregistrar.config.HclChecker.Outline;
import org.spireregistrar.config.HclChecker.Quirk;
import org.spireregistrar.config.HclChecker.Scalar;
import org.spireregistrar.config.HclChecker.Shape;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigException;

/**
 * Decodes configuration text: {@link HclChecker} checks the syntax, hcl4j produces every value.
 *
 * <ol>
 *   <li>{@link HclChecker} checks the text: anything HCL v1 rejects fails here, before hcl4j runs
 *       (hcl4j accepts much malformed text silently). It outlines the items (keys, lines, spans,
 *       what was written) and notes each construct hcl4j reads differently from HCL v1.
 *   <li>Strings with {@code ${…}} are refused before hcl4j runs: hcl4j evaluates them as HCL2
 *       templates (changing the value, printing to stdout, or recursing without end).
 *   <li>hcl4j decodes the text. Its errors become {@code unable to decode configuration: line N:
 *       …}, naming the construct when the checker noted one on that line. A construct hcl4j reads
 *       differently fails even when hcl4j raises no error, e.g. {@code line 4: hex numbers are not
 *       supported here; write 0x10 as 16}: its value would be hcl4j's misreading.
 *   <li>hcl4j's values are arranged as the outline says: maps become nested documents carrying the
 *       checker's lines; numbers (always doubles in hcl4j) become {@link Long} when integral;
 *       {@code TRUE}/{@code FALSE} in any case, which hcl4j reads as a variable of that name where
 *       the checker saw a boolean, become the booleans they spell. A value of another kind than the
 *       file has (or a key hcl4j adds or drops) fails, naming the key: a safety net for a
 *       misreading no quirk names. Nothing is read twice: the checker reads no value.
 * </ol>
 *
 * <p><b>Repeated keys.</b> HCL v1 keeps every occurrence (the last scalar wins, lists are appended,
 * blocks merged: {@link org.spireregistrar.core.config.ConfigParser} combines them). hcl4j keeps
 * only the last assignment of a key. So each occurrence of a repeated key is decoded on its own:
 * hcl4j reads the source span of that item alone, and the document keeps every occurrence with its
 * line, in source order.
 *
 * <p>hcl4j logs its parse errors with a stack trace through the SLF4J logger {@code
 * com.bertramlabs.plugins.hcl4j}; {@code simplelogger.properties} turns that logger off. Its {@code
 * System.out} prints happen only while evaluating {@code ${…}} templates, which never reach it, so
 * the standard streams are left alone.
 */
final class Hcl4jDecoder {

  private static final Pattern LINE = Pattern.compile("line: (\\d+)");

  /** Integral doubles up to 2^53 are exact integers. */
  private static final double MAX_EXACT = 0x1p53;

  private final String text;
  private final boolean json;
  private final String source;

  private Hcl4jDecoder(String text, boolean json, String source) {
    this.text = text;
    this.json = json;
    this.source = source;
  }

  /**
   * Decodes configuration text into a document, without validating keys or values.
   *
   * @throws ConfigException {@code unable to decode configuration: line N: …}
   */
  static ConfigDocument decode(String text, String source) {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text; // a byte-order mark
    Outline outline = HclChecker.check(body);
    List<Quirk> quirks = outline.quirks();
    for (Quirk q : quirks) {
      if (q.fatal()) {
        throw HclChecker.error(q.line(), q.what());
      }
    }
    Map<?, ?> decoded = hcl4j(body, e -> decodeError(e, quirks));
    if (!quirks.isEmpty()) {
      // hcl4j read without an error, but what it read there is not what HCL v1 reads.
      throw HclChecker.error(quirks.get(0).line(), quirks.get(0).what());
    }
    return new Hcl4jDecoder(body, outline.json(), source).object(outline.items(), decoded, null);
  }

  /**
   * hcl4j's reading of {@code text}; CRLF line ends become LF (HCL v1 drops a heredoc line's CR).
   *
   * @param failed words what hcl4j threw
   */
  private static Map<?, ?> hcl4j(String text, Function<Throwable, ConfigException> failed) {
    try {
      return new HCLParser().parse(text.replace("\r\n", "\n"));
    } catch (HCLParserException | IOException | RuntimeException | StackOverflowError e) {
      // StackOverflowError: hcl4j recurses without end on some malformed text, e.g. a
      // "c = { … } c { … }" on one line; the stack is unwound here, nothing is left half-done.
      throw failed.apply(e);
    }
  }

  /**
   * An hcl4j failure as a decode error: {@code line N: <hcl4j's message>}, or, when the checker
   * noted a construct hcl4j reads differently on that line, {@code line N: <construct> (hcl4j:
   * <message>)}.
   */
  static ConfigException decodeError(Throwable failure, List<Quirk> quirks) {
    String message = message(failure);
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
      return HclChecker.error(named.line(), named.what() + " (hcl4j: " + message + ")");
    }
    if (line != null) {
      return HclChecker.error(line, message);
    }
    return new ConfigException(HclChecker.DECODE_PREFIX + "hcl4j: " + message);
  }

  /** hcl4j's message, on one line. */
  private static String message(Throwable failure) {
    // hcl4j wraps its HCLParserException in a RuntimeException.
    Throwable e = failure.getCause() instanceof HCLParserException p ? p : failure;
    String message =
        e.getMessage() == null
            ? e.getClass().getSimpleName()
            : e instanceof HCLParserException
                ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    return message.replace("\r", "\\r").replace("\n", "\\n").strip();
  }

  // ---------------------------------------------------------------------------------------------
  // hcl4j's values, arranged as the outline says

  /**
   * The document of {@code items} with hcl4j's values.
   *
   * @param decoded hcl4j's map for the object holding the items
   * @param owner the item holding the object, null for the file
   */
  private ConfigDocument object(List<Item> items, Map<?, ?> decoded, Item owner) {
    Map<String, Integer> occurrences = new HashMap<>();
    items.forEach(i -> occurrences.merge(i.key(), 1, Integer::sum));
    for (Object key : decoded.keySet()) {
      if (!occurrences.containsKey(key)) {
        String what =
            "hcl4j reads a key " + GoQuote.quote(String.valueOf(key)) + " that is not in the file";
        throw owner == null
            ? new ConfigException(HclChecker.DECODE_PREFIX + what)
            : mismatch(owner, what);
      }
    }
    ConfigDocument.Builder b = ConfigDocument.builder(source);
    for (Item item : items) {
      Map<?, ?> from = occurrences.get(item.key()) == 1 ? decoded : alone(item);
      if (!from.containsKey(item.key())) {
        throw mismatch(item, "hcl4j does not read this key");
      }
      b.add(item.key(), value(item.shape(), from.get(item.key()), item), item.line());
    }
    return b.build();
  }

  /** hcl4j's reading of {@code item} on its own: one occurrence of a repeated key. */
  private Map<?, ?> alone(Item item) {
    String span = text.substring(item.start(), item.end());
    return hcl4j(
        json ? "{" + span + "}" : span,
        e -> mismatch(item, "hcl4j fails on this occurrence alone: " + message(e)));
  }

  /** hcl4j's value {@code v} for a value written as {@code shape}, converted. */
  private Object value(Shape shape, Object v, Item at) {
    if (shape instanceof Items o && v instanceof Map<?, ?> m) {
      return object(o.items(), m, at);
    }
    if (shape instanceof Elements l
        && v instanceof List<?> list
        && list.size() == l.shapes().size()) {
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(value(l.shapes().get(i), list.get(i), at));
      }
      return out;
    }
    if (shape == Scalar.STRING && v instanceof String) {
      return v;
    }
    if (shape == Scalar.NUMBER && v instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) <= MAX_EXACT ? (Object) d.longValue() : d;
    }
    if (shape == Scalar.BOOLEAN && v instanceof Boolean) {
      return v;
    }
    if (shape == Scalar.BOOLEAN
        && v instanceof VariableTree t
        && (t.getName().equalsIgnoreCase("true") || t.getName().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(t.getName()); // TRUE, False: hcl4j reads a variable so named
    }
    throw mismatch(at, "hcl4j reads " + describe(v) + " where the file has " + describe(shape));
  }

  private static ConfigException mismatch(Item at, String what) {
    return HclChecker.error(at.line(), "key " + GoQuote.quote(at.key()) + ": " + what);
  }

  private static String describe(Shape shape) {
    if (shape instanceof Scalar s) {
      return s == Scalar.NUMBER ? "a number" : s == Scalar.BOOLEAN ? "a boolean" : "a string";
    }
    return shape instanceof Elements l ? "a list of " + l.shapes().size() : "a block";
  }

  /** hcl4j's values for messages: {@code string "x"}, {@code number 16}, … */
  private static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    if (v instanceof String s) {
      return "string " + GoQuote.quote(s);
    }
    if (v instanceof Boolean || v instanceof Number) {
      return (v instanceof Boolean ? "boolean " : "number ") + v;
    }
    if (v instanceof VariableTree t) {
      return "identifier " + t.getName();
    }
    if (v instanceof List<?> l) {
      return "a list of " + l.size();
    }
    return v instanceof Map<?, ?> ? "a block" : v.getClass().getSimpleName();
  }
}
