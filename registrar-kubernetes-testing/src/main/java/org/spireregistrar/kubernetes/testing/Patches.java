package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The patch formats the API server accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
 * strategic merge patch, which the stand-in applies as a merge patch after honouring the {@code
 * $patch: delete|replace} and {@code $deleteFromPrimitiveList/<field>} directives and dropping the
 * other {@code $} directives. Lists are therefore replaced, not merged by key.
 */
final class Patches {
  private Patches() {}

  /** RFC 7386: objects merge recursively, {@code null} removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? target.deepCopy() : Json.object();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
      }
    }
    return result;
  }

  /** A strategic merge patch, approximated as described on the class. */
  static JsonNode strategicMergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    String directive = patch.path("$patch").asText("");
    if (directive.equals("replace")) {
      return stripDirectives(patch);
    }
    ObjectNode result = target != null && target.isObject() ? target.deepCopy() : Json.object();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.startsWith("$deleteFromPrimitiveList/")) {
        String field = key.substring("$deleteFromPrimitiveList/".length());
        deleteFromList(result, field, value);
      } else if (key.startsWith("$")) {
        continue; // $setElementOrder, $retainKeys: ordering and pruning hints only
      } else if (value.isNull() || "delete".equals(value.path("$patch").asText(""))) {
        result.remove(key);
      } else {
        result.set(key, strategicMergePatch(result.get(key), value));
      }
    }
    return result;
  }

  private static void deleteFromList(ObjectNode result, String field, JsonNode toDelete) {
    if (!(result.get(field) instanceof ArrayNode list)) {
      return;
    }
    ArrayNode kept = list.arrayNode();
    for (JsonNode item : list) {
      boolean delete = false;
      for (JsonNode d : toDelete) {
        delete |= d.equals(item);
      }
      if (!delete) {
        kept.add(item);
      }
    }
    result.set(field, kept);
  }

  private static JsonNode stripDirectives(JsonNode node) {
    if (!node.isObject()) {
      return node.deepCopy();
    }
    ObjectNode out = Json.object();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getKey().startsWith("$")) {
        out.set(e.getKey(), stripDirectives(e.getValue()));
      }
    }
    return out;
  }

  /**
   * RFC 6902: applies {@code add}, {@code remove}, {@code replace}, {@code move}, {@code copy} and
   * {@code test} in order to a copy of the target.
   *
   * @throws ApiStatusException 422 naming the failing operation
   */
  static JsonNode jsonPatch(JsonNode target, JsonNode operations, ResourceType type, String name) {
    if (!operations.isArray()) {
      throw ApiStatusException.badRequest("a JSON patch must be an array of operations");
    }
    JsonNode doc = target.deepCopy();
    for (JsonNode op : operations) {
      String kind = op.path("op").asText("");
      String path = op.path("path").asText(null);
      if (path == null) {
        throw invalid(type, name, kind, "missing path");
      }
      switch (kind) {
        case "add" -> doc = add(doc, path, requireValue(op, type, name), type, name, kind);
        case "replace" -> {
          requireExists(doc, path, type, name, kind);
          doc =
              add(
                  remove(doc, path, type, name, kind),
                  path,
                  requireValue(op, type, name),
                  type,
                  name,
                  kind);
        }
        case "remove" -> doc = remove(doc, path, type, name, kind);
        case "move", "copy" -> {
          String from = op.path("from").asText(null);
          if (from == null) {
            throw invalid(type, name, kind, "missing from");
          }
          JsonNode value = requireExists(doc, from, type, name, kind).deepCopy();
          if (kind.equals("move")) {
            doc = remove(doc, from, type, name, kind);
          }
          doc = add(doc, path, value, type, name, kind);
        }
        case "test" -> {
          JsonNode actual = requireExists(doc, path, type, name, kind);
          if (!actual.equals(requireValue(op, type, name))) {
            throw invalid(type, name, kind, "testing value " + path + " failed");
          }
        }
        default -> throw invalid(type, name, kind, "unexpected operation");
      }
    }
    return doc;
  }

  private static JsonNode requireValue(JsonNode op, ResourceType type, String name) {
    JsonNode value = op.get("value");
    if (value == null) {
      throw invalid(type, name, op.path("op").asText(), "missing value");
    }
    return value.deepCopy();
  }

  private static JsonNode requireExists(
      JsonNode doc, String path, ResourceType type, String name, String kind) {
    JsonNode node = doc.at(path);
    if (node.isMissingNode()) {
      throw invalid(type, name, kind, "doc is missing path: " + path);
    }
    return node;
  }

  private static JsonNode add(
      JsonNode doc, String path, JsonNode value, ResourceType type, String name, String kind) {
    if (path.isEmpty()) {
      return value;
    }
    List<String> tokens = pointer(path);
    JsonNode parent = doc.at(parentPointer(path));
    String last = tokens.get(tokens.size() - 1);
    if (parent instanceof ObjectNode obj) {
      obj.set(last, value);
    } else if (parent instanceof ArrayNode arr) {
      int index = last.equals("-") ? arr.size() : index(last, arr.size(), type, name, kind);
      arr.insert(index, value);
    } else {
      throw invalid(type, name, kind, "doc is missing path: " + path);
    }
    return doc;
  }

  private static JsonNode remove(
      JsonNode doc, String path, ResourceType type, String name, String kind) {
    requireExists(doc, path, type, name, kind);
    List<String> tokens = pointer(path);
    if (tokens.isEmpty()) {
      throw invalid(type, name, kind, "cannot remove the whole document");
    }
    JsonNode parent = doc.at(parentPointer(path));
    String last = tokens.get(tokens.size() - 1);
    if (parent instanceof ObjectNode obj) {
      obj.remove(last);
    } else if (parent instanceof ArrayNode arr) {
      arr.remove(index(last, arr.size() - 1, type, name, kind));
    }
    return doc;
  }

  private static int index(String token, int max, ResourceType type, String name, String kind) {
    try {
      int i = Integer.parseInt(token);
      if (i >= 0 && i <= max) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(type, name, kind, "invalid array index: " + token);
  }

  private static List<String> pointer(String path) {
    if (!path.startsWith("/")) {
      throw ApiStatusException.badRequest("JSON pointer must start with '/': " + path);
    }
    List<String> tokens = new ArrayList<>();
    for (String t : path.substring(1).split("/", -1)) {
      tokens.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }

  private static String parentPointer(String path) {
    return path.substring(0, path.lastIndexOf('/'));
  }

  private static ApiStatusException invalid(
      ResourceType type, String name, String op, String detail) {
    return new ApiStatusException(
        422,
        "Invalid",
        type.kind() + " \"" + name + "\" is invalid: json patch " + op + " operation: " + detail,
        type,
        name);
  }
}
