/**
 * Test fixtures for anything that talks to SPIRE: {@link
 * org.spireregistrar.spire.testing.InMemorySpireServer} (Entry, Bundle, SVID and Agent APIs with
 * SPIRE's semantics, fault injection and call counters, over a Unix socket, TCP/mTLS or in-process)
 * and {@link org.spireregistrar.spire.testing.EntryStoreContract}, the abstract test every {@code
 * EntryStore} passes. For tests, the demo and benchmarks; never a production dependency.
 */
package org.spireregistrar.spire.testing;
