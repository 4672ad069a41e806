package org.spireregistrar.webhook.review;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.JsonTrees;
import org.spireregistrar.kubernetes.ObjectViews;

/**
 * AdmissionReview JSON ({@code admission.k8s.io/v1} and {@code v1beta1}, whose fields the registrar
 * reads are identical) to records and back, and the Pod inside a request to a {@link Workload}
 * (through registrar-kubernetes' {@link ObjectViews}, the one object mapping).
 *
 * <p>Decoding follows what upstream's apimachinery decoder accepted: {@code kind} and {@code
 * apiVersion} are required and must name an AdmissionReview; unknown fields are ignored; a field
 * the registrar reads that has the wrong JSON type is an error naming the field. Error texts keep
 * apimachinery's where it had one ({@code Object 'Kind' is missing in '…'}, {@code no kind "X" is
 * registered for version "Y" …}). Thread-safe.
 */
public final class AdmissionReviewCodec {

  /** The longest stretch of a raw body quoted back in an error. */
  private static final int QUOTE_LIMIT = 1024;

  private static final String SCHEME = "k8s-workload-registrar";

  private static final Pattern SOURCE_NOTE =
      Pattern.compile(" ?\\(start marker at \\[Source: .*?; line: \\d+, column: \\d+\\]\\)");

