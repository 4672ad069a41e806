/**
 * AdmissionReview {@code admission.k8s.io/v1} and {@code v1beta1}: the JSON codec, the request and
 * response records, and the handler that turns a review into an {@link
 * org.spireregistrar.webhook.review.AdmissionController} call and back.
 */
package org.spireregistrar.webhook.review;
