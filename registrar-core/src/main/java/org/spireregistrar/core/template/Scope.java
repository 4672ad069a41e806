package org.spireregistrar.core.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Template variables in scope, innermost last, as Go's push-down variable stack: a declaration
 * pushes, the end of a control structure pops back to a mark, a use or an assignment finds the
 * innermost variable of that name. Lookups are O(1) however many variables are in scope, so that a
 * template with very many declarations stays linear. Not thread-safe.
 *
 * @param <V> what a variable holds: a value when executing, a binding when analysing
 */
final class Scope<V> {

  private static final class Variable<V> {
    private final String name;
    private V value;

    /** The variable of the same name this one hides; null when none. */
    private final Variable<V> hidden;

    Variable(String name, V value, Variable<V> hidden) {
      this.name = name;
      this.value = value;
      this.hidden = hidden;
    }
  }

  private final List<Variable<V>> stack = new ArrayList<>();
  private final Map<String, Variable<V>> innermost = new HashMap<>();

  /** Declares {@code name}, hiding any outer variable of that name until it is popped. */
  void push(String name, V value) {
    Variable<V> variable = new Variable<>(name, value, innermost.get(name));
    innermost.put(name, variable);
    stack.add(variable);
  }

  /** The number of variables declared: a mark for {@link #pop}. */
  int mark() {
    return stack.size();
  }

  /** Forgets every variable declared after {@code mark}. */
  void pop(int mark) {
    for (int i = stack.size() - 1; i >= mark; i--) {
      Variable<V> variable = stack.remove(i);
      if (variable.hidden == null) {
        innermost.remove(variable.name);
      } else {
        innermost.put(variable.name, variable.hidden);
      }
    }
  }

  boolean contains(String name) {
    return innermost.containsKey(name);
  }

  /** The innermost variable's value; null when {@code name} is not in scope (or holds null). */
  V get(String name) {
    Variable<V> variable = innermost.get(name);
    return variable == null ? null : variable.value;
  }

  /** Sets the innermost variable called {@code name}; returns false when none is in scope. */
  boolean set(String name, V value) {
    Variable<V> variable = innermost.get(name);
    if (variable == null) {
      return false;
    }
    variable.value = value;
    return true;
  }

  /** Sets the {@code n}-th variable from the top (1 is the top), whatever its name. */
  void setTop(int n, V value) {
    stack.get(stack.size() - n).value = value;
  }
}
