package org.spireregistrar.spire;

import java.util.Locale;
import org.spireregistrar.core.EntryResult;

/**
 * Turns a per-item {@code spire.api.types.Status} into a core result code. SPIRE before 1.11
 * reported every datastore failure as INTERNAL; the message still tells what happened, so INTERNAL
 * is reclassified by its text (SQLite, MySQL and PostgreSQL wordings).
 */
final class ItemStatus {

  private ItemStatus() {}

  static EntryResult.Code classify(int grpcCode, String message) {
    EntryResult.Code code = ProtoMapping.fromGrpcCode(grpcCode);
    return code == EntryResult.Code.INTERNAL ? reclassifyInternal(message) : code;
  }

  private static EntryResult.Code reclassifyInternal(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    if (m.contains("unable to find federated bundle")) {
      return EntryResult.Code.FAILED_PRECONDITION;
    }
    if (m.contains("record not found")) {
      return EntryResult.Code.NOT_FOUND;
    }
    if (m.contains("unique constraint")
        || m.contains("duplicate entry")
        || m.contains("duplicate key value")) {
      return EntryResult.Code.ALREADY_EXISTS;
    }
    if (m.contains("datastore-validation") || m.contains("invalid registration entry")) {
      return EntryResult.Code.INVALID_ARGUMENT;
    }
    return EntryResult.Code.INTERNAL;
  }
}
