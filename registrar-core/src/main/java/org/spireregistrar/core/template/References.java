package org.spireregistrar.core.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
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
import org.spireregistrar.core.template.Node.RangeNode;
import org.spireregistrar.core.template.Node.StringNode;
import org.spireregistrar.core.template.Node.VariableNode;
import org.spireregistrar.core.template.Node.WithNode;

/**
 * Static analysis of a parse tree: which {@code .Context} keys it names, in any branch. A reference
 * is a data path known without executing: {@code .Context.k}, {@code $.Context.k}, {@code
 * (.Context).k}, {@code index} with literal string keys ({@code index .Context "k"}, {@code index .
 * "Context" "k"}, {@code "k" | index .Context}), and the same through what dot and variables are
 * statically known to hold:
 *
 * <ul>
 *   <li>{@code with} sets dot to its pipeline's path: {@code {{with .Context}}{{.k}}{{end}}};
 *   <li>a variable holds the paths of every pipeline declared or assigned to it anywhere in its
 *       scope ({@code {{$c := .Context}}{{$c.k}}}); a use may see any of them, so all count, as a
 *       key in a branch not taken counts. Loops are covered by iterating to a fixed point;
 *   <li>inside a {@code range} body, dot and the range's variables hold elements and keys, which
 *       are not static (context values are strings, so no key is looked up through them); in the
 *       {@code else} branch the variables hold the ranged value itself, as in Go.
 * </ul>
 *
 * Keys computed at run time ({@code index .Context .Pod.Name}) cannot be known and are not
 * reported.
 */
final class References {

  private static final String CONTEXT = "Context";

  /** The binding of {@code $} (the data root) in the binding map. */
  private static final Object ROOT = new Object();

  /** No static path: the value is not known without executing. */
  private static final Set<List<String>> UNKNOWN = Set.of();

  /** A range variable inside the body, where it holds an element or a key: never static. */
  private record IterationBinding(VariableNode decl) {}

  private final SortedSet<String> keys = new TreeSet<>();

  /**
   * Possible paths of each variable binding, keyed by its declaring {@link VariableNode} (unique by
   * position), {@link IterationBinding} or {@link #ROOT}. Paths are normalised (see {@link
   * #append}) so that the sets, and the fixed-point iteration, are finite.
   */
  private final Map<Object, Set<List<String>>> bindings = new HashMap<>();

  private boolean changed;

  /** Variables in scope in the current pass, with their binding keys. */
  private Scope<Object> scope = new Scope<>();

  /** What dot may hold at the current position. */
  private Set<List<String>> dot;

  private References() {
    bindings.put(ROOT, new LinkedHashSet<>(Set.of(List.of())));
  }

  static SortedSet<String> contextKeys(ListNode tree) {
    References refs = new References();
    do {
      refs.changed = false;
      refs.scope = new Scope<>();
      refs.scope.push("$", ROOT);
      refs.dot = Set.of(List.of());
      refs.visit(tree);
    } while (refs.changed);
    return Collections.unmodifiableSortedSet(refs.keys);
  }

  private void visit(Node node) {
    if (node instanceof ListNode l) {
      l.nodes().forEach(this::visit);
    } else if (node instanceof ActionNode a) {
      pipe(a.pipe()); // its variables persist until the enclosing {{end}}
    } else if (node instanceof IfNode n) {
      control(n.pipe(), n.list(), n.elseList(), false, false);
    } else if (node instanceof WithNode n) {
      control(n.pipe(), n.list(), n.elseList(), true, false);
    } else if (node instanceof RangeNode n) {
      control(n.pipe(), n.list(), n.elseList(), false, true);
    }
  }

  private void control(
      PipeNode pipe, ListNode list, ListNode elseList, boolean with, boolean range) {
    int mark = scope.mark();
    Set<List<String>> outerDot = dot;
    Set<List<String>> value = pipe(pipe);
    int afterPipe = scope.mark();
    if (with) {
      dot = value;
    } else if (range) {
      dot = UNKNOWN;
      if (!pipe.isAssign()) {
        for (VariableNode decl : pipe.decl()) {
          scope.push(decl.idents().get(0), new IterationBinding(decl));
        }
      }
    }
    visit(list);
    dot = outerDot;
    scope.pop(afterPipe);
    if (elseList != null) {
      visit(elseList);
    }
    scope.pop(mark);
  }

