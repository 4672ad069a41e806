package org.spireregistrar.core.template;

import java.util.List;
import org.spireregistrar.core.GoQuote;

/**
 * The parse tree, shaped like Go's {@code text/template/parse} nodes. {@code pos} is the char
 * offset of the node in the template text (used for {@code NAME:LINE:COL} in execution errors);
 * {@link #toString()} renders the node the way Go's {@code Node.String()} does (used for the {@code
 * at <…>} part of execution errors).
 */
sealed interface Node {

  int pos();

  /** A sequence of nodes. */
  record ListNode(int pos, List<Node> nodes) implements Node {
    public ListNode {
      nodes = List.copyOf(nodes);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      nodes.forEach(sb::append);
      return sb.toString();
    }
  }

  /** Plain text, already trimmed by {@code {{-}} / {@code -}}} markers. */
  record TextNode(int pos, String text) implements Node {
    @Override
    public String toString() {
      return GoQuote.quote(text);
    }
  }

  /** {@code {{pipeline}}}: prints the pipeline's value. */
  record ActionNode(int pos, int line, PipeNode pipe) implements Node {
    @Override
    public String toString() {
      return "{{" + pipe + "}}";
    }
  }

  /** {@code {{if pipe}}list{{else}}elseList{{end}}}; {@code else if} nests in the else list. */
  record IfNode(int pos, int line, PipeNode pipe, ListNode list, ListNode elseList)
      implements Node {
    @Override
    public String toString() {
      return branch("if", pipe, list, elseList);
    }
  }

  /**
   * {@code {{with pipe}}list{{else}}elseList{{end}}}: like {@code if}, but dot is the pipeline's
   * value in {@code list}; {@code else with} nests in the else list.
   */
  record WithNode(int pos, int line, PipeNode pipe, ListNode list, ListNode elseList)
      implements Node {
    @Override
    public String toString() {
      return branch("with", pipe, list, elseList);
    }
  }

  /**
   * {@code {{range pipe}}list{{else}}elseList{{end}}}: {@code list} once per element, with dot the
   * element; {@code elseList} when there are none.
   */
  record RangeNode(int pos, int line, PipeNode pipe, ListNode list, ListNode elseList)
      implements Node {
    @Override
    public String toString() {
      return branch("range", pipe, list, elseList);
    }
  }

  /** {@code {{break}}} inside a {@code range}. */
  record BreakNode(int pos, int line) implements Node {
    @Override
    public String toString() {
      return "{{break}}";
    }
  }

  /** {@code {{continue}}} inside a {@code range}. */
  record ContinueNode(int pos, int line) implements Node {
    @Override
    public String toString() {
      return "{{continue}}";
    }
  }

  private static String branch(String keyword, PipeNode pipe, ListNode list, ListNode elseList) {
    return "{{"
        + keyword
        + " "
        + pipe
        + "}}"
        + list
        + (elseList == null ? "" : "{{else}}" + elseList)
        + "{{end}}";
  }

  /**
   * Commands separated by {@code |}; each result is the last argument of the next command. {@code
   * decl} are the variables the pipeline declares ({@code $x :=}, {@code $i, $e :=}) or, when
   * {@code isAssign}, assigns ({@code $x =}); empty when none.
   */
  record PipeNode(
      int pos, int line, boolean isAssign, List<VariableNode> decl, List<CommandNode> cmds)
      implements Node {
    public PipeNode {
      decl = List.copyOf(decl);
      cmds = List.copyOf(cmds);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      if (!decl.isEmpty()) {
        for (int i = 0; i < decl.size(); i++) {
          if (i > 0) {
            sb.append(", ");
          }
          sb.append(decl.get(i));
        }
        sb.append(isAssign ? " = " : " := ");
      }
      for (int i = 0; i < cmds.size(); i++) {
        if (i > 0) {
          sb.append(" | ");
        }
        sb.append(cmds.get(i));
      }
      return sb.toString();
    }
  }

  /** A function call or a single operand; {@code args.get(0)} is the function or operand. */
  record CommandNode(int pos, int line, List<Node> args) implements Node {
    public CommandNode {
      args = List.copyOf(args);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < args.size(); i++) {
        if (i > 0) {
          sb.append(' ');
        }
        Node arg = args.get(i);
        if (arg instanceof PipeNode) {
          sb.append('(').append(arg).append(')');
        } else {
          sb.append(arg);
        }
      }
      return sb.toString();
    }
  }

  /** {@code .A.B}: a field chain starting at dot. */
  record FieldNode(int pos, List<String> idents) implements Node {
    public FieldNode {
      idents = List.copyOf(idents);
    }

    @Override
    public String toString() {
      return "." + String.join(".", idents);
    }
  }

  /**
   * A variable and its field chain: {@code $}, {@code $x}, {@code $.A.B}, {@code $x.A}; {@code
   * idents.get(0)} is the variable's name.
   */
  record VariableNode(int pos, List<String> idents) implements Node {
    public VariableNode {
      idents = List.copyOf(idents);
    }

    @Override
    public String toString() {
      return String.join(".", idents);
    }
  }

  /** {@code (pipeline).A.B}. */
  record ChainNode(int pos, Node node, List<String> fields) implements Node {
    public ChainNode {
      fields = List.copyOf(fields);
    }

    @Override
    public String toString() {
      String base = node instanceof PipeNode ? "(" + node + ")" : node.toString();
      return base + "." + String.join(".", fields);
    }
  }

  /** A function name. */
  record IdentifierNode(int pos, Builtin function) implements Node {
    @Override
    public String toString() {
      return function.goName();
    }
  }

  /** {@code .}. */
  record DotNode(int pos) implements Node {
    @Override
    public String toString() {
      return ".";
    }
  }

  /** {@code nil}. */
  record NilNode(int pos) implements Node {
    @Override
    public String toString() {
      return "nil";
    }
  }

  /** {@code true} / {@code false}. */
  record BoolNode(int pos, boolean value) implements Node {
    @Override
    public String toString() {
      return Boolean.toString(value);
    }
  }

  /** A number or character constant; {@code value} is a {@link Long} or a {@link Double}. */
  record NumberNode(int pos, String text, Object value) implements Node {
    @Override
    public String toString() {
      return text;
    }
  }

  /** A string constant; {@code quoted} is the source form, {@code text} the value. */
  record StringNode(int pos, String quoted, String text) implements Node {
    @Override
    public String toString() {
      return quoted;
    }
  }
}
