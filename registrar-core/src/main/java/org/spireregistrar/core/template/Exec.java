package org.spireregistrar.core.template;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.GoStrings;
import org.spireregistrar.core.template.Node.ActionNode;
import org.spireregistrar.core.template.Node.BoolNode;
import org.spireregistrar.core.template.Node.BreakNode;
import org.spireregistrar.core.template.Node.ChainNode;
import org.spireregistrar.core.template.Node.CommandNode;
import org.spireregistrar.core.template.Node.ContinueNode;
import org.spireregistrar.core.template.Node.DotNode;
import org.spireregistrar.core.template.Node.FieldNode;
import org.spireregistrar.core.template.Node.IdentifierNode;
import org.spireregistrar.core.template.Node.IfNode;
import org.spireregistrar.core.template.Node.ListNode;
import org.spireregistrar.core.template.Node.NilNode;
import org.spireregistrar.core.template.Node.NumberNode;
import org.spireregistrar.core.template.Node.PipeNode;
import org.spireregistrar.core.template.Node.RangeNode;
import org.spireregistrar.core.template.Node.StringNode;
import org.spireregistrar.core.template.Node.TextNode;
import org.spireregistrar.core.template.Node.VariableNode;
import org.spireregistrar.core.template.Node.WithNode;

/**
 * Executes a parse tree against data by walking it (Go's {@code text/template/exec.go}, with {@code
 * missingkey=error}). One instance per execution; not thread-safe, the tree is shared.
 *
 * <p>Execution is bounded, so that a hostile template in a configuration file cannot hang or
 * exhaust the validator: at most {@link #MAX_STEPS} evaluation steps (a node walked, a command or
 * argument evaluated, a range iteration; a call also pays one step per 64 characters of its string
 * arguments, a range over a map one per key) and at most {@link #MAX_OUTPUT} characters written to
 * the output or built by functions ({@code print}, {@code printf}, {@code println}, {@code html},
 * {@code js}, {@code urlquery}, {@code slice}). Recursion is bounded by the parser's nesting limit;
 * variable look-ups are O(1) ({@link Scope}).
 */
final class Exec {

  /** The Go type name of the data root. Upstream's {@code controllers.IdentityMaps}. */
  static final String ROOT_TYPE = "IdentityMaps";

  /** Evaluation steps one execution may take. */
  static final int MAX_STEPS = 1_000_000;

  /** Characters one execution may write to its output or build in function results. */
  static final int MAX_OUTPUT = 1 << 20;

  /** String characters (or slice elements) a function may scan for the cost of one step. */
  private static final int CHARS_PER_STEP = 64;

  /** Go orders strings by their UTF-8 bytes, which is code-point order (not UTF-16 order). */
  static final Comparator<String> GO_STRING_ORDER = GoStrings::compare;

  /** "No value piped in" (distinct from a piped-in nil). */
  private static final Object MISSING = new Object();

  /** How a walk ended: normally, or at a {@code {{break}}} / {@code {{continue}}}. */
  private enum Flow {
    NEXT,
    BREAK,
    CONTINUE
  }

  private final String name;
  private final String text;
  private final StringBuilder out;

  /** Go's push-down variable stack; {@code $} is at the bottom. */
  private final Scope<Object> vars = new Scope<>();

  /** The node being evaluated: what Go's {@code state.at} records, for errors without their own. */
  private Node current;

  private long steps;

  /** Characters built by function calls so far; with out.length(), bounded by MAX_OUTPUT. */
  private long built;

  private Exec(String name, String text, int sizeHint) {
    this.name = name;
    this.text = text;
    this.out = new StringBuilder(sizeHint);
  }

  static String execute(String name, String text, ListNode tree, Map<String, ?> data) {
    Exec exec = new Exec(name, text, Math.max(16, text.length()));
    GoStruct root = new GoStruct(ROOT_TYPE, data);
    exec.vars.push("$", root);
    exec.walk(root, tree);
    return exec.out.toString();
  }

