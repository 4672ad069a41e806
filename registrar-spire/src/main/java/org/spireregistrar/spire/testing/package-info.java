/**
 * {@link org.spireregistrar.spire.testing.InMemorySpireServer}: an in-memory SPIRE Server (Entry,
 * bundle, SVID and agent APIs) with SPIRE's semantics and fault injection, for tests, the demo and
 * benchmarks.
 */
package org.spireregistrar.spire.testing;
