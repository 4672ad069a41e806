package org.spireregistrar.webhook.review;

/**
 * A request body that is not an AdmissionReview: answered 400 {@code Malformed JSON body:
 * <message>}.
 */
public class MalformedReviewException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedReviewException(String message) {
    super(message);
  }

  public MalformedReviewException(String message, Throwable cause) {
    super(message, cause);
  }
}
