package org.spireregistrar.webhook.server;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An HTTP response: status, content type and body.
 *
 * @param status the HTTP status code
 * @param contentType the {@code Content-Type} header value
 * @param body the body bytes
 */
public record HttpReply(int status, String contentType, byte[] body) {

  /** Go's {@code http.Error} content type. */
  public static final String TEXT = "text/plain; charset=utf-8";

  public static final String JSON = "application/json";

  public HttpReply {
    Objects.requireNonNull(contentType, "contentType");
    body = Objects.requireNonNull(body, "body").clone();
  }

  /** A plain-text error as Go's {@code http.Error} writes it: the message followed by a newline. */
  public static HttpReply text(int status, String message) {
    return new HttpReply(status, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** A 200 with a JSON body. */
  public static HttpReply json(byte[] body) {
    return new HttpReply(200, JSON, body);
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HttpReply r
        && r.status == status
        && r.contentType.equals(contentType)
        && java.util.Arrays.equals(r.body, body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, contentType, java.util.Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "HttpReply[" + status + ", " + contentType + ", " + bodyText() + "]";
  }
}
