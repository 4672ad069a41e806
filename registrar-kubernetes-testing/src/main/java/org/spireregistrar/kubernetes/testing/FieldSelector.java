package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@code fieldSelector} query parameter: terms {@code field=value}, {@code field==value}
 * or {@code field!=value} joined by commas, with {@code \,}, {@code \=} and {@code \\} escapes. As
 * on the real API server, only {@code metadata.name}, {@code metadata.namespace} and the type's
 * declared field labels are accepted, and an absent field has the value {@code ""} (so {@code
 * spec.nodeName=} selects unscheduled pods).
 */
final class FieldSelector {
  static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  private record Term(String field, boolean equals, String value) {
    boolean matches(JsonNode object) {
      return Json.text(object, field).equals(value) == equals;
    }
  }

  private final List<Term> terms;

  private FieldSelector(List<Term> terms) {
    this.terms = terms;
  }

  /**
   * Parses a selector for a type; {@code null} or blank selects everything.
   *
   * @throws ApiStatusException 400 BadRequest on a syntax error or an unsupported field
   */
  static FieldSelector parse(String selector, ResourceType type) {
    if (selector == null || selector.isBlank()) {
      return EVERYTHING;
    }
    List<Term> terms = new ArrayList<>();
    for (String raw : splitUnescaped(selector)) {
      terms.add(term(raw.trim(), selector, type));
    }
    return new FieldSelector(List.copyOf(terms));
  }

  private static Term term(String raw, String selector, ResourceType type) {
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '!' && i + 1 < raw.length() && raw.charAt(i + 1) == '=') {
        return term(raw.substring(0, i), false, raw.substring(i + 2), type);
      }
      if (c == '=') {
        int valueStart = i + 1 < raw.length() && raw.charAt(i + 1) == '=' ? i + 2 : i + 1;
        return term(raw.substring(0, i), true, raw.substring(valueStart), type);
      }
      i++;
    }
    throw ApiStatusException.badRequest(
        "invalid field selector \"" + selector + "\": term \"" + raw + "\" has no operator");
  }

  private static Term term(String field, boolean equals, String value, ResourceType type) {
    String f = field.trim();
    boolean supported =
        f.equals("metadata.name")
            || (f.equals("metadata.namespace") && type.namespaced())
            || type.fieldLabels().contains(f);
    if (!supported) {
      throw ApiStatusException.badRequest("field label not supported: " + f);
    }
    return new Term(f, equals, unescape(value.trim()));
  }

  private static List<String> splitUnescaped(String s) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == ',') {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        c = s.charAt(++i);
      }
      out.append(c);
    }
    return out.toString();
  }

  /** Whether this selects everything (no terms). */
  boolean isEverything() {
    return terms.isEmpty();
  }

  /** Whether the object matches every term. */
  boolean matches(JsonNode object) {
    for (Term t : terms) {
      if (!t.matches(object)) {
        return false;
      }
    }
    return true;
  }
}
