package org.spireregistrar.core.template;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.template.Lexer.Kind;
import org.spireregistrar.core.template.Lexer.Token;
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
 * Go's {@code text/template/parse} recursive-descent parser for the supported subset. Errors read
 * {@code template: NAME:LINE: message} as Go's do. Beyond Go's parse-time checks it also rejects,
 * statically, what Go would only reject when executing (wrong argument counts, arguments given to a
 * non-function, {@code nil} as a command, a variable used before its declaration has been
 * evaluated, assigned without being declared, or declared in the {@code if} branch and used in the
 * {@code else} branch): templates are validated at start-up, and a branch not taken with the dummy
 * data must not hide an error.
 *
 * <p>Variables are scoped as in Go: {@code $} is always defined; a declaration lives until the
 * {@code {{end}}} of the control structure it appears in (or the end of the template), and one in
 * the pipeline of {@code if}, {@code with} or {@code range} also covers that structure's {@code
 * else} branch.
 */
final class Parser {

  /** Go's exec limit, applied to nesting here so that no input can exhaust the Java stack. */
  private static final int MAX_DEPTH = 100;

  private final String name;
  private final Lexer lexer;
  private final Token[] token = new Token[3];
  private int peekCount;
  private int actionLine;
  private int depth;

  /** Variables in scope; {@code $} is always first. */
  private final Scope<Boolean> vars = new Scope<>();

  /** How many {@code range} bodies enclose the current position: where break/continue may go. */
  private int rangeDepth;

  private Parser(String name, String text) {
    this.name = name;
    this.lexer = new Lexer(text);
    vars.push("$", true);
  }

  static ListNode parse(String name, String text) {
    return new Parser(name, text).parseRoot();
  }

  // ---- token stream, exactly as Go's Tree ----

  private Token next() {
    if (peekCount > 0) {
      peekCount--;
    } else {
      token[0] = lexer.next();
    }
    return token[peekCount];
  }

  private void backup() {
    peekCount++;
  }

  private void backup2(Token t1) {
    token[1] = t1;
    peekCount = 2;
  }

  private void backup3(Token t2, Token t1) {
    token[1] = t1;
    token[2] = t2;
    peekCount = 3;
  }

  private Token peek() {
    if (peekCount > 0) {
      return token[peekCount - 1];
    }
    peekCount = 1;
    token[0] = lexer.next();
    return token[0];
  }

  private Token nextNonSpace() {
    Token t;
    do {
      t = next();
    } while (t.kind() == Kind.SPACE);
    return t;
  }

  private Token peekNonSpace() {
    Token t = nextNonSpace();
    backup();
    return t;
  }

  private TemplateException errorf(String message) {
    return errorAt(token[0].line(), message);
  }

  private TemplateException errorAt(int line, String message) {
    return new TemplateException("template: " + name + ":" + line + ": " + message);
  }

  private TemplateException unexpected(Token t, String context) {
    if (t.kind() == Kind.ERROR) {
      String extra = "";
      if (actionLine != 0 && actionLine != t.line() && t.val().endsWith(" action")) {
        extra = " started at " + name + ":" + actionLine;
      }
      return errorf(t.val() + extra);
    }
    return errorf("unexpected " + t.describe() + " in " + context);
  }

