package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the stand-in refused, carrying what the real API server would answer: the HTTP code,
 * the {@code Status} reason (e.g. {@code NotFound}, {@code AlreadyExists}, {@code Conflict}) and
 * the message text the real server uses (e.g. {@code pods "web-0" not found}).
 */
public final class ApiStatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String reason;
  private final transient ResourceType type;
  private final String name;

  /** A complete {@code Status} body to send instead of one built from the fields, or null. */
  private final transient ObjectNode status;

  ApiStatusException(int code, String reason, String message) {
    this(code, reason, message, null, null);
  }

  ApiStatusException(int code, String reason, String message, ResourceType type, String name) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.type = type;
    this.name = name;
    this.status = null;
  }

  /** An error whose {@code Status} body is given whole (e.g. a webhook's, sanitised). */
  private ApiStatusException(ObjectNode status) {
    super(status.path("message").asText(""));
    this.code = status.path("code").asInt(500);
    this.reason = status.path("reason").asText("");
    this.type = null;
    this.name = null;
    this.status = status;
  }

  /** HTTP status code, e.g. 404. */
  public int code() {
    return code;
  }

  /** The {@code Status} reason, e.g. {@code NotFound}. */
  public String reason() {
    return reason;
  }

  static ApiStatusException notFound(ResourceType type, String name) {
    return new ApiStatusException(
        404, "NotFound", type.qualifiedResource() + " \"" + name + "\" not found", type, name);
  }

  static ApiStatusException alreadyExists(ResourceType type, String name) {
    return new ApiStatusException(
        409,
        "AlreadyExists",
        type.qualifiedResource() + " \"" + name + "\" already exists",
        type,
        name);
  }

  static ApiStatusException conflict(ResourceType type, String name, String why) {
    return new ApiStatusException(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + type.qualifiedResource()
            + " \""
            + name
            + "\": "
            + why,
        type,
        name);
  }

  static ApiStatusException invalid(ResourceType type, String name, String causes) {
    // As apimachinery's NewInvalid: the kind is qualified by its group ("Kind.group").
    String kind = type.group().isEmpty() ? type.kind() : type.kind() + "." + type.group();
    return new ApiStatusException(
        422, "Invalid", kind + " \"" + name + "\" is invalid: " + causes, type, name);
  }

  /**
   * 403 Forbidden as the API server's admission plugins answer: {@code <resource> "<name>" is
   * forbidden: <why>}, with an optional {@code StatusCause} ({@code reason}, {@code message},
   * {@code field}).
   */
  static ApiStatusException forbidden(
      ResourceType type, String name, String why, ObjectNode cause) {
    ObjectNode status = statusBase();
    status.put("message", type.qualifiedResource() + " \"" + name + "\" is forbidden: " + why);
    status.put("reason", "Forbidden");
    ObjectNode details = status.putObject("details");
    details.put("name", name);
    if (!type.group().isEmpty()) {
      details.put("group", type.group());
    }
    details.put("kind", type.plural());
    if (cause != null) {
      details.putArray("causes").add(cause);
    }
    status.put("code", 403);
    return new ApiStatusException(status);
  }

  /**
   * 500 as apimachinery's NewInternalError: {@code Internal error occurred: <why>}, with the
   * cause's message in {@code details.causes}.
   */
  static ApiStatusException internalError(String why) {
    ObjectNode status = statusBase();
    status.put("message", "Internal error occurred: " + why);
    status.put("reason", "InternalError");
    status.putObject("details").putArray("causes").addObject().put("message", why);
    status.put("code", 500);
    return new ApiStatusException(status);
  }

  /**
   * An error answered with exactly this {@code Status} body; {@code kind}, {@code apiVersion},
   * {@code metadata} and {@code status: Failure} are filled in when missing.
   */
  static ApiStatusException withStatus(ObjectNode status) {
    ObjectNode body = statusBase();
    body.setAll(status);
    if (body.path("status").asText("").isEmpty()
        || body.path("status").asText().equals("Success")) {
      body.put("status", "Failure");
    }
    return new ApiStatusException(body);
  }

  private static ObjectNode statusBase() {
    ObjectNode status = Json.object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    return status;
  }

  static ApiStatusException badRequest(String message) {
    return new ApiStatusException(400, "BadRequest", message);
  }

  static ApiStatusException gone(String message) {
    return new ApiStatusException(410, "Expired", message);
  }

  static ApiStatusException routeNotFound() {
    return new ApiStatusException(
        404, "NotFound", "the server could not find the requested resource");
  }

  static ApiStatusException methodNotAllowed() {
    return new ApiStatusException(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  }

  /** A fault injected by the test: the reason is the one the real server uses for the code. */
  static ApiStatusException injected(int code) {
    String reason =
        switch (code) {
          case 429 -> "TooManyRequests";
          case 500 -> "InternalError";
          case 503 -> "ServiceUnavailable";
          case 504 -> "Timeout";
          default -> "";
        };
    return new ApiStatusException(code, reason, "injected fault: HTTP " + code);
  }

  /** The {@code Status} object the real API server sends for this error. */
  ObjectNode toStatus() {
    if (this.status != null) {
      return this.status.deepCopy();
    }
    ObjectNode status = statusBase();
    status.put("message", getMessage());
    if (!reason.isEmpty()) {
      status.put("reason", reason);
    }
    if (type != null) {
      ObjectNode details = status.putObject("details");
      if (name != null) {
        details.put("name", name);
      }
      if (!type.group().isEmpty()) {
        details.put("group", type.group());
      }
      details.put("kind", type.plural());
    }
    status.put("code", code);
    return status;
  }
}
