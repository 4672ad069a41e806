package org.spireregistrar.reconcile;

/** Observes the sync engine (metrics, tests, the demo). Called on the sync thread; be quick. */
public interface SyncListener {

  /** A pass ended (successfully or not). */
  default void onPass(SyncReport report) {}

  /**
   * An object's entries now match its desired state in SPIRE; {@code latencyNanos} is the time
   * since the first change to the object that this pass covered.
   */
  default void onObjectSynced(ObjectKey key, long latencyNanos) {}

  /** A write was made. */
  default void onWrite(WriteKind kind, ObjectKey key, String spiffeId) {}

  /** One item of a write failed; it will be retried with backoff. */
  default void onWriteFailure(ObjectKey key, String message) {}

  /** A whole SPIRE call failed; passes back off and a full resync follows recovery. */
  default void onStoreError(String message) {}

  /** What a write did. */
  enum WriteKind {
    CREATED,
    UPDATED,
    DELETED
  }

  SyncListener NONE = new SyncListener() {};

  /** A listener that tells {@code first}, then {@code second}, of every event. */
  static SyncListener both(SyncListener first, SyncListener second) {
    return new SyncListener() {
      @Override
      public void onPass(SyncReport report) {
        first.onPass(report);
        second.onPass(report);
      }

      @Override
      public void onObjectSynced(ObjectKey key, long latencyNanos) {
        first.onObjectSynced(key, latencyNanos);
        second.onObjectSynced(key, latencyNanos);
      }

      @Override
      public void onWrite(WriteKind kind, ObjectKey key, String spiffeId) {
        first.onWrite(kind, key, spiffeId);
        second.onWrite(kind, key, spiffeId);
      }

      @Override
      public void onWriteFailure(ObjectKey key, String message) {
        first.onWriteFailure(key, message);
        second.onWriteFailure(key, message);
      }

      @Override
      public void onStoreError(String message) {
        first.onStoreError(message);
        second.onStoreError(message);
      }
    };
  }
}
