package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The validating admission step of one write, as the store asks it: after the object to store has
 * been worked out (name generated, {@code uid} set, patch applied) and before it is stored. The
 * store calls {@link #validate} without holding its lock, so a webhook may call back into the
 * stand-in; if the object changed meanwhile, the store works the write out again and asks again.
 */
interface Admission {
  /** No admission: seeding, and writes while no webhook is configured. */
  Admission NONE =
      new Admission() {
        @Override
        public boolean active() {
          return false;
        }

        @Override
        public void validate(Request request) {}
      };

  /**
   * Whether {@link #validate} may call anything; when false the store writes in one step, as it did
   * before admission existed.
   */
  boolean active();

  /**
   * Asks every matching webhook.
   *
   * @throws ApiStatusException the webhook's denial, or 500 when a call fails and its {@code
   *     failurePolicy} is {@code Fail}
   */
  void validate(Request request);

  /** Warnings the webhooks returned so far, for {@code Warning} response headers. */
  default List<String> warnings() {
    return List.of();
  }

  /**
   * One admission request, as the API server fills in {@code AdmissionReview.request}.
   *
   * @param operation {@code CREATE}, {@code UPDATE} or {@code DELETE}
   * @param subresource {@code ""} or {@code status}
   * @param namespace {@code ""} for cluster-scoped objects
   * @param object the object to store; null for DELETE
   * @param oldObject the stored object; null for CREATE
   */
  record Request(
      String operation,
      ResourceType type,
      String subresource,
      String namespace,
      String name,
      ObjectNode object,
      ObjectNode oldObject,
      boolean dryRun) {}
}