  private Token expect(Kind expected, String context) {
    Token t = nextNonSpace();
    if (t.kind() != expected) {
      throw unexpected(t, context);
    }
    return t;
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw errorf("exceeded maximum template depth (" + MAX_DEPTH + ")");
    }
  }

  private void leave() {
    depth--;
  }

  // ---- grammar ----

  private ListNode parseRoot() {
    List<Node> nodes = new ArrayList<>();
    int pos = peek().pos();
    while (peek().kind() != Kind.EOF) {
      Object n = textOrAction();
      if (n instanceof MarkerNode) {
        throw errorf("unexpected " + n);
      }
      nodes.add((Node) n);
    }
    return new ListNode(pos, nodes);
  }

  /** {@code {{end}}} while parsing; never in the final tree. */
  private record EndMarker(int pos) implements MarkerNode {
    @Override
    public String toString() {
      return "{{end}}";
    }
  }

  /** {@code {{else}}} while parsing; never in the final tree. */
  private record ElseMarker(int pos, int line) implements MarkerNode {
    @Override
    public String toString() {
      return "{{else}}";
    }
  }

  /** What textOrAction returns for {{end}} and {{else}}; never part of the tree. */
  private sealed interface MarkerNode permits EndMarker, ElseMarker {}

  private Object textOrAction() {
    Token t = nextNonSpace();
    switch (t.kind()) {
      case TEXT:
        return new TextNode(t.pos(), t.val());
      case LEFT_DELIM:
        actionLine = t.line();
        try {
          return action();
        } finally {
          actionLine = 0;
        }
      default:
        throw unexpected(t, "input");
    }
  }

  private Object action() {
    Token t = nextNonSpace();
    switch (t.kind()) {
      case ELSE:
        return elseControl();
      case END:
        return new EndMarker(expect(Kind.RIGHT_DELIM, "end").pos());
      case IF:
        return ifControl();
      case WITH:
        return withControl();
      case RANGE:
        return rangeControl();
      case BREAK:
        return loopControl(t, "{{break}}");
      case CONTINUE:
        return loopControl(t, "{{continue}}");
      case BLOCK, DEFINE, TEMPLATE:
        throw errorf("unsupported action " + GoQuote.quote(t.val()));
      default:
        break;
    }
    backup();
    Token first = peek();
    // Variables declared here persist until the enclosing {{end}}.
    return new ActionNode(first.pos(), first.line(), pipeline("command", Kind.RIGHT_DELIM));
  }

  /** {@code {{break}}} or {@code {{continue}}}; the keyword is past. */
  private Node loopControl(Token keyword, String context) {
    Token t = nextNonSpace();
    if (t.kind() != Kind.RIGHT_DELIM) {
      throw unexpected(t, context);
    }
    if (rangeDepth == 0) {
      throw errorf(context + " outside {{range}}");
    }
    return keyword.kind() == Kind.BREAK
        ? new BreakNode(keyword.pos(), keyword.line())
        : new ContinueNode(keyword.pos(), keyword.line());
  }

  private Node ifControl() {
    Control c = parseControl("if");
    return new IfNode(c.pipe.pos(), c.pipe.line(), c.pipe, c.list, c.elseList);
  }

  private Node withControl() {
    Control c = parseControl("with");
    return new WithNode(c.pipe.pos(), c.pipe.line(), c.pipe, c.list, c.elseList);
  }

  private Node rangeControl() {
    Control c = parseControl("range");
    return new RangeNode(c.pipe.pos(), c.pipe.line(), c.pipe, c.list, c.elseList);
  }

  private record Control(PipeNode pipe, ListNode list, ListNode elseList) {}

  /**
   * Go's parseControl: the pipeline, the list, and an optional else list; {@code {{else if …}}} (in
   * {@code if}) and {@code {{else with …}}} (in {@code with}) nest a control of the same kind in
   * the else list that shares the outer {@code {{end}}}. The keyword is past.
   */
  private Control parseControl(String context) {
    enter();
    int mark = vars.mark();
    try {
      PipeNode pipe = pipeline(context, Kind.RIGHT_DELIM);
      int afterPipe = vars.mark();
      boolean range = context.equals("range");
      if (range) {
        rangeDepth++;
      }
      ListAndNext body = itemList();
      if (range) {
        rangeDepth--;
      }
      // Tighter than Go, which would only fail when the else branch runs: what the list declares
      // is not visible in the else list.
      vars.pop(afterPipe);
      ListNode elseList = null;
      if (body.next instanceof ElseMarker elseMarker) {
        if (context.equals("if") && peek().kind() == Kind.IF) {
          // {{else if …}} is {{else}}{{if …}}…{{end}} sharing the outer {{end}}.
          next();
          elseList = new ListNode(elseMarker.pos(), List.of(ifControl()));
        } else if (context.equals("with") && peek().kind() == Kind.WITH) {
          next();
          elseList = new ListNode(elseMarker.pos(), List.of(withControl()));
        } else {
          ListAndNext rest = itemList();
          if (!(rest.next instanceof EndMarker)) {
            throw errorf("expected end; found " + rest.next);
          }
          elseList = rest.list;
        }
      }
      return new Control(pipe, body.list, elseList);
    } finally {
      vars.pop(mark);
      leave();
    }
  }

  private record ListAndNext(ListNode list, Object next) {}

  private ListAndNext itemList() {
    int pos = peekNonSpace().pos();
    List<Node> nodes = new ArrayList<>();
    while (peekNonSpace().kind() != Kind.EOF) {
      Object n = textOrAction();
      if (n instanceof MarkerNode) {
        return new ListAndNext(new ListNode(pos, nodes), n);
      }
      nodes.add((Node) n);
    }
    throw errorf("unexpected EOF");
  }

  private Object elseControl() {
    Token peeked = peekNonSpace();
    if (peeked.kind() == Kind.IF || peeked.kind() == Kind.WITH) {
      // "{{else if": leave the "if" pending for ifControl.
      return new ElseMarker(peeked.pos(), peeked.line());
    }
    Token t = expect(Kind.RIGHT_DELIM, "else");
    return new ElseMarker(t.pos(), t.line());
  }

  /**
   * Go's pipeline: {@code declarations? command ('|' command)*}, up to {@code end}. Declared
   * variables come into scope after the pipeline (Go would accept {@code {{$x := $x}}} and fail
   * when executing it); assigned ones must already be in scope (Go, again, fails only when
   * executing).
   */
  private PipeNode pipeline(String context, Kind end) {
    enter();
    try {
      Token first = peekNonSpace();
      List<VariableNode> decl = new ArrayList<>();
      boolean isAssign = declarations(context, decl);
      List<CommandNode> cmds = new ArrayList<>();
      while (true) {
        Token t = nextNonSpace();
        if (t.kind() == end) {
          PipeNode pipe = new PipeNode(first.pos(), first.line(), isAssign, decl, cmds);
          checkPipeline(pipe, context);
          if (!isAssign) {
            decl.forEach(v -> vars.push(v.idents().get(0), true));
          }
          return pipe;
        }
        switch (t.kind()) {
          case BOOL,
              CHAR_CONSTANT,
              COMPLEX,
              DOT,
              FIELD,
              IDENTIFIER,
              NUMBER,
              NIL,
              RAW_STRING,
              STRING,
              VARIABLE,
              LEFT_PAREN -> {
            backup();
            cmds.add(command());
          }
          default -> throw unexpected(t, context);
        }
      }
    } finally {
      leave();
    }
  }

  /**
   * Go's declaration look-ahead ({@code $x :=}, {@code $x =}, and in {@code range} {@code $i, $e
   * :=}): fills {@code decl} and returns whether the variables are assigned rather than declared.
   */
  private boolean declarations(String context, List<VariableNode> decl) {
    while (peekNonSpace().kind() == Kind.VARIABLE) {
      Token v = next();
      // Space is a token, so "$x foo" needs three tokens of look-ahead to tell from "$x := foo".
      Token tokenAfterVariable = peek();
      Token after = peekNonSpace();
      if (after.kind() == Kind.DECLARE || after.kind() == Kind.ASSIGN) {
        boolean isAssign = after.kind() == Kind.ASSIGN;
        nextNonSpace();
        decl.add(new VariableNode(v.pos(), List.of(v.val())));
        if (isAssign) {
          for (VariableNode d : decl) {
            String name = d.idents().get(0);
            if (!vars.contains(name)) {
              throw errorAt(v.line(), "undefined variable " + GoQuote.quote(name));
            }
          }
        }
        return isAssign;
      }
      if (after.kind() == Kind.CHAR && after.val().equals(",")) {
        nextNonSpace();
        decl.add(new VariableNode(v.pos(), List.of(v.val())));
        if (context.equals("range") && decl.size() < 2) {
          Kind k = peekNonSpace().kind();
          if (k == Kind.VARIABLE || k == Kind.RIGHT_DELIM || k == Kind.RIGHT_PAREN) {
            continue; // the second variable of a range
          }
          throw errorf("range can only initialize variables");
        }
        throw errorf("too many declarations in " + context);
      }
      if (tokenAfterVariable.kind() == Kind.SPACE) {
        backup3(v, tokenAfterVariable);
      } else {
        backup2(v);
      }
      break;
    }
    return false;
  }

  private CommandNode command() {
    Token first = peekNonSpace();
    List<Node> args = new ArrayList<>();
    while (true) {
      peekNonSpace(); // skip leading spaces
      Node operand = operand();
      if (operand != null) {
        args.add(operand);
      }
      Token t = next();
      if (t.kind() == Kind.SPACE) {
        continue;
      }
      if (t.kind() == Kind.RIGHT_DELIM || t.kind() == Kind.RIGHT_PAREN) {
        backup();
      } else if (t.kind() != Kind.PIPE) {
        throw unexpected(t, "operand");
      }
      break;
    }
    if (args.isEmpty()) {
      throw errorf("empty command");
    }
    return new CommandNode(first.pos(), first.line(), args);
  }

  private Node operand() {
    Node node = term();
    if (node == null) {
      return null;
    }
    if (peek().kind() == Kind.FIELD) {
      int chainPos = peek().pos();
      List<String> fields = new ArrayList<>();
      while (peek().kind() == Kind.FIELD) {
        fields.add(next().val().substring(1));
      }
      if (node instanceof FieldNode f) {
        List<String> idents = new ArrayList<>(f.idents());
        idents.addAll(fields);
        node = new FieldNode(chainPos, idents);
      } else if (node instanceof VariableNode v) {
        List<String> idents = new ArrayList<>(v.idents());
        idents.addAll(fields);
        node = new VariableNode(chainPos, idents);
      } else if (node instanceof BoolNode
          || node instanceof StringNode
          || node instanceof NumberNode
          || node instanceof NilNode
          || node instanceof DotNode) {
        throw errorf("unexpected . after term " + GoQuote.quote(node.toString()));
      } else {
        node = new ChainNode(chainPos, node, fields);
      }
    }
    return node;
  }

  private Node term() {
    Token t = nextNonSpace();
    switch (t.kind()) {
      case IDENTIFIER:
        return identifier(t);
      case DOT:
        return new DotNode(t.pos());
      case NIL:
        return new NilNode(t.pos());
      case VARIABLE:
        if (!vars.contains(t.val())) {
          throw errorf("undefined variable " + GoQuote.quote(t.val()));
        }
        return new VariableNode(t.pos(), List.of(t.val()));
      case FIELD:
        return new FieldNode(t.pos(), List.of(t.val().substring(1)));
      case BOOL:
        return new BoolNode(t.pos(), t.val().equals("true"));
      case CHAR_CONSTANT, COMPLEX, NUMBER:
        return number(t);
      case LEFT_PAREN:
        return pipeline("parenthesized pipeline", Kind.RIGHT_PAREN);
      case STRING, RAW_STRING:
        return new StringNode(t.pos(), t.val(), unquote(t));
      default:
        backup();
        return null;
    }
  }

  private Node identifier(Token t) {
    Builtin function = Builtin.byName(t.val());
    if (function != null) {
      return new IdentifierNode(t.pos(), function);
    }
    if (Builtin.UNSUPPORTED.contains(t.val())) {
      throw errorf("unsupported function " + GoQuote.quote(t.val()));
    }
    throw errorf("function " + GoQuote.quote(t.val()) + " not defined");
  }

  /** Go's checkPipeline plus the static call checks Go leaves to execution time. */
  private void checkPipeline(PipeNode pipe, String context) {
    if (pipe.cmds().isEmpty()) {
      throw errorf("missing value for " + context);
    }
    for (int i = 1; i < pipe.cmds().size(); i++) {
      Node first = pipe.cmds().get(i).args().get(0);
      if (first instanceof BoolNode
          || first instanceof DotNode
          || first instanceof NilNode
          || first instanceof NumberNode
          || first instanceof StringNode) {
        throw errorf("non executable command in pipeline stage " + (i + 1));
      }
    }
    for (int i = 0; i < pipe.cmds().size(); i++) {
      CommandNode cmd = pipe.cmds().get(i);
      boolean piped = i > 0;
      Node first = cmd.args().get(0);
      int given = cmd.args().size() - 1 + (piped ? 1 : 0);
      if (first instanceof IdentifierNode id) {
        String problem = id.function().arityProblem(given);
        if (problem != null) {
          throw errorAt(cmd.line(), problem);
        }
      } else if (first instanceof NilNode) {
        throw errorAt(cmd.line(), "nil is not a command");
      } else if (given > 0) {
        if (first instanceof FieldNode
            || first instanceof ChainNode
            || (first instanceof VariableNode v && v.idents().size() > 1)) {
          throw errorAt(cmd.line(), first + " has arguments but cannot be invoked as function");
        }
        throw errorAt(cmd.line(), "can't give argument to non-function " + first);
      }
      // A function named as an argument, or as the base of a chain ("index.Context"), is called
      // with no arguments.
      for (int a = 0; a < cmd.args().size(); a++) {
        Node arg = cmd.args().get(a);
        Node called = arg instanceof ChainNode chain ? chain.node() : a > 0 ? arg : null;
        if (called instanceof IdentifierNode id) {
          String problem = id.function().arityProblem(0);
          if (problem != null) {
            throw errorAt(cmd.line(), problem);
          }
        }
      }
    }
  }

  // ---- literals ----

  private NumberNode number(Token t) {
    String text = t.val();
    if (t.kind() == Kind.COMPLEX || (text.endsWith("i") && !text.startsWith("0x"))) {
      throw errorf("unsupported complex number " + GoQuote.quote(text));
    }
    if (t.kind() == Kind.CHAR_CONSTANT) {
      int[] decoded = new int[1];
      int end = unquoteChar(text, 1, '\'', null, decoded);
      if (end != text.length() - 1) {
        throw errorf("malformed character constant: " + text);
      }
      return new NumberNode(t.pos(), text, (long) decoded[0]);
    }
    Object value = numberValue(text);
    if (value == null) {
      throw errorf("illegal number syntax: " + GoQuote.quote(text));
    }
    if (value instanceof BigInteger) {
      throw errorf(text + " overflows int");
    }
    return new NumberNode(t.pos(), text, value);
  }

  /**
   * A Long, a Double (Go picks float64 for texts with {@code .eEpP} unless hex), a BigInteger when
   * out of int64 range, or null when illegal.
   */
  static Object numberValue(String text) {
    String s = text;
    boolean negative = false;
    if (s.startsWith("+") || s.startsWith("-")) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      return null;
    }
    boolean hex =
        s.length() > 2 && s.charAt(0) == '0' && (s.charAt(1) == 'x' || s.charAt(1) == 'X');
    int radix = 10;
    String digits = s;
    if (s.length() > 1 && s.charAt(0) == '0') {
      char p = Character.toLowerCase(s.charAt(1));
      if (p == 'x') {
        radix = 16;
        digits = s.substring(2);
      } else if (p == 'o') {
        radix = 8;
        digits = s.substring(2);
      } else if (p == 'b') {
        radix = 2;
        digits = s.substring(2);
      } else if (Character.isDigit(p) || p == '_') {
        radix = 8; // legacy octal, for integers only
        digits = s.substring(1);
      }
    }
    boolean floatLike =
        hex ? (s.indexOf('p') >= 0 || s.indexOf('P') >= 0) : containsAny(s, ".eEpP");
    if (!floatLike) {
      if (!validUnderscores(digits, radix != 10 && !(radix == 8 && !isPrefixed(s)))) {
        return null;
      }
      String clean = digits.replace("_", "");
      if (clean.isEmpty()) {
        return null;
      }
      BigInteger v;
      try {
        v = new BigInteger(clean, radix);
      } catch (NumberFormatException e) {
        if (radix != 8 || isPrefixed(s)) {
          return null;
        }
        // "08": not octal, but Go still reads it (as a float that is integral)
        try {
          v = new BigInteger(clean, 10);
        } catch (NumberFormatException e2) {
          return null;
        }
      }
      if (negative) {
        v = v.negate();
      }
      return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
    if (s.contains("__") || s.startsWith("_") || s.endsWith("_")) {
      return null;
    }
    String clean = s.replace("_", "");
    if (hex && !(clean.indexOf('p') >= 0 || clean.indexOf('P') >= 0)) {
      return null;
    }
    if (clean.endsWith(".") && !hex) {
      clean = clean + "0";
    }
    if (clean.startsWith(".")) {
      clean = "0" + clean;
    }
    try {
      double d = Double.parseDouble(clean);
      if (Double.isInfinite(d)) {
        return null;
      }
      return negative ? -d : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isPrefixed(String s) {
    return s.length() > 1 && Character.isLetter(s.charAt(1));
  }

  /** Go's rule: underscores only between digits or after a base prefix. */
  private static boolean validUnderscores(String digits, boolean afterPrefix) {
    if (digits.isEmpty()) {
      return true;
    }
    if (digits.startsWith("_") && !afterPrefix) {
      return false;
    }
    return !digits.endsWith("_") && !digits.contains("__");
  }

  private static boolean containsAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Go's strconv.Unquote for "…" (with escapes) and `…` (raw). */
  private String unquote(Token t) {
    String q = t.val();
    if (t.kind() == Kind.RAW_STRING) {
      return q.substring(1, q.length() - 1).replace("\r", "");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(q.length());
    int i = 1;
    int end = q.length() - 1;
    int[] decoded = new int[1];
    while (i < end) {
      int next = unquoteChar(q, i, '"', bytes, decoded);
      if (next < 0) {
        throw errorf("invalid syntax in quoted string " + q);
      }
      i = next;
    }
    return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
  }

  /**
   * Decodes one (possibly escaped) character of a quoted literal at {@code i}. Appends its UTF-8
   * bytes to {@code out} when given (a {@code \x}/octal escape appends one raw byte, as in Go), and
   * stores the code point in {@code decoded[0]}. Returns the index after it, or -1 when invalid.
   */
  private static int unquoteChar(
      String s, int i, char quote, ByteArrayOutputStream out, int[] decoded) {
    if (i >= s.length()) {
      return -1;
    }
    char c = s.charAt(i);
    if (c == quote && quote == '\'') {
      return -1;
    }
    if (c != '\\') {
      int cp = s.codePointAt(i);
      decoded[0] = cp;
      writeCodePoint(out, cp);
      return i + Character.charCount(cp);
    }
    if (i + 1 >= s.length()) {
      return -1;
    }
    char e = s.charAt(i + 1);
    int value;
    int next;
    switch (e) {
      case 'a' -> {
        value = 7;
        next = i + 2;
      }
      case 'b' -> {
        value = '\b';
        next = i + 2;
      }
      case 'f' -> {
        value = '\f';
        next = i + 2;
      }
      case 'n' -> {
        value = '\n';
        next = i + 2;
      }
      case 'r' -> {
        value = '\r';
        next = i + 2;
      }
      case 't' -> {
        value = '\t';
        next = i + 2;
      }
      case 'v' -> {
        value = 0x0b;
        next = i + 2;
      }
      case '\\' -> {
        value = '\\';
        next = i + 2;
      }
      case '\'', '"' -> {
        if (e != quote) {
          return -1;
        }
        value = e;
        next = i + 2;
      }
      case 'x', 'u', 'U' -> {
        int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + 2 + n > s.length()) {
          return -1;
        }
        int v = 0;
        for (int k = 0; k < n; k++) {
          int d = Character.digit(s.charAt(i + 2 + k), 16);
          if (d < 0) {
            return -1;
          }
          v = v * 16 + d;
        }
        next = i + 2 + n;
        if (e == 'x') {
          decoded[0] = v;
          if (out != null) {
            out.write(v);
          }
          return next;
        }
        if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF) || v < 0) {
          return -1;
        }
        value = v;
      }
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        if (i + 4 > s.length()) {
          return -1;
        }
        int v = 0;
        for (int k = 0; k < 3; k++) {
          int d = s.charAt(i + 1 + k) - '0';
          if (d < 0 || d > 7) {
            return -1;
          }
          v = v * 8 + d;
        }
        if (v > 255) {
          return -1;
        }
        decoded[0] = v;
        if (out != null) {
          out.write(v);
        }
        return i + 4;
      }
      default -> {
        return -1;
      }
    }
    decoded[0] = value;
    writeCodePoint(out, value);
    return next;
  }

  private static void writeCodePoint(ByteArrayOutputStream out, int cp) {
    if (out != null) {
      out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
    }
  }
}