  // ---- errors ----

  private TemplateException error(Node node, String message) {
    int pos = Math.min(node.pos(), text.length());
    int lastNewline = text.lastIndexOf('\n', pos - 1);
    int col = lastNewline < 0 ? pos : pos - (lastNewline + 1);
    int line = 1;
    for (int k = 0; k < pos; k++) {
      if (text.charAt(k) == '\n') {
        line++;
      }
    }
    String context = node.toString();
    if (context.codePointCount(0, context.length()) > 20) {
      context = context.substring(0, context.offsetByCodePoints(0, 20)) + "...";
    }
    return new TemplateException(
        "template: "
            + name
            + ":"
            + line
            + ":"
            + col
            + ": executing "
            + GoQuote.quote(name)
            + " at <"
            + context
            + ">: "
            + message);
  }

  /** A builtin's own failure; reported as {@code error calling NAME: message}. */
  private static final class CallError extends Exception {
    private static final long serialVersionUID = 1L;

    CallError(String message) {
      super(message, null, false, false);
    }
  }

  // ---- limits ----

  private void step(Node at) {
    steps(at, 1);
  }

  private void steps(Node at, long n) {
    steps += n;
    if (steps > MAX_STEPS) {
      throw error(at, "exceeded maximum execution steps (" + MAX_STEPS + ")");
    }
  }

  /**
   * Charges a call for the data it scans, one step per {@link #CHARS_PER_STEP} string characters or
   * slice elements, so that a loop over {@code len}, {@code index} or {@code eq} of a large value
   * is bounded by the step limit too.
   */
  private void chargeArguments(Node at, List<Object> args) {
    long size = 0;
    for (Object arg : args) {
      if (arg instanceof String s) {
        size += s.length();
      } else if (arg instanceof List<?> l) {
        size += l.size();
      }
    }
    steps(at, size / CHARS_PER_STEP);
  }

  private TemplateException outputTooLarge(Node at) {
    return error(
        at,
        "exceeded maximum output size ("
            + MAX_OUTPUT
            + " characters written or built by functions)");
  }

  /** Characters that may still be written or built. */
  private int remaining() {
    return (int) Math.max(0, MAX_OUTPUT - out.length() - built);
  }

  private void checkOutput(Node at) {
    if (out.length() + built > MAX_OUTPUT) {
      throw outputTooLarge(at);
    }
  }

  /** Counts a string a function built against the output limit. */
  private String built(Node at, String s) {
    built += s.length();
    checkOutput(at);
    return s;
  }

  // ---- variables ----

  private Object varValue(Node at, String variable) {
    if (!vars.contains(variable)) {
      // Only reachable through a declaration that short-circuiting skipped: (and false ($x := 1)).
      throw error(at, "undefined variable: " + variable);
    }
    return vars.get(variable);
  }

  private void setVar(Node at, String variable, Object value) {
    if (!vars.set(variable, value)) {
      throw error(at, "undefined variable: " + variable);
    }
  }

  // ---- walking ----

  private Flow walk(Object dot, Node node) {
    step(node);
    current = node;
    if (node instanceof TextNode t) {
      out.append(t.text());
      checkOutput(node);
      return Flow.NEXT;
    } else if (node instanceof ActionNode a) {
      // Variables the action declares are not popped: they persist until the enclosing {{end}}.
      Object value = evalPipeline(dot, a.pipe());
      if (a.pipe().decl().isEmpty()) {
        current = a;
        GoFmt.printValue(out, value);
        checkOutput(a);
      }
      return Flow.NEXT;
    } else if (node instanceof ListNode l) {
      for (Node child : l.nodes()) {
        Flow flow = walk(dot, child);
        if (flow != Flow.NEXT) {
          return flow;
        }
      }
      return Flow.NEXT;
    } else if (node instanceof IfNode n) {
      return walkIfOrWith(false, dot, n.pipe(), n.list(), n.elseList());
    } else if (node instanceof WithNode n) {
      return walkIfOrWith(true, dot, n.pipe(), n.list(), n.elseList());
    } else if (node instanceof RangeNode r) {
      return walkRange(dot, r);
    } else if (node instanceof BreakNode) {
      return Flow.BREAK;
    } else if (node instanceof ContinueNode) {
      return Flow.CONTINUE;
    }
    throw error(node, "unknown node: " + node);
  }

