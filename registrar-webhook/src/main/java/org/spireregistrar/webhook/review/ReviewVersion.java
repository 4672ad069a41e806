package org.spireregistrar.webhook.review;

import java.util.Optional;

/** The AdmissionReview versions the API server may send; answers carry the request's version. */
public enum ReviewVersion {
  V1("admission.k8s.io/v1"),
  V1BETA1("admission.k8s.io/v1beta1");

  private final String apiVersion;

  ReviewVersion(String apiVersion) {
    this.apiVersion = apiVersion;
  }

  /** {@code admission.k8s.io/v1} or {@code admission.k8s.io/v1beta1}. */
  public String apiVersion() {
    return apiVersion;
  }

  /** The version an {@code apiVersion} names, exactly. */
  public static Optional<ReviewVersion> of(String apiVersion) {
    for (ReviewVersion v : values()) {
      if (v.apiVersion.equals(apiVersion)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
