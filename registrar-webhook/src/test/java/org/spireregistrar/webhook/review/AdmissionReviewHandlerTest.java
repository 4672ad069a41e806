package org.spireregistrar.webhook.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spireregistrar.webhook.server.HttpReply;

/** A review body holds whole objects: it may go back to its sender, never into the log. */
class AdmissionReviewHandlerTest {

  static final String SECRET = "DB_PASSWORD=hunter2-s3cr3t";

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"object\":{\"env\":\""
            + SECRET
            + "\"}}}",
        "{\"kind\":\"AdmissionReview\",\"request\":{\"object\":{\"env\":\"" + SECRET + "\"}}}",
      })
  void neverLogsTheBodyOfAMalformedReview(String body) {
    AdmissionReviewHandler handler =
        new AdmissionReviewHandler(
            new AdmissionReviewCodec(),
            request -> {
              throw new AssertionError("not an AdmissionReview: never admitted");
            });
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    HttpReply reply;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      reply = handler.handle(body.getBytes(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
    assertThat(reply.status()).isEqualTo(400);
    String logged = log.toString(StandardCharsets.UTF_8);
    assertThat(logged).contains("Rejected admission body (").contains("is missing");
    assertThat(logged).doesNotContain("hunter2");
  }

  @Test
  void theLogMessageOfAMissingKindNamesTheSizeNotTheContent() {
    byte[] body = ("{\"request\":{\"env\":\"" + SECRET + "\"}}").getBytes(StandardCharsets.UTF_8);
    try {
      new AdmissionReviewCodec().decode(body);
      throw new AssertionError("decoded");
    } catch (MalformedReviewException e) {
      assertThat(e.getMessage()).contains("hunter2"); // the reply quotes the sender's own body
      assertThat(e.logMessage()).isEqualTo("Object 'Kind' is missing (" + body.length + " bytes)");
    }
  }
}
