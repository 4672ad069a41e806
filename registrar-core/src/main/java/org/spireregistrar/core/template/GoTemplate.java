package org.spireregistrar.core.template;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.spireregistrar.core.template.Node.ListNode;

/**
 * A compiled Go {@code text/template}, limited to what the original registrar's users write: text,
 * actions with {@code {{- -}}} trimming, comments, field chains ({@code .Pod.Name}, {@code
 * $.Context.region}), string/raw-string/number/bool literals, pipelines, parenthesised
 * sub-expressions, {@code if}/{@code else}/{@code else if}/{@code end}, and the functions {@code
 * and or not eq ne index len print printf}. Everything else ({@code range}, {@code with}, {@code
 * define}, {@code template}, {@code block}, variables other than {@code $}, other functions) is
 * refused when parsing.
 *
 * <p>Semantics are Go's with {@code missingkey=error}. The data root is treated as the Go struct
 * {@code IdentityMaps} (upstream's {@code controllers.IdentityMaps}) and its {@code Pod} map as the
 * struct {@code PodInfo}; every other map is a Go map. A missing struct field fails with {@code
 * can't evaluate field X in type PodInfo}; a missing map key (including a literal {@code index}
 * key, where Go would yield "") fails with {@code map has no entry for key "k"}.
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
   *     NAME:1: unsupported action "range"}, {@code template: NAME:1: function "foo" not defined}
   */
  public static GoTemplate parse(String name, String text) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
    ListNode tree = Parser.parse(name, text);
    return new GoTemplate(name, text, tree, References.contextKeys(tree));
  }

  /**
   * Renders with {@code data}: nested maps whose leaves are strings (integers and booleans work as
   * Go ints and bools). The root is the {@code IdentityMaps} struct, its {@code Pod} entry the
   * {@code PodInfo} struct (see the class comment).
   *
   * @throws TemplateException on an unknown field, a missing map key or a failing function, with
   *     Go's shape: {@code template: NAME:LINE:COL: executing "NAME" at <.Pod.Foo>: can't evaluate
   *     field Foo in type PodInfo}
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
   * Every {@code .Context} key the template names statically: {@code .Context.<key>} (also via
   * {@code $}) and literal keys of {@code index .Context "<key>"}, in any branch. Keys computed at
   * run time are not included. Sorted; empty when none.
   */
  public Set<String> contextKeys() {
    return contextKeys;
  }

  @Override
  public String toString() {
    return "GoTemplate[" + name + "]";
  }
}
