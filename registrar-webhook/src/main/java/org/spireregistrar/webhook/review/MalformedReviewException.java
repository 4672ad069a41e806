package org.spireregistrar.webhook.review;

/**
 * A request body that is not an AdmissionReview: answered 400 {@code Malformed JSON body:
 * <message>}.
 */
public class MalformedReviewException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String logMessage;

  public MalformedReviewException(String message) {
    super(message);
    this.logMessage = message;
  }

  /**
   * @param message the reply text, which may quote the caller's own body back to it (as the API
   *     machinery upstream used does)
   * @param logMessage the same reason without any part of the body, for the log: a review carries
   *     whole objects (a pod's environment values, a Secret) that must never reach a log
   */
  public MalformedReviewException(String message, String logMessage) {
    super(message);
    this.logMessage = logMessage;
  }

  /** The reason without any part of the body. */
  public String logMessage() {
    return logMessage;
  }

  public MalformedReviewException(String message, Throwable cause) {
    super(message, cause);
    this.logMessage = message;
  }
}
