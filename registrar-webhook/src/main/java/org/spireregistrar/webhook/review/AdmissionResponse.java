package org.spireregistrar.webhook.review;

import java.util.Objects;
import java.util.Optional;

/**
 * The verdict of an admission: allowed, or denied with a status.
 *
 * @param allowed whether the API server may proceed
 * @param status why not; empty when allowed
 */
public record AdmissionResponse(boolean allowed, Optional<Status> status) {

  private static final AdmissionResponse ALLOW = new AdmissionResponse(true, Optional.empty());

  /**
   * A {@code metav1.Status} result.
   *
   * @param code the HTTP-like code, e.g. 403
   * @param reason a machine-readable reason, e.g. {@code Forbidden}; empty for none
   * @param message the human-readable explanation shown to the user
   */
  public record Status(int code, String reason, String message) {
    public Status {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  public AdmissionResponse {
    Objects.requireNonNull(status, "status");
    if (allowed && status.isPresent()) {
      throw new IllegalArgumentException("an allowed response carries no status");
    }
  }

  public static AdmissionResponse allow() {
    return ALLOW;
  }

  /** A denial, e.g. {@code deny(403, "Forbidden", "spec.selector: …")}. */
  public static AdmissionResponse deny(int code, String reason, String message) {
    return new AdmissionResponse(false, Optional.of(new Status(code, reason, message)));
  }
}
