/**
 * The HTTPS server admission webhooks run on: TLS 1.2+, client certificates verified against a CA
 * file, certificate files reloaded on change, bounded bodies and read times, bounded connections
 * (handshake deadline, oldest unused connection closed past the limit), graceful drain. Knows HTTP,
 * not AdmissionReviews.
 */
package org.spireregistrar.webhook.server;
