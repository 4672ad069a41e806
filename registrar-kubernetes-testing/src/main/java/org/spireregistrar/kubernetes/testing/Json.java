package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;

/** Shared Jackson mappers and small tree helpers. */
final class Json {
  static final ObjectMapper MAPPER = JsonMapper.builder().build();
  static final YAMLMapper YAML = new YAMLMapper();

  private Json() {}

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** The text at a dotted path, {@code ""} when absent or null; scalars as their text. */
  static String text(JsonNode node, String dottedPath) {
    JsonNode current = node;
    for (String part : dottedPath.split("\\.", -1)) {
      if (current == null || !current.isObject()) {
        return "";
      }
      current = current.get(part);
    }
    if (current == null || current.isNull() || current.isContainerNode()) {
      return "";
    }
    return current.asText();
  }

  /** {@code object.metadata}, created if absent (the object must be mutable). */
  static ObjectNode metadata(ObjectNode object) {
    JsonNode meta = object.get("metadata");
    if (meta instanceof ObjectNode m) {
      return m;
    }
    return object.putObject("metadata");
  }

  /**
   * Whether two trees are equal with numbers compared by value: a tree read back from JSON has an
   * int where the one it was written from may have had a long.
   */
  static boolean same(JsonNode a, JsonNode b) {
    return a.equals(NUMERIC_BY_VALUE, b);
  }

  private static final Comparator<JsonNode> NUMERIC_BY_VALUE =
      (x, y) -> {
        if (x.equals(y)) {
          return 0;
        }
        if (x.isNumber() && y.isNumber()) {
          return x.decimalValue().compareTo(y.decimalValue());
        }
        return 1;
      };

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** RFC 3339 in whole seconds, as Kubernetes writes {@code metav1.Time}. */
  static String timestamp(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }
}
