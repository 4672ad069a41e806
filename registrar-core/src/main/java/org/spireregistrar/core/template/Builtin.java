package org.spireregistrar.core.template;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Go template functions this engine supports, with Go's arities: every predefined function of
 * {@code text/template} except {@code call} (the data holds no functions to call).
 */
enum Builtin {
  AND("and", 1, true),
  OR("or", 1, true),
  NOT("not", 1, false),
  EQ("eq", 1, true),
  NE("ne", 2, false),
  LT("lt", 2, false),
  LE("le", 2, false),
  GT("gt", 2, false),
  GE("ge", 2, false),
  INDEX("index", 1, true),
  SLICE("slice", 1, true),
  LEN("len", 1, false),
  PRINT("print", 0, true),
  PRINTF("printf", 1, true),
  PRINTLN("println", 0, true),
  HTML("html", 0, true),
  JS("js", 0, true),
  URLQUERY("urlquery", 0, true);

  /** Go's other predefined functions: recognised, so that the error says "unsupported". */
  static final Set<String> UNSUPPORTED = Set.of("call");

  private static final Map<String, Builtin> BY_NAME = byName();

  private final String goName;
  private final int fixedArgs;
  private final boolean variadic;

  Builtin(String goName, int fixedArgs, boolean variadic) {
    this.goName = goName;
    this.fixedArgs = fixedArgs;
    this.variadic = variadic;
  }

  private static Map<String, Builtin> byName() {
    Map<String, Builtin> map = new HashMap<>();
    for (Builtin b : values()) {
      map.put(b.goName, b);
    }
    return Map.copyOf(map);
  }

  static Builtin byName(String name) {
    return BY_NAME.get(name);
  }

  String goName() {
    return goName;
  }

  /** Go's arity error for a call with {@code got} arguments, or {@code null} when it fits. */
  String arityProblem(int got) {
    if (variadic && got < fixedArgs) {
      return "wrong number of args for " + goName + ": want at least " + fixedArgs + " got " + got;
    }
    if (!variadic && got != fixedArgs) {
      return "wrong number of args for " + goName + ": want " + fixedArgs + " got " + got;
    }
    return null;
  }
}
