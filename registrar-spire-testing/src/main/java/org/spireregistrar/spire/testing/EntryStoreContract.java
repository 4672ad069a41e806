package org.spireregistrar.spire.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryAttributes;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntryResult.Code;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;

/**
 * What every {@link EntryStore} must do, with SPIRE's semantics. Implementations: {@code
 * InMemoryEntryStoreTest} (core) and {@code GrpcEntryStoreContractTest} (registrar-spire, against
 * the in-memory SPIRE server over a real Unix socket).
 *
 * <p>The store under test serves trust domain {@code example.org}, starts empty, knows no federated
 * bundles, and retries (if it does) only briefly.
 */
public abstract class EntryStoreContract {

  protected static final TrustDomain TD = new TrustDomain("example.org");
  protected static final TrustDomain PARTNER = new TrustDomain("partner.org");
  protected static final TrustDomain MISSING = new TrustDomain("missing.org");
  protected static final SpiffeId NODE1 =
      SpiffeId.of(TD, "k8s-workload-registrar", "c1", "node", "n1");
  protected static final SpiffeId NODE2 =
      SpiffeId.of(TD, "k8s-workload-registrar", "c1", "node", "n2");

  protected EntryStore store;

  /** A fresh, empty store (the previous one, if any, was closed by {@link #closeStore}). */
  protected abstract EntryStore newStore();

  /** Releases what {@link #newStore} made. */
  protected abstract void closeStore();

  /** From now on, entries may federate with {@code td}. */
  protected abstract void addFederatedBundle(TrustDomain td);

  /** From now on, write items whose spec matches {@code which} fail with code and message. */
  protected abstract void failItems(Predicate<EntrySpec> which, Code code, String message);

  /** While {@code true}, the backing server or store is down. */
  protected abstract void setUnavailable(boolean unavailable);

  /** Stores {@code entry} as another tool would have written it (attributes kept). */
  protected abstract void seed(Entry entry);

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void releaseStore() {
    closeStore();
  }

  protected static EntrySpec spec(String workload, SpiffeId parent, String... selectors) {
    List<Selector> s = new ArrayList<>();
    for (String text : selectors) {
      s.add(Selector.parse(text));
    }
    return EntrySpec.of(SpiffeId.parse("spiffe://example.org/" + workload), parent, s);
  }

  protected static EntrySpec pod(int i) {
    return spec("ns/default/sa/web-" + i, NODE1, "k8s:ns:default", "k8s:pod-name:web-" + i);
  }

  // ---- create

  @Test
  void createsEntriesWithFreshIdsAndZeroAttributes() {
    List<EntrySpec> specs = List.of(pod(1), pod(2), pod(3));

    List<EntryResult> results = store.create(specs);

    assertThat(results).extracting(EntryResult::code).containsOnly(Code.OK);
    assertThat(results)
        .extracting(r -> r.entry().orElseThrow().spec())
        .containsExactlyElementsOf(specs);
    assertThat(results).extracting(r -> r.id().orElseThrow()).doesNotHaveDuplicates();
    assertThat(results)
        .extracting(r -> r.entry().orElseThrow().attributes())
        .containsOnly(EntryAttributes.NONE);
    assertThat(store.list(EntryFilter.ALL))
        .containsExactlyInAnyOrderElementsOf(
            results.stream().map(r -> r.entry().orElseThrow()).toList());
  }

  @Test
  void createOfSimilarSpecAdoptsTheExistingEntry() {
    EntrySpec original = pod(1).withDnsNames(List.of("web-1.default.svc"));
    Entry existing = store.create(List.of(original)).get(0).entry().orElseThrow();

    // Same parent, SPIFFE ID and selectors; DNS names do not count.
    EntryResult again = store.create(List.of(pod(1).withDnsNames(List.of("other.name")))).get(0);

    assertThat(again.code()).isEqualTo(Code.ALREADY_EXISTS);
    assertThat(again.succeeded()).isTrue();
    assertThat(again.entry()).contains(existing);
    assertThat(again.id()).contains(existing.id());
    assertThat(store.list(EntryFilter.ALL)).containsExactly(existing);
  }

