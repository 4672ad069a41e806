/**
 * Example: embedding the registrar's configuration reader and core in a Java controller ({@link
 * org.spireregistrar.examples.embedding.IdentityController}), tested against the in-memory SPIRE
 * server.
 */
package org.spireregistrar.examples.embedding;
