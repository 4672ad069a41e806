package org.spireregistrar.webhook.review;

/** Decides one admission request (webhook mode's pods, crd mode's SpiffeIDs). Thread-safe. */
@FunctionalInterface
public interface AdmissionController {

  /**
   * @return the verdict for {@code request}
   * @throws AdmissionException when no verdict can be reached (answered 500)
   */
  AdmissionResponse admit(AdmissionRequest request);
}
