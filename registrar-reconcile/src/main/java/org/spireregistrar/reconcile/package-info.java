/**
 * registrar-reconcile: informer events mark objects in a {@code WorkQueue}; the {@code SyncEngine}
 * runs a {@code SyncPass} per batch that diffs against the {@code OwnedEntryIndex} and writes with
 * the {@code BatchWriter}. All timing comes from a {@code Ticker}.
 */
package org.spireregistrar.reconcile;