  /** Visits every command, binds the pipeline's variables; returns the pipeline's paths. */
  private Set<List<String>> pipe(PipeNode pipe) {
    Set<List<String>> result = UNKNOWN;
    String pipedLiteral = null;
    for (CommandNode cmd : pipe.cmds()) {
      result = command(cmd, pipedLiteral);
      pipedLiteral =
          cmd.args().size() == 1 && cmd.args().get(0) instanceof StringNode s ? s.text() : null;
    }
    for (VariableNode decl : pipe.decl()) {
      String variable = decl.idents().get(0);
      Object binding = pipe.isAssign() ? lookup(variable) : decl;
      if (binding != null) {
        bind(binding, result);
      }
      if (!pipe.isAssign()) {
        scope.push(variable, decl);
      }
    }
    return result;
  }

  private Set<List<String>> command(CommandNode cmd, String pipedLiteral) {
    List<Node> args = cmd.args();
    if (args.get(0) instanceof IdentifierNode id) {
      if (id.function() == Builtin.INDEX) {
        return indexPaths(args.subList(1, args.size()), pipedLiteral);
      }
      for (Node arg : args.subList(1, args.size())) {
        paths(arg);
      }
      return UNKNOWN;
    }
    // An operand: the parser has refused arguments to it.
    return paths(args.get(0));
  }

  /** The paths an operand may hold, recording the keys they name. */
  private Set<List<String>> paths(Node n) {
    Set<List<String>> result;
    if (n instanceof FieldNode f) {
      result = append(dot, f.idents());
    } else if (n instanceof VariableNode v) {
      Object binding = lookup(v.idents().get(0));
      Set<List<String>> base = binding == null ? UNKNOWN : bindings.getOrDefault(binding, UNKNOWN);
      result = append(base, v.idents().subList(1, v.idents().size()));
    } else if (n instanceof DotNode) {
      result = dot;
    } else if (n instanceof ChainNode c) {
      result = append(paths(c.node()), c.fields());
    } else if (n instanceof PipeNode p) {
      result = pipe(p);
    } else {
      result = UNKNOWN;
    }
    result.forEach(this::record);
    return result;
  }

  private Set<List<String>> indexPaths(List<Node> operands, String pipedLiteral) {
    if (operands.isEmpty()) {
      return UNKNOWN;
    }
    Set<List<String>> p = paths(operands.get(0));
    List<Object> keysOrNodes = new ArrayList<>(operands.subList(1, operands.size()));
    if (pipedLiteral != null) {
      keysOrNodes.add(pipedLiteral);
    }
    for (Object op : keysOrNodes) {
      if (op instanceof Node node) {
        paths(node); // a computed index: visit it, but the path stops being static
      }
      String key =
          op instanceof StringNode s ? s.text() : op instanceof String literal ? literal : null;
      p = key == null ? UNKNOWN : append(p, List.of(key));
      p.forEach(this::record);
    }
    return p;
  }

  private Object lookup(String variable) {
    return scope.get(variable);
  }

  private void bind(Object binding, Set<List<String>> paths) {
    Set<List<String>> known = bindings.computeIfAbsent(binding, b -> new LinkedHashSet<>());
    if (known.addAll(paths)) {
      changed = true;
    }
  }

  /**
   * Each path extended by {@code fields}, keeping only what can still name a context key: the root
   * {@code []}, {@code [Context]} and {@code [Context, k]} (what follows the key does not matter).
   */
  private static Set<List<String>> append(Set<List<String>> paths, List<String> fields) {
    if (paths.isEmpty()) {
      return UNKNOWN;
    }
    Set<List<String>> result = new LinkedHashSet<>();
    for (List<String> p : paths) {
      List<String> extended = new ArrayList<>(p);
      for (String field : fields) {
        if (extended.size() == 2) {
          break;
        }
        extended.add(field);
      }
      if (extended.isEmpty() || extended.get(0).equals(CONTEXT)) {
        result.add(List.copyOf(extended));
      }
    }
    return result;
  }

  private void record(List<String> p) {
    if (p.size() >= 2 && p.get(0).equals(CONTEXT)) {
      keys.add(p.get(1));
    }
  }
}
