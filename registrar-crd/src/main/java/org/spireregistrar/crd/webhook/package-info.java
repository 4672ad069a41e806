/**
 * The SpiffeID validating webhook of crd mode: the decisions ({@link
 * org.spireregistrar.crd.webhook.SpiffeIdAdmission}), the HTTPS server ({@link
 * org.spireregistrar.crd.webhook.SpiffeIdWebhook}) and its serving certificate minted by SPIRE
 * ({@link org.spireregistrar.crd.webhook.WebhookCertificates}).
 */
package org.spireregistrar.crd.webhook;
