/**
 * The {@code bench} scenarios ({@link org.spireregistrar.bench.BenchRunner}): the real engine
 * against models of the original registrar's and spire-controller-manager's sync patterns, and the
 * JMH suite ({@link org.spireregistrar.bench.JmhSuite}). Test fixtures at runtime; never a
 * production dependency.
 */
package org.spireregistrar.bench;