  /** {@code if} and {@code with} are alike, except that {@code with} sets dot in its list. */
  private Flow walkIfOrWith(
      boolean with, Object dot, PipeNode pipe, ListNode list, ListNode elseList) {
    int mark = vars.mark();
    Object value = evalPipeline(dot, pipe);
    Flow flow = Flow.NEXT;
    if (truth(value)) {
      flow = walk(with ? value : dot, list);
    } else if (elseList != null) {
      flow = walk(dot, elseList);
    }
    vars.pop(mark);
    return flow;
  }

  private Flow walkRange(Object dot, RangeNode r) {
    current = r;
    int mark = vars.mark();
    Object value = evalPipeline(dot, r.pipe());
    // The pipeline's variables stay below this mark for the whole loop; the body's are popped.
    int bodyMark = vars.mark();
    boolean iterated = false;
    if (value instanceof List<?> list) {
      iterated = !list.isEmpty();
      for (int i = 0; i < list.size(); i++) {
        if (oneIteration(r, bodyMark, (long) i, normalize(list.get(i))) == Flow.BREAK) {
          break;
        }
      }
    } else if (value instanceof Map<?, ?> map) {
      iterated = !map.isEmpty();
      steps(r, map.size()); // sorting the keys, even when a break ends the loop early
      for (Object key : sortedKeys(map)) {
        if (oneIteration(r, bodyMark, normalize(key), normalize(map.get(key))) == Flow.BREAK) {
          break;
        }
      }
    } else if (value instanceof Long n) {
      // Go 1.24: range over an integer n yields 0 … n-1, as element (and dot).
      if (r.pipe().decl().size() > 1) {
        throw error(current, "can't use " + n + " to iterate over more than one variable");
      }
      iterated = n > 0;
      for (long i = 0; i < n; i++) {
        if (oneIteration(r, bodyMark, null, i) == Flow.BREAK) {
          break;
        }
      }
    } else if (value != null) {
      // nil ranges like an empty map.
      throw error(current, "range can't iterate over " + GoFmt.sprint(List.of(value)));
    }
    Flow flow = Flow.NEXT;
    if (!iterated && r.elseList() != null) {
      flow = walk(dot, r.elseList());
      // As in Go, whose range recovers a break raised anywhere inside it, the else list included.
      if (flow == Flow.BREAK) {
        flow = Flow.NEXT;
      }
    }
    vars.pop(mark);
    return flow;
  }

  private Flow oneIteration(RangeNode r, int bodyMark, Object index, Object element) {
    step(r);
    List<VariableNode> decl = r.pipe().decl();
    boolean assign = r.pipe().isAssign();
    if (!decl.isEmpty()) {
      if (assign) {
        // With two variables the index comes first; with one, it gets the element.
        setVar(r, decl.get(0).idents().get(0), decl.size() > 1 ? index : element);
      } else {
        vars.setTop(1, element); // lexically the second of two
      }
    }
    if (decl.size() > 1) {
      if (assign) {
        setVar(r, decl.get(1).idents().get(0), element);
      } else {
        vars.setTop(2, index);
      }
    }
    Flow flow = walk(element, r.list());
    vars.pop(bodyMark);
    return flow == Flow.BREAK ? Flow.BREAK : Flow.NEXT;
  }

  /** Map keys in Go's order (fmtsort): strings by their bytes. */
  private static List<Object> sortedKeys(Map<?, ?> map) {
    List<Object> keys = new ArrayList<>(map.keySet());
    keys.sort(Comparator.comparing(String::valueOf, GO_STRING_ORDER));
    return keys;
  }

