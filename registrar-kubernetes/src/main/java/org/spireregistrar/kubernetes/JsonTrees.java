package org.spireregistrar.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Map;

/**
 * Jackson trees (admission bodies) as the Gson trees {@link ObjectViews} reads, which is what
 * client-java's informers hand over.
 */
public final class JsonTrees {
  private JsonTrees() {}

  /**
   * The same tree in Gson: objects keep their key order, numbers their value; a binary node (YAML
   * {@code !!binary}) becomes its base64 text. Recursion depth is bounded by the parser's nesting
   * limit.
   */
  public static JsonElement toGson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return JsonNull.INSTANCE;
    }
    if (node.isObject()) {
      JsonObject out = new JsonObject();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        out.add(e.getKey(), toGson(e.getValue()));
      }
      return out;
    }
    if (node.isArray()) {
      JsonArray out = new JsonArray(node.size());
      for (JsonNode e : node) {
        out.add(toGson(e));
      }
      return out;
    }
    if (node.isBoolean()) {
      return new JsonPrimitive(node.booleanValue());
    }
    if (node.isNumber()) {
      return new JsonPrimitive(node.numberValue());
    }
    return new JsonPrimitive(node.asText());
  }
}
