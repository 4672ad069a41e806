/**
 * The Kubernetes adapter over the official client-java: client set-up from kubeconfig or the
 * in-cluster account, the one mapping of Kubernetes JSON to the core's views, the streamed reader
 * of {@code plan}'s YAML and JSON files, informers, Lease leader election, and the health/metrics
 * HTTP server. Knows nothing of SPIRE.
 */
package org.spireregistrar.kubernetes;
