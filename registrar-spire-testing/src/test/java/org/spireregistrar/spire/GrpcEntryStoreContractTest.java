package org.spireregistrar.spire;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.testing.EntryStoreContract;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/** The EntryStore contract for GrpcEntryStore against the in-memory SPIRE over a Unix socket. */
class GrpcEntryStoreContractTest extends EntryStoreContract {

  /** Fast retries so that "unavailable" fails in milliseconds. */
  static final GrpcEntryStore.Options OPTIONS =
      GrpcEntryStore.Options.DEFAULTS
          .withRetry(new GrpcEntryStore.RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5)))
          .withRpcDeadline(Duration.ofSeconds(10))
          .withSocketWait(Duration.ofSeconds(5));

  @TempDir Path dir;

  private InMemorySpireServer spire;
  private GrpcEntryStore grpc;

  @Override
  protected EntryStore newStore() {
    spire =
        InMemorySpireServer.builder().trustDomain(TD).socketPath(dir.resolve("api.sock")).start();
    grpc = GrpcEntryStore.connect(spire.address(), "", OPTIONS);
    return grpc;
  }

  @Override
  protected void closeStore() {
    grpc.close();
    spire.close();
  }

  @Override
  protected void addFederatedBundle(TrustDomain td) {
    spire.addFederatedBundle(td);
  }

  @Override
  protected void failItems(Predicate<EntrySpec> which, EntryResult.Code code, String message) {
    spire.failItems(which, code, message);
  }

  @Override
  protected void setUnavailable(boolean unavailable) {
    spire.setUnavailable(unavailable);
  }

  @Override
  protected void seed(Entry entry) {
    spire.putEntry(entry);
  }
}
