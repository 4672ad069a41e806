package org.spireregistrar.reconcile;

/**
 * What one sync pass did.
 *
 * @param full whether it was a full resync (all owned entries listed and diffed)
 * @param objects objects examined
 * @param desired entries the examined objects call for
 * @param created entries created (adopted ALREADY_EXISTS included)
 * @param updated entries updated
 * @param deleted entries deleted (NOT_FOUND included)
 * @param unchanged desired entries already correct
 * @param failed items that failed and will be retried
 * @param rejected objects the policy rejected (their entries left untouched)
 * @param ownedEntries size of the owned-entry index after the pass
 * @param durationNanos wall time of the pass
 * @param error a whole-call SPIRE failure that ended the pass early; empty when none
 */
public record SyncReport(
    boolean full,
    int objects,
    int desired,
    int created,
    int updated,
    int deleted,
    int unchanged,
    int failed,
    int rejected,
    int ownedEntries,
    long durationNanos,
    String error) {

  public boolean succeeded() {
    return failed == 0 && error.isEmpty();
  }

  public int writes() {
    return created + updated + deleted;
  }
}