  private Object evalPipeline(Object dot, PipeNode pipe) {
    current = pipe;
    Object value = MISSING;
    for (CommandNode cmd : pipe.cmds()) {
      value = evalCommand(dot, cmd, value);
    }
    Object result = value == MISSING ? null : value;
    for (VariableNode variable : pipe.decl()) {
      String variableName = variable.idents().get(0);
      if (pipe.isAssign()) {
        setVar(variable, variableName, result);
      } else {
        vars.push(variableName, result);
      }
    }
    return result;
  }

  /** The parser has already rejected arguments to non-functions, so only calls use final. */
  private Object evalCommand(Object dot, CommandNode cmd, Object fin) {
    step(cmd);
    Node first = cmd.args().get(0);
    if (first instanceof IdentifierNode id) {
      current = id;
      return evalCall(dot, cmd, id.function(), cmd.args().subList(1, cmd.args().size()), fin);
    }
    return evalArg(dot, first);
  }

  private Object evalArg(Object dot, Node n) {
    step(n);
    current = n;
    if (n instanceof FieldNode f) {
      return evalFields(dot, f, f.idents(), 0);
    } else if (n instanceof VariableNode v) {
      return evalFields(varValue(v, v.idents().get(0)), v, v.idents(), 1);
    } else if (n instanceof ChainNode c) {
      return evalFields(evalArg(dot, c.node()), c, c.fields(), 0);
    } else if (n instanceof PipeNode p) {
      return evalPipeline(dot, p);
    } else if (n instanceof IdentifierNode id) {
      return evalCall(dot, n, id.function(), List.of(), MISSING);
    } else if (n instanceof StringNode s) {
      return s.text();
    } else if (n instanceof NumberNode num) {
      return num.value();
    } else if (n instanceof BoolNode b) {
      return b.value();
    } else if (n instanceof DotNode) {
      return dot;
    } else if (n instanceof NilNode) {
      return null;
    }
    throw error(n, "can't evaluate " + n);
  }

  private Object evalFields(Object receiver, Node node, List<String> idents, int from) {
    Object value = receiver;
    for (int k = from; k < idents.size(); k++) {
      value = evalField(value, idents.get(k), node);
    }
    return value;
  }

  private Object evalField(Object receiver, String field, Node node) {
    if (receiver instanceof GoStruct s) {
      if (!s.has(field)) {
        throw error(node, "can't evaluate field " + field + " in type " + s.type());
      }
      return s.get(field);
    }
    if (receiver instanceof Map<?, ?> m) {
      if (!m.containsKey(field)) {
        throw error(node, "map has no entry for key " + GoQuote.quote(field));
      }
      return normalize(m.get(field));
    }
    if (receiver == null) {
      throw error(node, "nil data; no entry for key " + GoQuote.quote(field));
    }
    throw error(node, "can't evaluate field " + field + " in type " + GoFmt.typeName(receiver));
  }

