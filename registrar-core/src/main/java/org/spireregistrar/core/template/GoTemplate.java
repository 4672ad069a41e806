package org.spireregistrar.core.template;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.spireregistrar.core.template.Node.ListNode;

/**
 * A compiled Go {@code text/template} (Go 1.23 semantics and error texts, plus Go 1.24's range over
 * an integer): text, actions with {@code {{- -}}} trimming, comments, field chains ({@code
 * .Pod.Name}, {@code $.Context.region}), string, raw string, character, number and bool literals,
 * {@code nil}, pipelines, parenthesised sub-expressions, variables ({@code $}, {@code {{$x := …}}},
 * {@code {{$x = …}}}, {@code $x.Field}), {@code if}/{@code else}/{@code else if}, {@code
 * with}/{@code else}/{@code else with}, {@code range} over slices, maps (in key order) and integers
 * with {@code else}, {@code $i, $e :=} and {@code $e :=} declarations, {@code break} and {@code
 * continue}, and every predefined function except {@code call}: {@code and or not eq ne lt le gt ge
 * index slice len print printf println html js urlquery}. {@code define}, {@code template}, {@code
 * block}, {@code call} and unknown functions are refused when parsing.
 *
 * <p>Semantics are Go's with {@code missingkey=error}. The data root is treated as the Go struct
 * {@code IdentityMaps} (upstream's {@code controllers.IdentityMaps}) and its {@code Pod} map as the
 * struct {@code PodInfo}; every other map is a Go map and every {@link java.util.List} a Go slice.
 * A missing struct field fails with {@code can't evaluate field X in type PodInfo}; a missing map
 * key (including a literal {@code index} key, where Go would yield "") fails with {@code map has no
 * entry for key "k"}.
 *
 * <p>Some failures Go reports only when executing are refused when parsing, so that a branch the
 * start-up check does not take cannot hide them: wrong argument counts, arguments to non-functions,
 * a variable used in its own declaration, assigned without a declaration, or declared in an {@code
 * if} branch and used in the {@code else} branch.
 *
 * <p>Execution is bounded: at most 1,000,000 evaluation steps and 1 MiB of characters written or
 * built by functions; beyond either it fails with {@code exceeded maximum execution steps} or
 * {@code exceeded maximum output size}, and nesting is limited to 100 levels when parsing.
 *
 * <p>Parsed once, immutable and thread-safe; {@link #execute} walks the tree.
 */
public final class GoTemplate {
  private final String name;
  private final String text;
  private final ListNode tree;
  private final Set<String> contextKeys;

  private GoTemplate(String name, String text, ListNode tree, Set<String> contextKeys) {
    this.name = name;
    this.text = text;
    this.tree = tree;
    this.contextKeys = contextKeys;
  }

  /**
   * Parses {@code text}; {@code name} names the template in error messages.
   *
   * @throws TemplateException when the text is not a valid template of the supported subset, with
   *     Go's shape: {@code template: NAME:LINE: unexpected "}" in operand}, {@code template:
   *     NAME:1: unsupported action "define"}, {@code template: NAME:1: function "foo" not defined},
   *     {@code template: NAME:1: undefined variable "$x"}
   */
  public static GoTemplate parse(String name, String text) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
    ListNode tree = Parser.parse(name, text);
    return new GoTemplate(name, text, tree, References.contextKeys(tree));
  }

  /**
   * Renders with {@code data}: nested maps whose leaves are strings (integers and booleans work as
   * Go ints and bools, lists as Go slices). The root is the {@code IdentityMaps} struct, its {@code
   * Pod} entry the {@code PodInfo} struct (see the class comment).
   *
   * @throws TemplateException on an unknown field, a missing map key, a failing function or an
   *     exceeded limit, with Go's shape: {@code template: NAME:LINE:COL: executing "NAME" at
   *     <.Pod.Foo>: can't evaluate field Foo in type PodInfo}
   */
  public String execute(Map<String, ?> data) {
    Objects.requireNonNull(data, "data");
    return Exec.execute(name, text, tree, data);
  }

  /** The name given to {@link #parse}. */
  public String name() {
    return name;
  }

  /** The template text as parsed. */
  public String text() {
    return text;
  }

  /**
   * Every {@code .Context} key the template names statically, in any branch: {@code .Context.<key>}
   * (also via {@code $}), literal keys of {@code index .Context "<key>"}, and the same through dot
   * rebound by {@code with} and through variables bound to such paths ({@code {{$c :=
   * .Context}}{{$c.key}}}). Keys computed at run time, and anything reached through a {@code range}
   * element, are not included. Sorted; empty when none.
   */
  public Set<String> contextKeys() {
    return contextKeys;
  }

  @Override
  public String toString() {
    return "GoTemplate[" + name + "]";
  }
}