  private final JsonMapper mapper =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  /**
   * Decodes a request body.
   *
   * @throws MalformedReviewException what follows {@code Malformed JSON body: } in the 400 answer
   */
  public AdmissionReview decode(byte[] body) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedReviewException(
          "couldn't get version/kind; json parse error: " + describe(e), e);
    } catch (IOException e) {
      throw new MalformedReviewException("couldn't read body: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new MalformedReviewException(
          "Object 'Kind' is missing in '" + quote(body) + "'",
          "Object 'Kind' is missing (" + body.length + " bytes)");
    }
    Fields typeMeta =
        new Fields(
            "",
            root,
            why ->
                new MalformedReviewException(
                    "couldn't get version/kind; json parse error: " + why));
    String kind = typeMeta.string("kind");
    String apiVersion = typeMeta.string("apiVersion");
    if (kind.isEmpty()) {
      throw new MalformedReviewException(
          "Object 'Kind' is missing in '" + quote(body) + "'",
          "Object 'Kind' is missing (" + body.length + " bytes)");
    }
    if (apiVersion.isEmpty()) {
      throw new MalformedReviewException(
          "Object 'apiVersion' is missing in '" + quote(body) + "'",
          "Object 'apiVersion' is missing (" + body.length + " bytes)");
    }
    Optional<ReviewVersion> version = ReviewVersion.of(apiVersion);
    if (version.isEmpty() || !"AdmissionReview".equals(kind)) {
      throw new MalformedReviewException(
          "no kind \""
              + kind
              + "\" is registered for version \""
              + apiVersion
              + "\" in scheme \""
              + SCHEME
              + "\"");
    }
    JsonNode request = root.get("request");
    if (request == null || request.isNull()) {
      return new AdmissionReview(version.get(), Optional.empty());
    }
    return new AdmissionReview(version.get(), Optional.of(request(request)));
  }

  private static AdmissionRequest request(JsonNode request) {
    Fields r = new Fields("request", request, MalformedReviewException::new);
    Fields kind = r.object("kind");
    return new AdmissionRequest(
        r.string("uid"),
        new GroupVersionKind(kind.string("group"), kind.string("version"), kind.string("kind")),
        r.string("namespace"),
        r.string("name"),
        r.string("operation"),
        r.raw("object"),
        r.raw("oldObject"),
        r.bool("dryRun"));
  }

  /**
   * Encodes the answer to a review: {@code kind}, {@code apiVersion} (the request's), and {@code
   * response} with {@code uid} echoed — upstream's exact bytes for an allowed request: {@code
   * {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","response":{"uid":"…",
   * "allowed":true}}}.
   */
  public byte[] encode(ReviewVersion version, String uid, AdmissionResponse response) {
    ObjectNode root = mapper.createObjectNode();
    root.put("kind", "AdmissionReview");
    root.put("apiVersion", version.apiVersion());
    ObjectNode r = root.putObject("response");
    r.put("uid", uid);
    r.put("allowed", response.allowed());
    response
        .status()
        .ifPresent(
            s -> {
              ObjectNode status = r.putObject("status");
              status.putObject("metadata");
              if (!s.message().isEmpty()) {
                status.put("message", s.message());
              }
              if (!s.reason().isEmpty()) {
                status.put("reason", s.reason());
              }
              if (s.code() != 0) {
                status.put("code", s.code());
              }
            });
    try {
      return mapper.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an AdmissionReview", e); // cannot happen
    }
  }

  /**
   * The Pod in {@code object} as a {@link Workload}, read by the one mapping ({@link ObjectViews},
   * strictly): a field it reads that has the wrong JSON type is an error naming the pod and the
   * field. Other fields are ignored.
   *
   * @param object {@code request.object}; empty when the request has none
   * @param defaultNamespace used when the object has no {@code metadata.namespace} (the API server
   *     fills it in before admission, so this only concerns hand-made reviews)
   * @throws AdmissionException {@code unable to unmarshal v1/Pod object: <reason>}, e.g. {@code …:
   *     Pod ns/web-0: metadata.labels must be a map of strings, got list}
   */
  public Workload pod(Optional<JsonNode> object, String defaultNamespace) {
    if (object.isEmpty()) {
      throw new AdmissionException(
          "unable to unmarshal v1/Pod object: unexpected end of JSON input");
    }
    if (!object.get().isObject()) {
      throw new AdmissionException(
          "unable to unmarshal v1/Pod object: expected an object, got " + typeName(object.get()));
    }
    try {
      return new ObjectViews(ObjectViews.Strictness.STRICT, defaultNamespace)
          .pod(JsonTrees.toGson(object.get()).getAsJsonObject());
    } catch (RejectedObjectException e) {
      throw new AdmissionException("unable to unmarshal v1/Pod object: " + e.getMessage(), e);
    }
  }

  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message.startsWith("Trailing token")) {
      message = "invalid character after top-level value"; // Go's words
    }
    // Jackson names a source it does not include; say nothing rather than "REDACTED".
    message = SOURCE_NOTE.matcher(message).replaceAll("");
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      message += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
    return message;
  }

  private static String quote(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    return text.length() <= QUOTE_LIMIT ? text : text.substring(0, QUOTE_LIMIT) + "…";
  }

  static String typeName(JsonNode node) {
    JsonNodeType type = node.getNodeType();
    return switch (type) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING, BINARY -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL, MISSING -> "null";
    };
  }

  /** Typed access to an object's fields; wrong types raise {@code E} naming the field's path. */
  private static final class Fields {
    private final String path;
    private final JsonNode node;
    private final Function<String, RuntimeException> error;

    Fields(String path, JsonNode node, Function<String, RuntimeException> error) {
      this.path = path;
      this.error = error;
      if (node != null && !node.isNull() && !node.isObject()) {
        throw error.apply(
            (path.isEmpty() ? "" : path + ": ") + "expected an object, got " + typeName(node));
      }
      this.node = node;
    }

    private String at(String field) {
      return path.isEmpty() ? field : path + "." + field;
    }

    private JsonNode get(String field) {
      if (node == null || node.isNull()) {
        return null;
      }
      JsonNode v = node.get(field);
      return v == null || v.isNull() ? null : v;
    }

    String string(String field) {
      JsonNode v = get(field);
      if (v == null) {
        return "";
      }
      if (!v.isTextual()) {
        throw error.apply(at(field) + ": expected a string, got " + typeName(v));
      }
      return v.textValue();
    }

    boolean bool(String field) {
      JsonNode v = get(field);
      if (v == null) {
        return false;
      }
      if (!v.isBoolean()) {
        throw error.apply(at(field) + ": expected a boolean, got " + typeName(v));
      }
      return v.booleanValue();
    }

    Fields object(String field) {
      return new Fields(at(field), get(field), error);
    }

    Optional<JsonNode> raw(String field) {
      return Optional.ofNullable(get(field));
    }
  }
}