  @Test
  void similarSpecsInOneBatchYieldOneEntry() {
    List<EntryResult> results = store.create(List.of(pod(1), pod(1)));

    assertThat(results).extracting(EntryResult::code).containsExactly(Code.OK, Code.ALREADY_EXISTS);
    assertThat(results.get(1).id()).isEqualTo(results.get(0).id());
    assertThat(store.list(EntryFilter.ALL)).hasSize(1);
  }

  @Test
  void entriesWithDifferentSelectorsOrParentsAreNotSimilar() {
    List<EntryResult> results =
        store.create(
            List.of(
                spec("ns/a/sa/x", NODE1, "k8s:ns:a"),
                spec("ns/a/sa/x", NODE1, "k8s:ns:a", "k8s:sa:x"),
                spec("ns/a/sa/x", NODE2, "k8s:ns:a")));

    assertThat(results).extracting(EntryResult::code).containsOnly(Code.OK);
    assertThat(store.list(EntryFilter.ALL)).hasSize(3);
  }

  @Test
  void batchesLargerThanOneRequestKeepInputOrder() {
    List<EntrySpec> specs = new ArrayList<>();
    for (int i = 0; i < 137; i++) {
      specs.add(pod(i));
    }

    List<EntryResult> results = store.create(specs);

    assertThat(results).hasSize(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      assertThat(results.get(i).entry().orElseThrow().spec()).isEqualTo(specs.get(i));
    }
    List<EntryId> ids = results.stream().map(r -> r.id().orElseThrow()).toList();
    assertThat(store.delete(ids))
        .extracting(EntryResult::id)
        .containsExactlyElementsOf(ids.stream().map(Optional::of).toList());
    assertThat(store.list(EntryFilter.ALL)).isEmpty();
  }

  @Test
  void emptyBatchesDoNothing() {
    assertThat(store.create(List.of())).isEmpty();
    assertThat(store.update(List.of())).isEmpty();
    assertThat(store.delete(List.of())).isEmpty();
  }

  // ---- create with client-chosen IDs (SPIRE >= 1.8)

  @Test
  void createWithIdsStoresEntriesUnderTheChosenIds() {
    List<Entry> wanted =
        List.of(
            Entry.of(new EntryId("k8s-workload-registrar.c1.one"), pod(1)),
            Entry.of(new EntryId("k8s-workload-registrar.c1.two_2"), pod(2)));

    List<EntryResult> results = store.createWithIds(wanted);

    assertThat(results).extracting(EntryResult::code).containsOnly(Code.OK);
    assertThat(results).extracting(r -> r.entry().orElseThrow()).containsExactlyElementsOf(wanted);
    assertThat(store.list(EntryFilter.ALL)).containsExactlyInAnyOrderElementsOf(wanted);
  }

  @Test
  void createWithIdsOfSimilarSpecAdoptsTheExistingEntryUnderItsOwnId() {
    Entry existing = store.create(List.of(pod(1))).get(0).entry().orElseThrow();

    EntryResult again =
        store.createWithIds(List.of(Entry.of(new EntryId("prefix.other"), pod(1)))).get(0);

    assertThat(again.code()).isEqualTo(Code.ALREADY_EXISTS);
    assertThat(again.entry()).contains(existing);
    assertThat(store.list(EntryFilter.ALL)).containsExactly(existing);
  }

  @Test
  void createWithIdsOfATakenIdIsAlreadyExistsWithoutAnEntry() {
    store.createWithIds(List.of(Entry.of(new EntryId("prefix.taken"), pod(1))));

    EntryResult clash =
        store.createWithIds(List.of(Entry.of(new EntryId("prefix.taken"), pod(2)))).get(0);

    assertThat(clash.code()).isEqualTo(Code.ALREADY_EXISTS);
    assertThat(clash.entry()).isEmpty();
    assertThat(clash.succeeded()).isFalse();
    assertThat(store.list(EntryFilter.ALL)).extracting(Entry::spec).containsExactly(pod(1));
  }

