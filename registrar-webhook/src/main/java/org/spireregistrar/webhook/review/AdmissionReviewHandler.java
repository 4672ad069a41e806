package org.spireregistrar.webhook.review;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.webhook.server.HttpReply;
import org.spireregistrar.webhook.server.PostHandler;

/**
 * The body of a validating webhook endpoint (upstream §4.2 after the HTTP checks): decodes the
 * AdmissionReview, asks the {@link AdmissionController}, answers in the request's version.
 *
 * <ul>
 *   <li>not an AdmissionReview → 400 {@code Malformed JSON body: <reason>};
 *   <li>no {@code request} → 400 {@code Malformed JSON body: AdmissionReview has no request}
 *       (upstream crashed; product decision 2.9);
 *   <li>{@link AdmissionException} → 500 {@code Internal error occurred: <message>};
 *   <li>otherwise 200 with the encoded response, {@code uid} echoed.
 * </ul>
 */
public final class AdmissionReviewHandler implements PostHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionReviewHandler.class);

  /** Error texts quote values from the request; a hostile one must not make a huge answer. */
  static final int MAX_MESSAGE = 2048;

  private final AdmissionReviewCodec codec;
  private final AdmissionController controller;

  public AdmissionReviewHandler(AdmissionReviewCodec codec, AdmissionController controller) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.controller = Objects.requireNonNull(controller, "controller");
  }

  @Override
  public HttpReply handle(byte[] body) {
    AdmissionReview review;
    try {
      review = codec.decode(body);
    } catch (MalformedReviewException e) {
      LOG.warn(
          "Rejected admission body ({} bytes): Malformed JSON body: {}",
          body.length,
          bounded(e.logMessage()));
      return HttpReply.text(400, "Malformed JSON body: " + bounded(e.getMessage()));
    }
    if (review.request().isEmpty()) {
      LOG.warn("Rejected admission body: AdmissionReview has no request");
      return HttpReply.text(400, "Malformed JSON body: AdmissionReview has no request");
    }
    AdmissionRequest request = review.request().get();
    AdmissionResponse response;
    try {
      response = controller.admit(request);
    } catch (AdmissionException e) {
      String message = bounded(e.getMessage());
      // Values from the request are quoted: a newline in one cannot forge a log line.
      LOG.warn(
          "Admission failed: uid={} operation={} object={}: {}",
          GoQuote.quote(bounded(request.uid())),
          GoQuote.quote(bounded(request.operation())),
          GoQuote.quote(bounded(request.ref())),
          GoQuote.quote(message));
      return HttpReply.text(500, "Internal error occurred: " + message);
    }
    return HttpReply.json(codec.encode(review.version(), request.uid(), response));
  }

  /** {@code text}, cut to {@link #MAX_MESSAGE} characters with an ellipsis. */
  static String bounded(String text) {
    return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "…";
  }
}
