/**
 * {@code generate-config}: webhook mode's certificates and the Kubernetes manifests that wire the
 * API server to the registrar (upstream {@code generate-config.go}, emitting valid YAML).
 */
package org.spireregistrar.cli.generate;