  /**
   * Data leaves as the engine's value types: any Java integer is a Go int (Long), a {@link List} is
   * a Go slice, etc.
   */
  static Object normalize(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof Character c) {
      return String.valueOf(c);
    }
    if (v instanceof Number n && !(v instanceof Long) && !(v instanceof Double)) {
      return n.toString();
    }
    if (v instanceof Object[] array) {
      return Arrays.asList(array);
    }
    return v;
  }

  // ---- calls ----

  private Object evalCall(Object dot, Node at, Builtin fn, List<Node> argNodes, Object fin) {
    if (fn == Builtin.AND || fn == Builtin.OR) {
      // Go 1.18+: short-circuit, and the result is the deciding argument itself.
      Object v = null;
      for (Node arg : argNodes) {
        v = evalArg(dot, arg);
        if (truth(v) == (fn == Builtin.OR)) {
          return v;
        }
      }
      return fin != MISSING ? fin : v;
    }
    List<Object> args = new ArrayList<>(argNodes.size() + 1);
    for (Node arg : argNodes) {
      args.add(evalArg(dot, arg));
    }
    if (fin != MISSING) {
      args.add(fin);
    }
    chargeArguments(at, args);
    try {
      switch (fn) {
        case NOT:
          return !truth(args.get(0));
        case EQ:
          return eq(args.get(0), args.subList(1, args.size()));
        case NE:
          return !eq(args.get(0), args.subList(1, 2));
        case LT:
          return lt(args.get(0), args.get(1));
        case LE:
          return lt(args.get(0), args.get(1)) || eq(args.get(0), args.subList(1, 2));
        case GT:
          return !(lt(args.get(0), args.get(1)) || eq(args.get(0), args.subList(1, 2)));
        case GE:
          return !lt(args.get(0), args.get(1));
        case INDEX:
          return index(args.get(0), args.subList(1, args.size()));
        case SLICE:
          Object sliced = slice(args.get(0), args.subList(1, args.size()));
          return sliced instanceof String s ? built(at, s) : sliced;
        case LEN:
          return length(args.get(0));
        case PRINT:
          return built(at, GoFmt.sprint(args, remaining()));
        case PRINTF:
          String format = formatArg(at, argNodes, args.get(0));
          return built(at, GoFmt.sprintf(format, args.subList(1, args.size()), remaining()));
        case PRINTLN:
          return built(at, GoFmt.sprintln(args, remaining()));
        case HTML:
          return built(at, htmlEscape(evalArgs(args, remaining())));
        case JS:
          return built(at, jsEscape(evalArgs(args, remaining())));
        case URLQUERY:
          return built(at, queryEscape(evalArgs(args, remaining())));
        default:
          throw new CallError("not a function");
      }
    } catch (CallError e) {
      throw error(at, "error calling " + fn.goName() + ": " + e.getMessage());
    } catch (GoFmt.LimitExceeded e) {
      throw outputTooLarge(at);
    }
  }

  /** Go checks the format argument's type before the call: not an "error calling" failure. */
  private String formatArg(Node at, List<Node> argNodes, Object value) {
    if (value instanceof String s) {
      return s;
    }
    Node node = argNodes.isEmpty() ? at : argNodes.get(0);
    if (node instanceof NumberNode || node instanceof BoolNode) {
      throw error(node, "expected string; found " + node);
    }
    if (value == null) {
      throw error(node, "invalid value; expected string");
    }
    throw error(node, "wrong type for value; expected string; got " + GoFmt.typeName(value));
  }

  /** Go's truth: empty strings/maps/slices, zero numbers, false and nil are false; structs true. */
  static boolean truth(Object v) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0;
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    return true;
  }

  private enum BasicKind {
    INVALID,
    BOOL,
    INT,
    FLOAT,
    STRING,
    OTHER
  }

  private static BasicKind kind(Object v) {
    if (v == null) {
      return BasicKind.INVALID;
    }
    if (v instanceof Boolean) {
      return BasicKind.BOOL;
    }
    if (v instanceof Long) {
      return BasicKind.INT;
    }
    if (v instanceof Double) {
      return BasicKind.FLOAT;
    }
    if (v instanceof String) {
      return BasicKind.STRING;
    }
    return BasicKind.OTHER;
  }

  private static boolean eq(Object arg1, List<Object> others) throws CallError {
    if (others.isEmpty()) {
      throw new CallError("missing argument for comparison");
    }
    BasicKind k1 = kind(arg1);
    for (Object arg : others) {
      BasicKind k2 = kind(arg);
      boolean truth;
      if (k1 != k2) {
        if (arg1 != null && arg != null) {
          throw new CallError("incompatible types for comparison");
        }
        truth = false;
      } else {
        switch (k1) {
          case INVALID -> truth = true;
          case BOOL, STRING -> truth = arg1.equals(arg);
          case INT -> truth = ((Long) arg1).longValue() == ((Long) arg).longValue();
          case FLOAT -> truth = ((Double) arg1).doubleValue() == ((Double) arg).doubleValue();
          default -> {
            if (arg1 instanceof Map<?, ?> || arg instanceof Map<?, ?>) {
              Object map = arg1 instanceof Map<?, ?> ? arg1 : arg;
              throw new CallError("non-comparable type " + GoFmt.typeName(map));
            }
            if (arg1 instanceof List<?> || arg instanceof List<?>) {
              Object list = arg1 instanceof List<?> ? arg1 : arg;
              throw new CallError("non-comparable type " + GoFmt.typeName(list));
            }
            if (arg1 instanceof GoStruct s1
                && arg instanceof GoStruct s2
                && s1.type().equals(s2.type())) {
              truth = s1.fields().equals(s2.fields());
            } else {
              throw new CallError(
                  "non-comparable types " + GoFmt.typeName(arg1) + ", " + GoFmt.typeName(arg));
            }
          }
        }
      }
      if (truth) {
        return true;
      }
    }
    return false;
  }

  /** Go's {@code lt}: ordered basic kinds of the same kind only. */
  private static boolean lt(Object arg1, Object arg2) throws CallError {
    BasicKind k1 = kind(arg1);
    if (k1 == BasicKind.INVALID || k1 == BasicKind.OTHER) {
      throw new CallError("invalid type for comparison");
    }
    BasicKind k2 = kind(arg2);
    if (k2 == BasicKind.INVALID || k2 == BasicKind.OTHER) {
      throw new CallError("invalid type for comparison");
    }
    if (k1 != k2) {
      throw new CallError("incompatible types for comparison");
    }
    return switch (k1) {
      case INT -> (Long) arg1 < (Long) arg2;
      case FLOAT -> (Double) arg1 < (Double) arg2;
      case STRING -> GoStrings.compare((String) arg1, (String) arg2) < 0;
      default -> throw new CallError("invalid type for comparison"); // bool
    };
  }

  /**
   * Go's {@code index}, with one product rule: a key missing from a map is an error ({@code map has
   * no entry for key "k"}), as for {@code .Context.k}, where Go would return the zero value.
   */
  private static Object index(Object item, List<Object> indexes) throws CallError {
    if (item == null) {
      throw new CallError("index of untyped nil");
    }
    for (Object idx : indexes) {
      if (item == null) {
        throw new CallError("index of nil pointer");
      }
      if (item instanceof String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        item = (long) (bytes[indexArg(idx, bytes.length)] & 0xff);
      } else if (item instanceof List<?> list) {
        item = normalize(list.get(indexArg(idx, list.size())));
      } else if (item instanceof Map<?, ?> m) {
        if (!(idx instanceof String key)) {
          throw new CallError(
              idx == null
                  ? "value is nil; should be of type string"
                  : "value has type " + GoFmt.typeName(idx) + "; should be string");
        }
        if (!m.containsKey(key)) {
          throw new CallError("map has no entry for key " + GoQuote.quote(key));
        }
        item = normalize(m.get(key));
      } else {
        throw new CallError("can't index item of type " + GoFmt.typeName(item));
      }
    }
    return item;
  }

  private static int indexArg(Object idx, int len) throws CallError {
    int x = sliceIndexArg(idx, len);
    if (x == len) {
      throw new CallError("index out of range: " + x);
    }
    return x;
  }

  /** Go's indexArg: an int in [0, cap]. */
  private static int sliceIndexArg(Object idx, int cap) throws CallError {
    if (idx == null) {
      throw new CallError("cannot index slice/array with nil");
    }
    if (!(idx instanceof Long x)) {
      throw new CallError("cannot index slice/array with type " + GoFmt.typeName(idx));
    }
    if (x < 0 || x > cap) {
      throw new CallError("index out of range: " + x);
    }
    return x.intValue();
  }

  /**
   * Go's {@code slice}: {@code slice x} is {@code x[:]}, {@code slice x 1 2} is {@code x[1:2]},
   * {@code slice x 1 2 3} is {@code x[1:2:3]} (not for strings). Strings are sliced by UTF-8 byte;
   * a cut through a character leaves U+FFFD where Go would keep the partial bytes.
   */
  private static Object slice(Object item, List<Object> indexes) throws CallError {
    if (item == null) {
      throw new CallError("slice of untyped nil");
    }
    if (indexes.size() > 3) {
      throw new CallError("too many slice indexes: " + indexes.size());
    }
    byte[] bytes = null;
    int len;
    if (item instanceof String s) {
      if (indexes.size() == 3) {
        throw new CallError("cannot 3-index slice a string");
      }
      bytes = s.getBytes(StandardCharsets.UTF_8);
      len = bytes.length;
    } else if (item instanceof List<?> list) {
      len = list.size();
    } else {
      throw new CallError("can't slice item of type " + GoFmt.typeName(item));
    }
    int[] idx = {0, len, 0};
    for (int i = 0; i < indexes.size(); i++) {
      idx[i] = sliceIndexArg(indexes.get(i), len);
    }
    if (idx[0] > idx[1]) {
      throw new CallError("invalid slice index: " + idx[0] + " > " + idx[1]);
    }
    if (indexes.size() == 3 && idx[1] > idx[2]) {
      throw new CallError("invalid slice index: " + idx[1] + " > " + idx[2]);
    }
    if (bytes != null) {
      return new String(bytes, idx[0], idx[1] - idx[0], StandardCharsets.UTF_8);
    }
    return Collections.unmodifiableList(new ArrayList<>(((List<?>) item).subList(idx[0], idx[1])));
  }

  private static Object length(Object item) throws CallError {
    if (item instanceof String s) {
      return (long) utf8Length(s);
    }
    if (item instanceof Map<?, ?> m) {
      return (long) m.size();
    }
    if (item instanceof List<?> l) {
      return (long) l.size();
    }
    if (item == null) {
      throw new CallError("len of nil pointer");
    }
    throw new CallError("len of type " + GoFmt.typeName(item));
  }

  /** Go's len of a string: bytes, not characters. */
  private static int utf8Length(String s) {
    int n = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && k + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(k + 1))) {
        n += 4;
        k++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  // ---- html, js, urlquery ----

  /**
   * Go's evalArgs: the arguments as {@code fmt.Sprint} prints them, except that nil is {@code <no
   * value>}, as an action prints it.
   */
  private static String evalArgs(List<Object> args, int limit) {
    if (args.size() == 1 && args.get(0) instanceof String s) {
      return s;
    }
    List<Object> printable = new ArrayList<>(args.size());
    for (Object arg : args) {
      printable.add(arg == null ? "<no value>" : arg);
    }
    return GoFmt.sprint(printable, limit);
  }

  private static final String HEX = "0123456789ABCDEF";

  /** Go's {@code template.HTMLEscapeString}. */
  static String htmlEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case 0 -> sb.append('\uFFFD');
        case '"' -> sb.append("&#34;");
        case '\'' -> sb.append("&#39;");
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Go's {@code template.JSEscapeString}. */
  static String jsEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\'' -> sb.append("\\'");
        case '"' -> sb.append("\\\"");
        case '<' -> sb.append("\\u003C");
        case '>' -> sb.append("\\u003E");
        case '&' -> sb.append("\\u0026");
        case '=' -> sb.append("\\u003D");
        default -> {
          if (c < ' ') {
            sb.append("\\u00").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
          } else if (c < 0x80 || GoQuote.isPrint(c)) {
            sb.appendCodePoint(c);
          } else {
            String hex = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
            sb.append("\\u").append("0".repeat(Math.max(0, 4 - hex.length()))).append(hex);
          }
        }
      }
    }
    return sb.toString();
  }

  /** Go's {@code url.QueryEscape}: everything but {@code A-Za-z0-9-_.~} escaped, space as +. */
  static String queryEscape(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        sb.append((char) c);
      } else if (c == ' ') {
        sb.append('+');
      } else {
        sb.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
      }
    }
    return sb.toString();
  }
}
