/**
 * Webhook mode (upstream §4): {@link org.spireregistrar.webhook.WebhookMode} wires the admission
 * algorithm ({@link org.spireregistrar.webhook.PodAdmission}) to the HTTPS server of {@code server}
 * through the AdmissionReview codec of {@code review}. Both are reusable by crd mode.
 */
package org.spireregistrar.webhook;
