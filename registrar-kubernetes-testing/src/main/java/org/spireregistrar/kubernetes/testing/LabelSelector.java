package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed {@code labelSelector} query parameter, with the grammar and matching rules of the real
 * API server: {@code k=v}, {@code k==v}, {@code k!=v}, {@code k}, {@code !k}, {@code k in (a,b)},
 * {@code k notin (a,b)}, {@code k>1}, {@code k<1}, joined by commas. {@code !=} and {@code notin}
 * also match objects without the label.
 */
final class LabelSelector {
  static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  private enum Op {
    EQUALS,
    NOT_EQUALS,
    EXISTS,
    DOES_NOT_EXIST,
    IN,
    NOT_IN,
    GREATER_THAN,
    LESS_THAN
  }

  private record Requirement(String key, Op op, Set<String> values) {
    boolean matches(JsonNode labels) {
      JsonNode node = labels == null ? null : labels.get(key);
      boolean present = node != null && !node.isNull();
      String value = present ? node.asText() : null;
      return switch (op) {
        case EQUALS, IN -> present && values.contains(value);
        case NOT_EQUALS, NOT_IN -> !present || !values.contains(value);
        case EXISTS -> present;
        case DOES_NOT_EXIST -> !present;
        case GREATER_THAN -> present && compare(value) > 0;
        case LESS_THAN -> present && compare(value) < 0;
      };
    }

    private int compare(String value) {
      try {
        return Long.compare(Long.parseLong(value), Long.parseLong(values.iterator().next()));
      } catch (NumberFormatException e) {
        return 0;
      }
    }
  }

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /**
   * Parses a selector; {@code null} or blank selects everything.
   *
   * @throws ApiStatusException 400 BadRequest on a syntax error
   */
  static LabelSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return EVERYTHING;
    }
    return new Parser(selector).parse();
  }

  /**
   * A {@code metav1.LabelSelector} ({@code matchLabels} and {@code matchExpressions} with the
   * operators {@code In}, {@code NotIn}, {@code Exists} and {@code DoesNotExist}), as webhook
   * {@code namespaceSelector}s and {@code objectSelector}s are written. {@code null}, a missing
   * node and {@code {}} select everything.
   *
   * @throws IllegalArgumentException naming the unknown operator
   */
  static LabelSelector of(JsonNode selector) {
    if (selector == null || !selector.isObject()) {
      return EVERYTHING;
    }
    List<Requirement> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : selector.path("matchLabels").properties()) {
      out.add(new Requirement(e.getKey(), Op.EQUALS, Set.of(e.getValue().asText())));
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asText("");
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(v -> values.add(v.asText()));
      String operator = expression.path("operator").asText("");
      Op op =
          switch (operator) {
            case "In" -> Op.IN;
            case "NotIn" -> Op.NOT_IN;
            case "Exists" -> Op.EXISTS;
            case "DoesNotExist" -> Op.DOES_NOT_EXIST;
            default ->
                throw new IllegalArgumentException(
                    "\"" + operator + "\" is not a valid label selector operator");
          };
      out.add(new Requirement(key, op, Set.copyOf(values)));
    }
    return out.isEmpty() ? EVERYTHING : new LabelSelector(List.copyOf(out));
  }

  /** Whether this selects everything (no requirements). */
  boolean isEverything() {
    return requirements.isEmpty();
  }

  /** Whether an object with these labels ({@code metadata.labels}, possibly null) matches. */
  boolean matches(JsonNode labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** A hand-written recursive-descent parser over a small lexer, like labels.Parse in Go. */
  private static final class Parser {
    private static final String SPECIAL = "!=(),<> \t";
    private static final Set<String> OPERATORS =
        Set.of("!", "=", "==", "!=", "(", ")", ",", "<", ">");
    private final String input;
    private final List<String> tokens = new ArrayList<>();
    private int pos;

    Parser(String input) {
      this.input = input;
      lex();
    }

    private void lex() {
      int i = 0;
      while (i < input.length()) {
        char c = input.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if ((c == '!' || c == '=') && i + 1 < input.length() && input.charAt(i + 1) == '=') {
          tokens.add(c + "=");
          i += 2;
        } else if (SPECIAL.indexOf(c) >= 0) {
          tokens.add(String.valueOf(c));
          i++;
        } else {
          int start = i;
          while (i < input.length()
              && SPECIAL.indexOf(input.charAt(i)) < 0
              && !Character.isWhitespace(input.charAt(i))) {
            i++;
          }
          tokens.add(input.substring(start, i));
        }
      }
    }

    LabelSelector parse() {
      List<Requirement> out = new ArrayList<>();
      while (true) {
        out.add(requirement());
        if (pos == tokens.size()) {
          return new LabelSelector(List.copyOf(out));
        }
        expect(",", "','");
        if (pos == tokens.size()) {
          throw error("found 'end of string', expected: identifier");
        }
      }
    }

    private Requirement requirement() {
      if ("!".equals(peek())) {
        pos++;
        return new Requirement(identifier(), Op.DOES_NOT_EXIST, Set.of());
      }
      String key = identifier();
      String op = peek();
      if (op == null || op.equals(",")) {
        return new Requirement(key, Op.EXISTS, Set.of());
      }
      pos++;
      return switch (op) {
        case "=", "==" -> new Requirement(key, Op.EQUALS, Set.of(optionalValue()));
        case "!=" -> new Requirement(key, Op.NOT_EQUALS, Set.of(optionalValue()));
        case ">" -> new Requirement(key, Op.GREATER_THAN, Set.of(number()));
        case "<" -> new Requirement(key, Op.LESS_THAN, Set.of(number()));
        case "in" -> new Requirement(key, Op.IN, valueSet());
        case "notin" -> new Requirement(key, Op.NOT_IN, valueSet());
        default -> throw error("found '" + op + "', expected: in, notin, =, ==, !=, gt, lt");
      };
    }

    private Set<String> valueSet() {
      expect("(", "'('");
      List<String> values = new ArrayList<>();
      while (true) {
        String t = peek();
        if (t == null) {
          throw error("found 'end of string', expected: ',', ')' or identifier");
        }
        if (t.equals(")")) {
          if (values.isEmpty()) {
            values.add("");
          }
          pos++;
          return Set.copyOf(values);
        }
        if (t.equals(",")) {
          pos++;
          continue;
        }
        values.add(identifier());
      }
    }

    private String optionalValue() {
      String t = peek();
      if (t == null || t.equals(",")) {
        return "";
      }
      return identifier();
    }

    private String number() {
      String v = identifier();
      try {
        Long.parseLong(v);
        return v;
      } catch (NumberFormatException e) {
        throw error("for 'Gt', 'Lt' operators, the value must be an integer: " + v);
      }
    }

    private String identifier() {
      String t = peek();
      if (t == null) {
        throw error("found 'end of string', expected: identifier");
      }
      if (OPERATORS.contains(t)) {
        throw error("found '" + t + "', expected: identifier");
      }
      pos++;
      return t;
    }

    private void expect(String token, String described) {
      String t = peek();
      if (!token.equals(t)) {
        throw error("found '" + (t == null ? "end of string" : t) + "', expected: " + described);
      }
      pos++;
    }

    private String peek() {
      return pos < tokens.size() ? tokens.get(pos) : null;
    }

    private ApiStatusException error(String detail) {
      return ApiStatusException.badRequest(
          "unable to parse requirement: label selector \"" + input + "\": " + detail);
    }
  }
}
