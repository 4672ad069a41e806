package org.spireregistrar.core.template;

import java.util.Map;

/**
 * A map that behaves like a Go struct: a missing field is "can't evaluate field X in type T", it
 * prints as {@code {v1 v2}} in field (iteration) order, and it is always true.
 *
 * @param type the Go type name used in messages, e.g. {@code PodInfo}
 * @param fields field name to value
 */
record GoStruct(String type, Map<String, ?> fields) {

  /** Struct-typed fields of struct types: {@code IdentityMaps.Pod} is a {@code PodInfo}. */
  private static final Map<String, String> STRUCT_FIELDS = Map.of("IdentityMaps.Pod", "PodInfo");

  boolean has(String field) {
    return fields.containsKey(field);
  }

  /** The field's value as a template value (nested structs wrapped, numbers normalised). */
  Object get(String field) {
    Object value = fields.get(field);
    String structType = STRUCT_FIELDS.get(type + "." + field);
    if (structType != null && value instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, ?> nested = (Map<String, ?>) m;
      return new GoStruct(structType, nested);
    }
    return Exec.normalize(value);
  }
}
