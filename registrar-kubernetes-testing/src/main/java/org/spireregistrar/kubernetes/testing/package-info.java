/**
 * An in-process Kubernetes API server stand-in ({@link
 * org.spireregistrar.kubernetes.testing.KubernetesApiStandIn}) that speaks the real HTTP protocol —
 * list, get, create, update, patch, delete and HTTP-streaming watch — for tests, the {@code demo}
 * command and users' own tests. It also answers the discovery calls {@code kubectl} makes.
 */
package org.spireregistrar.kubernetes.testing;
