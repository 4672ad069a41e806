/**
 * What {@code generate-config} produces for webhook mode (upstream {@code generate-config.go}): the
 * CA, server and client certificates ({@link org.spireregistrar.webhook.setup.WebhookPki}) and the
 * Kubernetes manifests that wire the API server to the registrar ({@link
 * org.spireregistrar.webhook.setup.WebhookManifests}), as valid YAML.
 */
package org.spireregistrar.webhook.setup;
