package org.spireregistrar.spire.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.TrustDomain;

class InMemoryEntryStoreTest extends EntryStoreContract {

  private InMemoryEntryStore memory;

  @Override
  protected EntryStore newStore() {
    memory = new InMemoryEntryStore().checkFederatedBundles(true);
    return memory;
  }

  @Override
  protected void closeStore() {}

  @Override
  protected void addFederatedBundle(TrustDomain td) {
    memory.addFederatedBundle(td);
  }

  @Override
  protected void failItems(Predicate<EntrySpec> which, EntryResult.Code code, String message) {
    memory.failItems(which, code, message);
  }

  @Override
  protected void setUnavailable(boolean unavailable) {
    memory.setUnavailable(unavailable);
  }

  @Override
  protected void seed(Entry entry) {
    memory.put(entry);
  }

  @Test
  void acceptsAnyFederatedTrustDomainUnlessBundlesAreChecked() {
    InMemoryEntryStore lenient = new InMemoryEntryStore();

    EntryResult result = lenient.create(List.of(pod(1).withFederatesWith(List.of(MISSING)))).get(0);

    assertThat(result.code()).isEqualTo(EntryResult.Code.OK);
  }

  @Test
  void countsCallsPerMethod() {
    store.create(List.of(pod(1)));
    store.list(EntryFilter.ALL);
    store.list(EntryFilter.ALL);

    assertThat(memory.calls("create")).isEqualTo(1);
    assertThat(memory.calls("list")).isEqualTo(2);
    assertThat(memory.writeCalls()).isEqualTo(1);
    memory.resetCounters();
    assertThat(memory.writeCalls()).isZero();
  }

  @Test
  void concurrentSimilarCreatesYieldOneEntry() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<EntryResult>>> futures =
          pool.invokeAll(
              List.of(
                  () -> store.create(List.of(pod(1))),
                  () -> store.create(List.of(pod(1))),
                  () -> store.create(List.of(pod(1))),
                  () -> store.create(List.of(pod(1)))));
      for (Future<List<EntryResult>> f : futures) {
        assertThat(f.get().get(0).succeeded()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(memory.entries()).hasSize(1);
  }

  @Test
  void ignoringClientIdsMakesUpIdsLikeAServerBefore18() {
    memory.ignoreClientIds(true);

    EntryResult r = store.createWithIds(List.of(Entry.of(new EntryId("prefix.a"), pod(1)))).get(0);

    assertThat(r.code()).isEqualTo(EntryResult.Code.OK);
    assertThat(r.id().orElseThrow().value()).isNotEqualTo("prefix.a");
  }
}
