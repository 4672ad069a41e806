package org.spireregistrar.webhook.review;

/**
 * An admission that could not be decided (SPIRE failed, the object could not be read): answered 500
 * {@code Internal error occurred: <message>}, which the API server treats as a failed webhook call.
 */
public class AdmissionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AdmissionException(String message) {
    super(message);
  }

  public AdmissionException(String message, Throwable cause) {
    super(message, cause);
  }
}
