/**
 * An in-process Kubernetes API server stand-in ({@link
 * org.spireregistrar.kubernetes.testing.KubernetesApiStandIn}) that speaks the real HTTP protocol —
 * list, get, create, update, patch, delete and HTTP-streaming watch — for tests, the {@code demo}
 * command and users' own tests. It also answers the discovery calls {@code kubectl} makes, calls
 * the validating admission webhooks its {@code ValidatingWebhookConfiguration}s name (over HTTPS,
 * {@code caBundle} checked, {@code failurePolicy} honoured), and does what the control plane does
 * around objects: {@code ownerReferences} garbage collection and namespace deletion, honouring
 * finalizers.
 */
package org.spireregistrar.kubernetes.testing;
