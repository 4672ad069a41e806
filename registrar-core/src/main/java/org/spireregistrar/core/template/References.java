package org.spireregistrar.core.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.spireregistrar.core.template.Node.ActionNode;
import org.spireregistrar.core.template.Node.ChainNode;
import org.spireregistrar.core.template.Node.CommandNode;
import org.spireregistrar.core.template.Node.DotNode;
import org.spireregistrar.core.template.Node.FieldNode;
import org.spireregistrar.core.template.Node.IdentifierNode;
import org.spireregistrar.core.template.Node.IfNode;
import org.spireregistrar.core.template.Node.ListNode;
import org.spireregistrar.core.template.Node.PipeNode;
import org.spireregistrar.core.template.Node.StringNode;
import org.spireregistrar.core.template.Node.VariableNode;

/**
 * Static analysis of a parse tree: which {@code .Context} keys it names. A reference is a data path
 * known without executing: {@code .Context.k}, {@code $.Context.k}, {@code (.Context).k}, and
 * {@code index} with literal string keys ({@code index .Context "k"}, {@code index . "Context"
 * "k"}, {@code "k" | index .Context}). Keys computed at run time cannot be known and are not
 * reported.
 */
final class References {

  private static final String CONTEXT = "Context";

  private final Set<String> keys = new TreeSet<>();

  private References() {}

  static Set<String> contextKeys(ListNode tree) {
    References refs = new References();
    refs.visit(tree);
    return Set.copyOf(refs.keys);
  }

  private void visit(Node node) {
    if (node instanceof ListNode l) {
      l.nodes().forEach(this::visit);
    } else if (node instanceof ActionNode a) {
      visit(a.pipe());
    } else if (node instanceof IfNode n) {
      visit(n.pipe());
      visit(n.list());
      if (n.elseList() != null) {
        visit(n.elseList());
      }
    } else if (node instanceof PipeNode p) {
      pipePath(p);
    } else if (node instanceof CommandNode c) {
      commandPath(c, null);
    } else if (node instanceof ChainNode c) {
      visit(c.node());
      path(c);
    } else if (node instanceof FieldNode || node instanceof VariableNode) {
      path(node);
    }
  }

  /** The root-relative data path of an operand, or null when not static; records keys. */
  private List<String> path(Node n) {
    List<String> p = null;
    if (n instanceof FieldNode f) {
      p = f.idents();
    } else if (n instanceof VariableNode v) {
      p = v.idents().subList(1, v.idents().size());
    } else if (n instanceof DotNode) {
      p = List.of();
    } else if (n instanceof ChainNode c) {
      List<String> base = c.node() instanceof PipeNode pipe ? pipePath(pipe) : path(c.node());
      if (base != null) {
        p = new ArrayList<>(base);
        p.addAll(c.fields());
      }
    } else if (n instanceof PipeNode pipe) {
      p = pipePath(pipe);
    }
    record(p);
    return p;
  }

  /** Visits every command; returns the pipeline's static path when it has one. */
  private List<String> pipePath(PipeNode pipe) {
    List<String> result = null;
    String pipedLiteral = null;
    for (CommandNode cmd : pipe.cmds()) {
      result = commandPath(cmd, pipedLiteral);
      pipedLiteral =
          cmd.args().size() == 1 && cmd.args().get(0) instanceof StringNode s ? s.text() : null;
    }
    return pipe.cmds().size() == 1 ? result : null;
  }

  private List<String> commandPath(CommandNode cmd, String pipedLiteral) {
    List<Node> args = cmd.args();
    for (Node arg : args) {
      if (arg instanceof PipeNode p) {
        pipePath(p);
      } else if (arg instanceof ChainNode c) {
        visit(c);
      }
    }
    if (args.get(0) instanceof IdentifierNode id) {
      if (id.function() != Builtin.INDEX) {
        for (Node arg : args.subList(1, args.size())) {
          path(arg);
        }
        return null;
      }
      return indexPath(args, pipedLiteral);
    }
    return args.size() == 1 ? path(args.get(0)) : null;
  }

  private List<String> indexPath(List<Node> args, String pipedLiteral) {
    List<Object> operands = new ArrayList<>(args.subList(1, args.size()));
    if (pipedLiteral != null) {
      operands.add(pipedLiteral);
    }
    if (operands.isEmpty() || !(operands.get(0) instanceof Node item)) {
      return null;
    }
    List<String> p = path(item);
    for (Object op : operands.subList(1, operands.size())) {
      if (op instanceof Node n) {
        path(n); // a computed index: visit it, but the path stops being static
      }
      String key =
          op instanceof StringNode s ? s.text() : op instanceof String literal ? literal : null;
      if (p == null || key == null) {
        p = null;
        continue;
      }
      p = new ArrayList<>(p);
      p.add(key);
      record(p);
    }
    return p;
  }

  private void record(List<String> p) {
    if (p != null && p.size() >= 2 && p.get(0).equals(CONTEXT)) {
      keys.add(p.get(1));
    }
  }
}
