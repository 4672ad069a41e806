package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.core.EntryResult;

class ItemStatusTest {

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0  | ''                                                                              | OK
          6  | similar entry already exists                                                    | ALREADY_EXISTS
          5  | failed to update entry: datastore-sql: record not found                         | NOT_FOUND
          3  | failed to convert entry: selector list is empty                                 | INVALID_ARGUMENT
          9  | precondition                                                                    | FAILED_PRECONDITION
          14 | unavailable                                                                     | UNAVAILABLE
          16 | unauthenticated                                                                 | UNKNOWN
          13 | failed to update entry: datastore-sql: record not found                         | NOT_FOUND
          13 | failed to delete entry: datastore-sql: record not found                         | NOT_FOUND
          13 | failed to create entry: datastore-sql: UNIQUE constraint failed: registered_entries.entry_id | ALREADY_EXISTS
          13 | failed to create entry: datastore-sql: Error 1062: Duplicate entry 'x' for key 'uix_entry_id' | ALREADY_EXISTS
          13 | failed to create entry: datastore-sql: pq: duplicate key value violates unique constraint | ALREADY_EXISTS
          13 | failed to create entry: datastore-validation: invalid registration entry: entry ID too long | INVALID_ARGUMENT
          13 | failed to create entry: datastore-sql: unable to find federated bundle "spiffe://x.org" | FAILED_PRECONDITION
          13 | failed to create entry: datastore-sql: database is locked                        | INTERNAL
          """)
  void classifiesPerItemStatuses(int code, String message, EntryResult.Code expected) {
    assertThat(ItemStatus.classify(code, message)).isEqualTo(expected);
  }
}