  static Stream<String> idsSpireRefuses() {
    return Stream.of("has space", "slash/inside", "colon:inside", "é", "x".repeat(256));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("idsSpireRefuses")
  void createWithIdsRefusesIdsOutsideSpiresAlphabet(String id) {
    EntryResult result = store.createWithIds(List.of(Entry.of(new EntryId(id), pod(1)))).get(0);

    assertThat(result.code()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(result.message()).contains("entry ID");
    assertThat(store.list(EntryFilter.ALL)).isEmpty();
  }

  @Test
  void createWithIdsAcceptsTheLongestIdSpireAccepts() {
    Entry wanted = Entry.of(new EntryId("a.-_Z9".repeat(42) + "abc"), pod(1));

    assertThat(store.createWithIds(List.of(wanted)).get(0).entry()).contains(wanted);
  }

  // ---- update

  @Test
  void updateReplacesManagedFieldsAndKeepsFieldsSetByOthers() {
    EntryAttributes foreign = new EntryAttributes(true, 3600, 300, 4_000_000_000L, true, "keep", 7);
    Entry seeded = new Entry(new EntryId("seeded-1"), pod(1), foreign);
    seed(seeded);
    addFederatedBundle(PARTNER);
    EntrySpec wanted =
        pod(1)
            .withDnsNames(List.of("web-1.default.svc", "web.default.svc"))
            .withFederatesWith(List.of(PARTNER))
            .withParentId(NODE2);

    // The caller passes no attributes: they must not be written.
    EntryResult result = store.update(List.of(Entry.of(seeded.id(), wanted))).get(0);

    assertThat(result.code()).isEqualTo(Code.OK);
    Entry updated = result.entry().orElseThrow();
    assertThat(updated.id()).isEqualTo(seeded.id());
    assertThat(updated.spec()).isEqualTo(wanted);
    assertThat(updated.attributes())
        .isEqualTo(new EntryAttributes(true, 3600, 300, 4_000_000_000L, true, "keep", 8));
    assertThat(store.list(EntryFilter.ALL)).containsExactly(updated);
  }

  @Test
  void updateOfUnknownIdIsNotFound() {
    EntryResult result =
        store.update(List.of(Entry.of(new EntryId("no-such-entry"), pod(1)))).get(0);

    assertThat(result.code()).isEqualTo(Code.NOT_FOUND);
    assertThat(result.id()).contains(new EntryId("no-such-entry"));
    assertThat(result.succeeded()).isFalse();
    assertThat(store.list(EntryFilter.ALL)).isEmpty();
  }

  @Test
  void updateDoesNoSimilarityCheck() {
    List<EntryResult> created = store.create(List.of(pod(1), pod(2)));
    EntryId second = created.get(1).id().orElseThrow();

    EntryResult result = store.update(List.of(Entry.of(second, pod(1)))).get(0);

    assertThat(result.code()).isEqualTo(Code.OK);
    assertThat(store.list(EntryFilter.ALL)).extracting(Entry::spec).containsExactly(pod(1), pod(1));
  }

  // ---- delete

  @Test
  void deleteIsIdempotent() {
    EntryId id = store.create(List.of(pod(1))).get(0).id().orElseThrow();
    EntryId unknown = new EntryId("never-existed");

    List<EntryResult> first = store.delete(List.of(id, unknown));
    List<EntryResult> second = store.delete(List.of(id));

    assertThat(first).extracting(EntryResult::code).containsExactly(Code.OK, Code.NOT_FOUND);
    assertThat(first)
        .extracting(EntryResult::id)
        .containsExactly(Optional.of(id), Optional.of(unknown));
    assertThat(second).extracting(EntryResult::code).containsExactly(Code.NOT_FOUND);
    assertThat(store.list(EntryFilter.ALL)).isEmpty();
  }

  // ---- list

  @Test
  void listsEveryEntryAcrossPages() {
    List<EntrySpec> specs = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      specs.add(pod(i));
    }
    List<EntryId> created = store.create(specs).stream().map(r -> r.id().orElseThrow()).toList();

    List<Entry> listed = store.list(EntryFilter.ALL);

    assertThat(listed).extracting(Entry::id).containsExactlyInAnyOrderElementsOf(created);
  }

  @Test
  void listingWithEntriesKeptFromBeforeGivesWhatAPlainListGives() {
    store.create(List.of(pod(1), pod(2), pod(3), pod(4)));
    Map<String, Entry> kept = new HashMap<>();
    for (Entry e : store.list(EntryFilter.ALL)) {
      kept.put(e.id().value(), e);
    }
    Entry changed = kept.values().stream().filter(e -> e.spec().equals(pod(1))).findFirst().get();
    Entry gone = kept.values().stream().filter(e -> e.spec().equals(pod(2))).findFirst().get();
    store.update(List.of(changed.withSpec(pod(1).withDnsNames(List.of("web-1.default.svc")))));
    store.delete(List.of(gone.id()));
    store.create(List.of(pod(5)));
    // A kept entry the store must not hand back as it is: one it never listed, under a listed ID.
    Entry stranger = kept.values().stream().filter(e -> e.spec().equals(pod(3))).findFirst().get();
    kept.put(stranger.id().value(), stranger.withSpec(pod(9)));

    List<Entry> listed = store.list(EntryFilter.ALL, kept::get);

    assertThat(listed).containsExactlyInAnyOrderElementsOf(store.list(EntryFilter.ALL));
    assertThat(listed).extracting(e -> e.spec().selectors()).doesNotContain(pod(9).selectors());
  }

  record FilterCase(String name, EntryFilter filter, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static List<Selector> selectors(String... texts) {
    return Stream.of(texts).map(Selector::parse).toList();
  }

  static Stream<FilterCase> filters() {
    return Stream.of(
        new FilterCase("by parent", EntryFilter.byParent(NODE1), List.of("e1", "e2")),
        new FilterCase(
            "by SPIFFE ID",
            EntryFilter.bySpiffeId(SpiffeId.parse("spiffe://example.org/ns/a/sa/x")),
            List.of("e1", "e4")),
        new FilterCase(
            "selectors exact",
            EntryFilter.bySelectors(selectors("k8s:sa:x", "k8s:ns:a"), EntryFilter.Match.EXACT),
            List.of("e1")),
        new FilterCase(
            "selectors subset",
            EntryFilter.bySelectors(
                selectors("k8s:ns:a", "k8s:sa:x", "k8s:pod-name:z"), EntryFilter.Match.SUBSET),
            List.of("e1", "e4")),
        new FilterCase(
            "selectors superset",
            EntryFilter.bySelectors(selectors("k8s:ns:a"), EntryFilter.Match.SUPERSET),
            List.of("e1", "e2", "e4")),
        new FilterCase(
            "selectors any",
            EntryFilter.bySelectors(selectors("k8s:sa:x", "k8s:ns:b"), EntryFilter.Match.ANY),
            List.of("e1", "e3")),
        new FilterCase(
            "parent and selectors",
            new EntryFilter(
                Optional.empty(),
                Optional.of(NODE2),
                selectors("k8s:ns:a"),
                EntryFilter.Match.SUPERSET),
            List.of("e4")),
        new FilterCase(
            "nothing matches",
            EntryFilter.bySelectors(selectors("k8s:ns:c"), EntryFilter.Match.EXACT),
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("filters")
  void filtersWithSpireSemantics(FilterCase c) {
    Map<String, EntrySpec> specs = new HashMap<>();
    specs.put("e1", spec("ns/a/sa/x", NODE1, "k8s:ns:a", "k8s:sa:x"));
    specs.put("e2", spec("ns/a/sa/y", NODE1, "k8s:ns:a", "k8s:sa:y"));
    specs.put("e3", spec("ns/b/sa/x", NODE2, "k8s:ns:b", "k8s:sa:x"));
    specs.put("e4", spec("ns/a/sa/x", NODE2, "k8s:ns:a"));
    List<String> names = List.copyOf(specs.keySet());
    List<EntryResult> results = store.create(names.stream().map(specs::get).toList());
    Map<EntryId, String> nameById = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      nameById.put(results.get(i).id().orElseThrow(), names.get(i));
    }

    List<Entry> listed = store.list(c.filter());

    assertThat(listed.stream().map(e -> nameById.get(e.id())).collect(Collectors.toList()))
        .containsExactlyInAnyOrderElementsOf(c.expected());
  }

  // ---- failures

  @Test
  void perItemFailuresLeaveTheRestOfTheBatchWritten() {
    failItems(s -> s.spiffeId().path().endsWith("/web-2"), Code.INTERNAL, "datastore is sad");

    List<EntryResult> results = store.create(List.of(pod(1), pod(2), pod(3)));

    assertThat(results)
        .extracting(EntryResult::code)
        .containsExactly(Code.OK, Code.INTERNAL, Code.OK);
    assertThat(results.get(1).message()).isEqualTo("datastore is sad");
    assertThat(results.get(1).entry()).isEmpty();
    assertThat(store.list(EntryFilter.ALL))
        .extracting(Entry::spec)
        .containsExactlyInAnyOrder(pod(1), pod(3));
  }

  @Test
  void unavailabilityIsARetryableFailureAndTheCallSucceedsOnceBack() {
    store.create(List.of(pod(1)));
    setUnavailable(true);

    assertThatThrownBy(() -> store.create(List.of(pod(2))))
        .isInstanceOfSatisfying(EntryStoreException.class, e -> assertThat(e.retryable()).isTrue());
    assertThatThrownBy(() -> store.list(EntryFilter.ALL))
        .isInstanceOfSatisfying(EntryStoreException.class, e -> assertThat(e.retryable()).isTrue());

    setUnavailable(false);
    assertThat(store.create(List.of(pod(2))))
        .extracting(EntryResult::code)
        .containsExactly(Code.OK);
    assertThat(store.list(EntryFilter.ALL))
        .extracting(Entry::spec)
        .containsExactlyInAnyOrder(pod(1), pod(2));
  }

  @Test
  void missingFederatedBundleFailsOnlyTheEntriesNamingIt() {
    addFederatedBundle(PARTNER);
    EntrySpec partner = pod(1).withFederatesWith(List.of(PARTNER));
    EntrySpec missing = pod(2).withFederatesWith(List.of(PARTNER, MISSING));
    EntrySpec plain = pod(3);

    List<EntryResult> results = store.create(List.of(partner, missing, plain));

    assertThat(results)
        .extracting(EntryResult::code)
        .containsExactly(Code.OK, Code.FAILED_PRECONDITION, Code.OK);
    assertThat(results.get(1).message())
        .isEqualTo("unable to find federated bundle \"spiffe://missing.org\"");
    assertThat(store.list(EntryFilter.ALL))
        .extracting(Entry::spec)
        .containsExactlyInAnyOrder(partner, plain);
  }

  @Test
  void updateNamingAMissingBundleLeavesTheEntryUnchanged() {
    Entry created = store.create(List.of(pod(1))).get(0).entry().orElseThrow();

    EntryResult result =
        store.update(List.of(created.withSpec(pod(1).withFederatesWith(List.of(MISSING))))).get(0);

    assertThat(result.code()).isEqualTo(Code.FAILED_PRECONDITION);
    assertThat(result.message())
        .isEqualTo("unable to find federated bundle \"spiffe://missing.org\"");
    assertThat(store.list(EntryFilter.ALL)).containsExactly(created);
  }
}
