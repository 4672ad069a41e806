package org.spireregistrar.reconcile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntryStoreException;

/**
 * What became of one item given to the {@link BatchWriter}: the store's result for it, the failure
 * of the whole call that carried it, or "not sent" because this replica was no longer the leader.
 *
 * @param <T> the item written (a spec to create, an entry to update, an ID to delete)
 */
public sealed interface WriteOutcome<T>
    permits WriteOutcome.Written, WriteOutcome.CallFailed, WriteOutcome.NotLeader {

  /** The item, as given to the writer. */
  T item();

  /** The call was made; {@code result} is the store's per-item result (which may be a failure). */
  record Written<T>(T item, EntryResult result) implements WriteOutcome<T> {
    public Written {
      Objects.requireNonNull(result, "result");
    }
  }

  /** The call carrying the item failed as a whole; whether the item was written is unknown. */
  record CallFailed<T>(T item, EntryStoreException error) implements WriteOutcome<T> {
    public CallFailed {
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * Not sent: writing was no longer allowed (leadership lost, or the engine stopping) when the
   * item's window of calls came.
   */
  record NotLeader<T>(T item) implements WriteOutcome<T> {}

  /** Whether any item of {@code outcomes} was not sent for lack of leadership. */
  static boolean leadershipLost(List<? extends WriteOutcome<?>> outcomes) {
    return outcomes.stream().anyMatch(o -> o instanceof NotLeader<?>);
  }

  /** The first whole-call failure among {@code outcomes}, if any. */
  static Optional<EntryStoreException> firstCallFailure(List<? extends WriteOutcome<?>> outcomes) {
    for (WriteOutcome<?> o : outcomes) {
      if (o instanceof CallFailed<?> f) {
        return Optional.of(f.error());
      }
    }
    return Optional.empty();
  }
}
