/**
 * The SPIRE adapter: {@link org.spireregistrar.spire.GrpcEntryStore}, the {@code EntryStore} over
 * SPIRE Server's Entry API, and {@link org.spireregistrar.spire.GrpcSvidMinter}, the {@code
 * SvidMinter} over its SVID API on the same connection (our own wire-compatible copies of the SPIRE
 * protos, generated at build time into {@code org.spireregistrar.spire.proto.*}; those types never
 * leave this module).
 */
package org.spireregistrar.spire;
