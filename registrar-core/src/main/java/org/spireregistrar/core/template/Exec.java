package org.spireregistrar.core.template;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.template.Node.ActionNode;
import org.spireregistrar.core.template.Node.BoolNode;
import org.spireregistrar.core.template.Node.ChainNode;
import org.spireregistrar.core.template.Node.CommandNode;
import org.spireregistrar.core.template.Node.DotNode;
import org.spireregistrar.core.template.Node.FieldNode;
import org.spireregistrar.core.template.Node.IdentifierNode;
import org.spireregistrar.core.template.Node.IfNode;
import org.spireregistrar.core.template.Node.ListNode;
import org.spireregistrar.core.template.Node.NilNode;
import org.spireregistrar.core.template.Node.NumberNode;
import org.spireregistrar.core.template.Node.PipeNode;
import org.spireregistrar.core.template.Node.StringNode;
import org.spireregistrar.core.template.Node.TextNode;
import org.spireregistrar.core.template.Node.VariableNode;

/**
 * Executes a parse tree against data by walking it (Go's {@code text/template/exec.go}, with {@code
 * missingkey=error}). One instance per execution; not thread-safe, the tree is shared.
 */
final class Exec {

  /** The Go type name of the data root. Upstream's {@code controllers.IdentityMaps}. */
  static final String ROOT_TYPE = "IdentityMaps";

  /** "No value piped in" (distinct from a piped-in nil). */
  private static final Object MISSING = new Object();

  private final String name;
  private final String text;
  private final GoStruct root;
  private final StringBuilder out;

  private Exec(String name, String text, Map<String, ?> data, int sizeHint) {
    this.name = name;
    this.text = text;
    this.root = new GoStruct(ROOT_TYPE, data);
    this.out = new StringBuilder(sizeHint);
  }

  static String execute(String name, String text, ListNode tree, Map<String, ?> data) {
    Exec exec = new Exec(name, text, data, Math.max(16, text.length()));
    exec.walk(tree);
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
            + GoFmt.quote(name, false)
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

  // ---- walking ----

  private void walk(Node node) {
    if (node instanceof TextNode t) {
      out.append(t.text());
    } else if (node instanceof ActionNode a) {
      GoFmt.printValue(out, evalPipeline(a.pipe()));
    } else if (node instanceof IfNode n) {
      if (truth(evalPipeline(n.pipe()))) {
        walk(n.list());
      } else if (n.elseList() != null) {
        walk(n.elseList());
      }
    } else if (node instanceof ListNode l) {
      for (Node child : l.nodes()) {
        walk(child);
      }
    } else {
      throw error(node, "unknown node: " + node);
    }
  }

  private Object evalPipeline(PipeNode pipe) {
    Object value = MISSING;
    for (CommandNode cmd : pipe.cmds()) {
      value = evalCommand(cmd, value);
    }
    return value == MISSING ? null : value;
  }

  /** The parser has already rejected arguments to non-functions, so only calls use final. */
  private Object evalCommand(CommandNode cmd, Object fin) {
    Node first = cmd.args().get(0);
    if (first instanceof IdentifierNode id) {
      return evalCall(cmd, id.function(), cmd.args().subList(1, cmd.args().size()), fin);
    }
    return evalArg(first);
  }

  private Object evalArg(Node n) {
    if (n instanceof FieldNode f) {
      return evalFields(root, f, f.idents(), 0);
    } else if (n instanceof VariableNode v) {
      return evalFields(root, v, v.idents(), 1);
    } else if (n instanceof ChainNode c) {
      return evalFields(evalArg(c.node()), c, c.fields(), 0);
    } else if (n instanceof PipeNode p) {
      return evalPipeline(p);
    } else if (n instanceof IdentifierNode id) {
      return evalCall(n, id.function(), List.of(), MISSING);
    } else if (n instanceof StringNode s) {
      return s.text();
    } else if (n instanceof NumberNode num) {
      return num.value();
    } else if (n instanceof BoolNode b) {
      return b.value();
    } else if (n instanceof DotNode) {
      return root;
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
        throw error(node, "map has no entry for key " + GoFmt.quote(field, false));
      }
      return normalize(m.get(field));
    }
    if (receiver == null) {
      throw error(node, "nil data; no entry for key " + GoFmt.quote(field, false));
    }
    throw error(node, "can't evaluate field " + field + " in type " + GoFmt.typeName(receiver));
  }

  /** Data leaves as the engine's value types: any Java integer is a Go int (Long), etc. */
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
    return v;
  }

  // ---- calls ----

  private Object evalCall(Node at, Builtin fn, List<Node> argNodes, Object fin) {
    if (fn == Builtin.AND || fn == Builtin.OR) {
      // Go 1.18+: short-circuit, and the result is the deciding argument itself.
      Object v = null;
      for (Node arg : argNodes) {
        v = evalArg(arg);
        if (truth(v) == (fn == Builtin.OR)) {
          return v;
        }
      }
      return fin != MISSING ? fin : v;
    }
    List<Object> args = new ArrayList<>(argNodes.size() + 1);
    for (Node arg : argNodes) {
      args.add(evalArg(arg));
    }
    if (fin != MISSING) {
      args.add(fin);
    }
    try {
      switch (fn) {
        case NOT:
          return !truth(args.get(0));
        case EQ:
          return eq(args.get(0), args.subList(1, args.size()));
        case NE:
          return !eq(args.get(0), args.subList(1, 2));
        case INDEX:
          return index(args.get(0), args.subList(1, args.size()));
        case LEN:
          return length(args.get(0));
        case PRINT:
          return GoFmt.sprint(args);
        case PRINTF:
          return GoFmt.sprintf(formatArg(at, argNodes, args.get(0)), args.subList(1, args.size()));
        default:
          throw new CallError("not a function");
      }
    } catch (CallError e) {
      throw error(at, "error calling " + fn.goName() + ": " + e.getMessage());
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

  /** Go's truth: empty strings/maps, zero numbers, false and nil are false; structs are true. */
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
      } else if (item instanceof Map<?, ?> m) {
        if (!(idx instanceof String key)) {
          throw new CallError(
              idx == null
                  ? "value is nil; should be of type string"
                  : "value has type " + GoFmt.typeName(idx) + "; should be string");
        }
        if (!m.containsKey(key)) {
          throw new CallError("map has no entry for key " + GoFmt.quote(key, false));
        }
        item = normalize(m.get(key));
      } else {
        throw new CallError("can't index item of type " + GoFmt.typeName(item));
      }
    }
    return item;
  }

  private static int indexArg(Object idx, int len) throws CallError {
    if (idx == null) {
      throw new CallError("cannot index slice/array with nil");
    }
    if (!(idx instanceof Long x)) {
      throw new CallError("cannot index slice/array with type " + GoFmt.typeName(idx));
    }
    if (x < 0 || x >= len) {
      throw new CallError("index out of range: " + x);
    }
    return x.intValue();
  }

  private static Object length(Object item) throws CallError {
    if (item instanceof String s) {
      return (long) utf8Length(s);
    }
    if (item instanceof Map<?, ?> m) {
      return (long) m.size();
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
}
