package org.spireregistrar.kubernetes;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Values of a JSON or YAML token stream as the Gson trees {@link ObjectViews} reads, one document
 * at a time, with YAML's anchors, aliases and merge keys resolved.
 *
 * <ul>
 *   <li>An alias ({@code *name}) is the value its anchor ({@code &name}) was given earlier in the
 *       document, shared, not copied. An alias to no anchor, or to a value that contains it, is an
 *       error naming it. Expansion is bounded as kubectl bounds it ({@link
 *       ManifestLimits#excessiveAliasing}), so a "billion laughs" document fails fast.
 *   <li>A merge key ({@code <<: *defaults}, {@code <<: [*a, *b]}) adds the keys of the map (or
 *       maps, the first winning) that the mapping does not set itself.
 *   <li>Maps and lists nest at most {@link ManifestLimits#MAX_DEPTH} deep; a binary value ({@code
 *       !!binary}) reads as its base64 text.
 * </ul>
 *
 * Failures are {@link ManifestInput.InputFailure}s whose message ends with the line and column.
 */
final class TreeReader {

  /** Where an anchor's value is being read: an alias to it would contain itself. */
  private static final Anchored IN_PROGRESS = new Anchored(JsonNull.INSTANCE, 0);

  private final JsonParser p;
  private final ManifestYamlFactory.Parser yaml;
  private final Map<String, Anchored> anchors = new HashMap<>();
  private long decoded;
  private long aliased;

  private record Anchored(JsonElement value, long size) {}

  /** The object of {@link #rootObject}: its other members, and whether the streamed array was. */
  record Root(JsonObject object, boolean streamed) {}

  TreeReader(JsonParser p) {
    this.p = p;
    this.yaml = p instanceof ManifestYamlFactory.Parser y ? y : null;
  }

  /** Starts a new document: anchors are not visible across documents. */
  void newDocument() {
    anchors.clear();
    decoded = 0;
    aliased = 0;
  }

  /**
   * The object starting at the current {@code START_OBJECT}, except that the elements of its member
   * {@code key}, when that is a list, are handed to {@code elements} one by one as they are read
   * rather than kept (a {@code kind: List} of 100,000 pods is never held whole).
   */
  Root rootObject(String key, Consumer<JsonElement> elements) throws IOException {
    boolean[] streamed = {false};
    JsonObject object =
        withAnchor(
            () ->
                object(
                    1,
                    (name, token) -> {
                      if (!name.equals(key) || token != JsonToken.START_ARRAY || isAlias()) {
                        return false;
                      }
                      streamed[0] = true;
                      elements(2, elements);
                      return true;
                    }));
    return new Root(object, streamed[0]);
  }

  /** The value starting at the current token; the parser is left on its last token. */
  JsonElement value() throws IOException {
    return value(0);
  }

  private JsonElement value(int depth) throws IOException {
    if (isAlias()) {
      return alias(p.getText());
    }
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      return withAnchor(() -> object(depth + 1, null));
    }
    if (t == JsonToken.START_ARRAY) {
      return withAnchor(() -> array(depth + 1));
    }
    return withAnchor(this::scalar);
  }

  private interface Read<T extends JsonElement> {
    T read() throws IOException;
  }

  /** Reads a value, recording it under its anchor (if any) with its expanded size. */
  private <T extends JsonElement> T withAnchor(Read<T> read) throws IOException {
    String anchor = yaml == null ? null : yaml.anchor();
    long before = decoded;
    if (anchor != null) {
      anchors.put(anchor, IN_PROGRESS);
    }
    T v = read.read();
    decoded++;
    if (anchor != null) {
      anchors.put(anchor, new Anchored(v, decoded - before));
    }
    return v;
  }

  private JsonElement scalar() throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw failure("unexpected end of input");
    }
    return switch (t) {
      case VALUE_STRING -> new JsonPrimitive(p.getText());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new JsonPrimitive(p.getNumberValue());
      case VALUE_TRUE -> new JsonPrimitive(true);
      case VALUE_FALSE -> new JsonPrimitive(false);
      case VALUE_NULL -> JsonNull.INSTANCE;
      case VALUE_EMBEDDED_OBJECT ->
          p.getEmbeddedObject() instanceof byte[] b
              ? new JsonPrimitive(Base64.getEncoder().encodeToString(b))
              : new JsonPrimitive(p.getText());
      default -> throw failure("unexpected " + t.asString());
    };
  }

  /** Decides whether a member is consumed by the caller (at its value's first token). */
  private interface Member {
    boolean take(String name, JsonToken token) throws IOException;
  }

  private JsonObject object(int depth, Member member) throws IOException {
    checkDepth(depth);
    JsonObject out = new JsonObject();
    List<JsonElement> merges = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken valueToken = next();
      if (member != null && member.take(name, valueToken)) {
        continue;
      }
      if (yaml != null && name.equals("<<")) {
        if (merges == null) {
          merges = new ArrayList<>(1);
        }
        merges.add(value(depth));
        continue;
      }
      out.add(name, value(depth));
    }
    if (t != JsonToken.END_OBJECT) {
      throw failure("unexpected " + (t == null ? "end of input" : t.asString()));
    }
    return merges == null ? out : merged(out, merges);
  }

  private JsonArray array(int depth) throws IOException {
    checkDepth(depth);
    JsonArray out = new JsonArray();
    while (next() != JsonToken.END_ARRAY) {
      out.add(value(depth));
    }
    return out;
  }

  private void elements(int depth, Consumer<JsonElement> elements) throws IOException {
    checkDepth(depth);
    while (next() != JsonToken.END_ARRAY) {
      elements.accept(value(depth));
    }
  }

  private JsonToken next() throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw failure("unexpected end of input");
    }
    return t;
  }

  /** YAML's merge: the keys of the merged maps the mapping does not set, first map first. */
  private JsonObject merged(JsonObject own, List<JsonElement> merges) {
    List<JsonObject> sources = new ArrayList<>();
    for (JsonElement m : merges) {
      if (m.isJsonObject()) {
        sources.add(m.getAsJsonObject());
      } else if (m.isJsonArray()) {
        for (JsonElement e : m.getAsJsonArray()) {
          if (!e.isJsonObject()) {
            throw mergeFailure(e);
          }
          sources.add(e.getAsJsonObject());
        }
      } else {
        throw mergeFailure(m);
      }
    }
    JsonObject out = new JsonObject();
    for (JsonObject source : sources) {
      for (Map.Entry<String, JsonElement> e : source.entrySet()) {
        if (!own.has(e.getKey()) && !out.has(e.getKey())) {
          out.add(e.getKey(), e.getValue());
        }
      }
    }
    for (Map.Entry<String, JsonElement> e : own.entrySet()) {
      out.add(e.getKey(), e.getValue());
    }
    return out;
  }

  private ManifestInput.InputFailure mergeFailure(JsonElement got) {
    return failure("merge key \"<<\" needs a map or a list of maps, got " + describe(got));
  }

  private JsonElement alias(String name) {
    Anchored a = anchors.get(name);
    if (a == null) {
      throw failure("undefined alias \"*" + name + "\" (no \"&" + name + "\" before it)");
    }
    if (a == IN_PROGRESS) {
      throw failure("alias \"*" + name + "\" is inside the value it refers to");
    }
    decoded += a.size();
    aliased += a.size();
    if (ManifestLimits.excessiveAliasing(aliased, decoded)) {
      throw failure(
          "document contains excessive aliasing ("
              + aliased
              + " of "
              + decoded
              + " values come from aliases)");
    }
    return a.value();
  }

  private boolean isAlias() {
    return yaml != null && yaml.alias();
  }

  private void checkDepth(int depth) {
    if (depth > ManifestLimits.MAX_DEPTH) {
      throw failure("maps and lists nested deeper than " + ManifestLimits.MAX_DEPTH + " levels");
    }
  }

  /** A failure at the current token: {@code <what> (line L, column C)}. */
  ManifestInput.InputFailure failure(String what) {
    JsonLocation at = p.currentTokenLocation();
    return new ManifestInput.InputFailure(what + at(at));
  }

  static String at(JsonLocation at) {
    return at == null || at.getLineNr() < 1
        ? ""
        : String.format(Locale.ROOT, " (line %d, column %d)", at.getLineNr(), at.getColumnNr());
  }

  /** A JSON value's type in messages: object, array, string, number, boolean or null. */
  static String describe(JsonElement v) {
    if (v == null || v.isJsonNull()) {
      return "null";
    }
    if (v.isJsonObject()) {
      return "object";
    }
    if (v.isJsonArray()) {
      return "array";
    }
    JsonPrimitive p = v.getAsJsonPrimitive();
    return p.isString() ? "string" : p.isNumber() ? "number" : "boolean";
  }
}
