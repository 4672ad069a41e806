/**
 * ID policies: how a pod's SPIFFE ID is chosen (service account, label, annotation, identity
 * template), and the {@code spiffe.io/federatesWith} annotation. Policies reject invalid objects
 * with {@link org.spireregistrar.core.RejectedObjectException}.
 */
package org.spireregistrar.core.policy;
