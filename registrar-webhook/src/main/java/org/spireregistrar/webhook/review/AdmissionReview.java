package org.spireregistrar.webhook.review;

import java.util.Objects;
import java.util.Optional;

/**
 * A decoded AdmissionReview.
 *
 * @param version the version it came in, and the one to answer in
 * @param request empty when the review has none (answered 400, product decision 2.9)
 */
public record AdmissionReview(ReviewVersion version, Optional<AdmissionRequest> request) {

  public AdmissionReview {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(request, "request");
  }
}
