package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.EntryGrpc;
import org.spireregistrar.spire.proto.entry.v1.GetEntryRequest;
import org.spireregistrar.spire.proto.types.EntryMask;
import org.spireregistrar.spire.testing.InMemorySpireServer;

/** GrpcEntryStore behaviour beyond the contract: RPC shapes, batching, retries, masks. */
class GrpcEntryStoreTest {

  static final TrustDomain TD = new TrustDomain("example.org");
  static final SpiffeId NODE = SpiffeId.of(TD, "k8s-workload-registrar", "c1", "node", "n1");
  static final GrpcEntryStore.Options FAST =
      GrpcEntryStore.Options.DEFAULTS
          .withRetry(new GrpcEntryStore.RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5)))
          .withSocketWait(Duration.ofSeconds(5));

  @TempDir Path dir;
  InMemorySpireServer spire;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startSpire() {
    spire =
        InMemorySpireServer.builder()
            .socketPath(dir.resolve("api.sock"))
            .inProcessName("grpc-entry-store-test-" + System.nanoTime())
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    spire.close();
  }

  GrpcEntryStore store(GrpcEntryStore.Options options) {
    GrpcEntryStore s = GrpcEntryStore.connect(spire.address(), "", options);
    closeables.add(s);
    return s;
  }

  EntryGrpc.EntryBlockingStub raw() {
    ManagedChannel channel = spire.newInProcessChannel();
    closeables.add(
        () -> {
          channel.shutdownNow();
          channel.awaitTermination(5, TimeUnit.SECONDS);
        });
    return EntryGrpc.newBlockingStub(channel);
  }

  static EntrySpec pod(int i) {
    return EntrySpec.of(
        SpiffeId.of(TD, "ns", "default", "sa", "web-" + i),
        NODE,
        List.of(Selector.k8s("ns:default"), Selector.k8s("pod-name:web-" + i)));
  }

  static List<EntrySpec> pods(int n) {
    List<EntrySpec> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(pod(i));
    }
    return out;
  }

  @Test
  void listSendsAnExplicitPageSizeAndFollowsTokensToTheEnd() {
    GrpcEntryStore store = store(FAST.withPageSize(500));
    store.create(pods(2_500));
    spire.resetCounters();

    List<Entry> all = store.list(EntryFilter.ALL);

    assertThat(all).hasSize(2_500);
    // Five full pages, then the empty page a full last page leads to (as SPIRE's SQL pager does).
    assertThat(spire.counters().rpcs("ListEntries")).isEqualTo(6);
    assertThat(spire.counters().entries("ListEntries")).isEqualTo(2_500);
  }

  @Test
  void aPageAskedForWhileThePreviousIsDecodedIsAskedAgainWhenThatCallFails() {
    GrpcEntryStore store = store(FAST.withPageSize(500));
    store.create(pods(1_200));
    spire.resetCounters();
    // The first page is served; the call for the second, sent while the first is decoded, fails.
    spire.faults().failRpcsOf("ListEntries", 1, 1);

    List<Entry> all = store.list(EntryFilter.ALL);

    assertThat(all).hasSize(1_200);
    assertThat(all.stream().map(Entry::id).distinct()).hasSize(1_200);
    // Three pages, and the second page once more.
    assertThat(spire.counters().rpcs("ListEntries")).isEqualTo(4);
    assertThat(spire.counters().entries("ListEntries")).isEqualTo(1_200);
  }

  @Test
  void listingWithTheEntriesListedBeforeHandsBackTheUnchangedOnesThemselves() {
    GrpcEntryStore store = store(FAST.withPageSize(2));
    store.create(pods(5));
    Map<String, Entry> before = new HashMap<>();
    for (Entry e : store.list(EntryFilter.ALL)) {
      before.put(e.id().value(), e);
    }
    Entry updated = before.get(idOf(before, 1));
    Entry hinted = before.get(idOf(before, 2));
    store.update(List.of(updated.withSpec(updated.spec().withDnsNames(List.of("web-1.svc")))));
    // Someone else sets a field the registrar does not manage.
    raw()
        .batchUpdateEntry(
            BatchUpdateEntryRequest.newBuilder()
                .addEntries(ProtoMapping.toProto(hinted).toBuilder().setHint("theirs"))
                .setInputMask(EntryMask.newBuilder().setHint(true))
                .build());

    List<Entry> again = store.list(EntryFilter.ALL, before::get);

    assertThat(again).hasSize(5).isEqualTo(store.list(EntryFilter.ALL));
    for (Entry e : again) {
      if (e.id().equals(updated.id()) || e.id().equals(hinted.id())) {
        assertThat(e)
            .isNotSameAs(before.get(e.id().value()))
            .isNotEqualTo(before.get(e.id().value()));
      } else {
        assertThat(e).isSameAs(before.get(e.id().value()));
      }
    }
  }

  @Test
  void writeResultsCarryTheSpecSentWhenTheServerStoredItAsSentAndTheServersOtherwise() {
    GrpcEntryStore store = store(FAST);
    EntrySpec web0 = pod(0);
    EntrySpec web1 = pod(1).withDnsNames(List.of("web-1.svc"));
    store.create(List.of(web1));
    // web-1 is similar to an entry that has a DNS name: the result is that entry, as it is.
    EntrySpec similar = pod(1);

    List<EntryResult> created = store.create(List.of(web0, similar));

    Entry made = created.get(0).entry().orElseThrow();
    assertThat(made.spec()).isSameAs(web0);
    assertThat(created.get(1).code()).isEqualTo(EntryResult.Code.ALREADY_EXISTS);
    assertThat(created.get(1).entry().orElseThrow().spec()).isEqualTo(web1).isNotEqualTo(similar);
    EntrySpec renamed = web0.withDnsNames(List.of("web-0.svc"));
    Entry updated = store.update(List.of(made.withSpec(renamed))).get(0).entry().orElseThrow();
    assertThat(updated.spec()).isSameAs(renamed);
    assertThat(updated.attributes().revisionNumber()).isEqualTo(1);
    assertThat(store.list(EntryFilter.ALL)).contains(updated);
  }

  /** The ID of pod {@code i}'s entry among {@code entries}. */
  private static String idOf(Map<String, Entry> entries, int i) {
    return entries.values().stream()
        .filter(e -> e.spec().equals(pod(i)))
        .findFirst()
        .orElseThrow()
        .id()
        .value();
  }

  @Test
  void listHalvesThePageSizeWhenAPageExceedsTheInboundLimit() {
    store(FAST).create(pods(100));
    GrpcEntryStore small = store(FAST.withPageSize(500).withMaxInboundMessageBytes(4096));

    assertThat(small.list(EntryFilter.ALL)).hasSize(100);
    assertThat(spire.counters().rpcs("ListEntries")).isGreaterThan(2);
  }

  @Test
  void writesAreBatchedByCount() {
    GrpcEntryStore store = store(FAST.withBatchSize(50));

    List<EntryResult> created = store.create(pods(120));
    store.update(created.stream().map(r -> r.entry().orElseThrow()).toList());
    store.delete(created.stream().map(r -> r.id().orElseThrow()).toList());

    assertThat(spire.counters().rpcsByMethod())
        .containsEntry("BatchCreateEntry", 3L)
        .containsEntry("BatchUpdateEntry", 3L)
        .containsEntry("BatchDeleteEntry", 3L);
    assertThat(spire.counters().entries("BatchCreateEntry")).isEqualTo(120);
  }

  @Test
  void writesAreSplitSoNoRequestExceedsTheByteLimit() {
    GrpcEntryStore store = store(FAST.withBatchSize(50).withMaxRequestBytes(4096));
    List<EntrySpec> specs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      List<String> dns = new ArrayList<>();
      for (int d = 0; d < 8; d++) {
        dns.add("name-" + d + "-" + "x".repeat(40) + ".web-" + i + ".default.svc.cluster.local");
      }
      specs.add(pod(i).withDnsNames(dns));
    }
    int totalBytes =
        specs.stream().mapToInt(s -> ProtoMapping.toProto(s).getSerializedSize()).sum();

    List<EntryResult> results = store.create(specs);

    assertThat(results).extracting(EntryResult::code).containsOnly(EntryResult.Code.OK);
    assertThat(spire.counters().rpcs("BatchCreateEntry"))
        .isGreaterThanOrEqualTo((totalBytes + 4095) / 4096)
        .isGreaterThan(1);
  }

  @Test
  void anEntryLargerThanTheRequestLimitFailsAloneWithoutBeingSent() {
    GrpcEntryStore store = store(FAST.withMaxRequestBytes(1024));
    EntrySpec huge =
        pod(1).withDnsNames(List.of("a".repeat(60) + ".example.org", "b".repeat(1000)));

    List<EntryResult> results = store.create(List.of(pod(0), huge, pod(2)));

    assertThat(results)
        .extracting(EntryResult::code)
        .containsExactly(
            EntryResult.Code.OK, EntryResult.Code.INVALID_ARGUMENT, EntryResult.Code.OK);
    assertThat(results.get(1).message()).endsWith("more than the 1024-byte request limit");
    assertThat(spire.counters().entries("BatchCreateEntry")).isEqualTo(2);
  }

  @Test
  void retriesUnavailableAndSucceedsWithoutDuplicates() {
    GrpcEntryStore store = store(FAST);
    spire.faults().failNextRpcs(2);

    List<EntryResult> results = store.create(List.of(pod(1)));

    assertThat(results).extracting(EntryResult::code).containsExactly(EntryResult.Code.OK);
    assertThat(spire.counters().rpcs("BatchCreateEntry")).isEqualTo(3);
    assertThat(spire.entries()).hasSize(1);
  }

  @Test
  void givesUpAfterTheLastAttemptWithARetryableError() {
    GrpcEntryStore store = store(FAST);
    spire.faults().failNextRpcs(10);

    assertThatThrownBy(() -> store.list(EntryFilter.ALL))
        .isInstanceOfSatisfying(
            EntryStoreException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage())
                  .isEqualTo(
                      "SPIRE server "
                          + spire.address()
                          + ": ListEntries failed: UNAVAILABLE: in-memory SPIRE server is"
                          + " unavailable (injected fault) (after 3 attempts)");
            });
    assertThat(spire.counters().rpcs("ListEntries")).isEqualTo(3);
  }

  @Test
  void deadlineExceededIsRetried() {
    GrpcEntryStore store = store(FAST.withRpcDeadline(Duration.ofMillis(50)));
    spire.faults().latency(Duration.ofMillis(500));

    assertThatThrownBy(() -> store.list(EntryFilter.ALL))
        .isInstanceOfSatisfying(
            EntryStoreException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage())
                  .contains("DEADLINE_EXCEEDED")
                  .endsWith("(after 3 attempts)");
            });
  }

  @Test
  void aRejectedRequestIsNotRetried() {
    GrpcEntryStore store = store(FAST);

    // SPIRE refuses SPIFFE ID filters outside the workload namespace.
    assertThatThrownBy(
            () -> store.list(EntryFilter.bySpiffeId(SpiffeId.of(TD, "spire", "agent", "x"))))
        .isInstanceOfSatisfying(
            EntryStoreException.class,
            e -> {
              assertThat(e.retryable()).isFalse();
              assertThat(e.getMessage())
                  .endsWith(
                      "ListEntries failed: INVALID_ARGUMENT: malformed SPIFFE ID filter:"
                          + " \"spiffe://example.org/spire/agent/x\" is not a workload in trust"
                          + " domain \"example.org\"; path is in the reserved namespace");
            });
    assertThat(spire.counters().rpcs("ListEntries")).isEqualTo(1);
  }

  @Test
  void waitsForTheServerSocketToAppear() throws Exception {
    Path later = dir.resolve("later").resolve("api.sock");
    GrpcEntryStore store = GrpcEntryStore.connect("unix://" + later, "", FAST);
    closeables.add(store);

    CompletableFuture<List<Entry>> listing =
        CompletableFuture.supplyAsync(() -> store.list(EntryFilter.ALL));
    try (InMemorySpireServer lateSpire = InMemorySpireServer.builder().socketPath(later).start()) {
      assertThat(listing.get(10, TimeUnit.SECONDS)).isEmpty();
      assertThat(lateSpire.counters().rpcs("ListEntries")).isEqualTo(1);
    }
  }

  @Test
  void aSocketThatNeverAppearsIsARetryableFailure() {
    assertMissingSocketFails(Duration.ofMillis(50), " does not exist (waited 50 ms)");
  }

  @Test
  void withoutASocketWaitAMissingSocketFailsAtOnce() {
    assertMissingSocketFails(Duration.ZERO, " does not exist");
  }

  /** A list through a socket that is not there fails, retryably, with "socket PATH" + ending. */
  private void assertMissingSocketFails(Duration socketWait, String ending) {
    Path never = dir.resolve("never.sock");
    GrpcEntryStore store =
        GrpcEntryStore.connect("unix://" + never, "", FAST.withSocketWait(socketWait));
    closeables.add(store);

    assertThatThrownBy(() -> store.list(EntryFilter.ALL))
        .isInstanceOfSatisfying(
            EntryStoreException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage()).isEqualTo("SPIRE server socket " + never + ending);
            });
  }

  @Test
  void closingTheStoreEndsACallWaitingForTheSocket() throws Exception {
    Path never = dir.resolve("never.sock");
    GrpcEntryStore store =
        GrpcEntryStore.connect("unix://" + never, "", FAST.withSocketWait(Duration.ofMinutes(5)));
    CompletableFuture<List<Entry>> waiting =
        CompletableFuture.supplyAsync(() -> store.list(EntryFilter.ALL));
    Thread.onSpinWait();
    store.close();
    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(EntryStoreException.class)
        .cause()
        .hasMessage("SPIRE client closed")
        .satisfies(e -> assertThat(((EntryStoreException) e).retryable()).isFalse());
  }

  @Test
  void updateSendsAMaskSoFieldsSetByOthersSurvive() {
    EntryGrpc.EntryBlockingStub raw = raw();
    org.spireregistrar.spire.proto.types.Entry foreign =
        ProtoMapping.toProto(pod(1)).toBuilder()
            .setId("foreign-1")
            .setHint("owned-by-someone")
            .setExpiresAt(4_000_000_000L)
            .setJwtSvidTtl(120)
            .setAdditionalAttributes(
                org.spireregistrar.spire.proto.types.Entry.AdditionalAttributes.newBuilder()
                    .setDisableX509SvidPrefetch(true)
                    .setJwtSvidIncludeJti(true))
            .build();
    raw.batchCreateEntry(BatchCreateEntryRequest.newBuilder().addEntries(foreign).build());
    Entry current = store(FAST).list(EntryFilter.ALL).get(0);

    EntrySpec wanted = pod(1).withDnsNames(List.of("web-1.default.svc"));
    store(FAST).update(List.of(current.withSpec(wanted)));

    org.spireregistrar.spire.proto.types.Entry after =
        raw.getEntry(GetEntryRequest.newBuilder().setId("foreign-1").build());
    assertThat(after.getDnsNamesList()).containsExactly("web-1.default.svc");
    assertThat(after.getHint()).isEqualTo("owned-by-someone");
    assertThat(after.getExpiresAt()).isEqualTo(4_000_000_000L);
    assertThat(after.getJwtSvidTtl()).isEqualTo(120);
    assertThat(after.getAdditionalAttributes()).isEqualTo(foreign.getAdditionalAttributes());
    assertThat(after.getRevisionNumber()).isEqualTo(1);
  }

  @Test
  void theManagedFieldsMaskNamesExactlyTheFieldsOfEntrySpec() {
    assertThat(ProtoMapping.MANAGED_FIELDS)
        .isEqualTo(
            EntryMask.newBuilder()
                .setSpiffeId(true)
                .setParentId(true)
                .setSelectors(true)
                .setDnsNames(true)
                .setFederatesWith(true)
                .setDownstream(true)
                .build());
  }

  @Test
  void alreadyExistsWithoutAnEntryIsAFailureThatSaysWhy() {
    GrpcEntryStore store = store(FAST);
    spire.failItems(
        s -> true,
        EntryResult.Code.ALREADY_EXISTS,
        "failed to create entry: datastore-sql: UNIQUE constraint failed: registered_entries.entry_id");

    EntryResult result = store.create(List.of(pod(1))).get(0);

    assertThat(result.code()).isEqualTo(EntryResult.Code.ALREADY_EXISTS);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.entry()).isEmpty();
    assertThat(result.message())
        .isEqualTo(
            "failed to create entry: datastore-sql: UNIQUE constraint failed:"
                + " registered_entries.entry_id (no similar entry was returned: the entry ID is"
                + " taken, or a selector or DNS name is repeated)");
  }

  @Test
  void preElevenInternalCodesAreReadByTheirMessage() throws Exception {
    try (InMemorySpireServer legacy =
            InMemorySpireServer.builder()
                .socketPath(dir.resolve("legacy.sock"))
                .legacyStatusCodes(true)
                .start();
        GrpcEntryStore store = GrpcEntryStore.connect(legacy.address(), "", FAST)) {
      EntryResult result =
          store
              .update(List.of(Entry.of(new org.spireregistrar.core.EntryId("gone"), pod(1))))
              .get(0);

      assertThat(result.code()).isEqualTo(EntryResult.Code.NOT_FOUND);
      assertThat(result.message())
          .isEqualTo("failed to update entry: datastore-sql: record not found");
    }
  }

  @Test
  void federatedBundlesFoundOnTheServerAreRememberedButMissingOnesAreNot() {
    GrpcEntryStore store = store(FAST);
    TrustDomain partner = new TrustDomain("partner.org");
    TrustDomain late = new TrustDomain("late.org");
    spire.addFederatedBundle(partner);

    store.create(List.of(pod(1).withFederatesWith(List.of(partner))));
    store.create(List.of(pod(2).withFederatesWith(List.of(partner))));
    EntryResult before = store.create(List.of(pod(3).withFederatesWith(List.of(late)))).get(0);
    spire.addFederatedBundle(late);
    EntryResult after = store.create(List.of(pod(3).withFederatesWith(List.of(late)))).get(0);

    assertThat(before.code()).isEqualTo(EntryResult.Code.FAILED_PRECONDITION);
    assertThat(after.code()).isEqualTo(EntryResult.Code.OK);
    assertThat(spire.counters().rpcs("GetFederatedBundle")).isEqualTo(3);
  }

  @Test
  void federatingWithTheServersOwnTrustDomainIsLeftToTheServer() {
    GrpcEntryStore store = store(FAST);

    EntryResult result = store.create(List.of(pod(1).withFederatesWith(List.of(TD)))).get(0);

    assertThat(result.code()).isEqualTo(EntryResult.Code.OK);
  }

  @Test
  void aTcpAddressNeedsAnAgentSocket() {
    assertThatThrownBy(() -> GrpcEntryStore.connect("spire-server:8081", "", FAST))
        .isInstanceOfSatisfying(
            EntryStoreException.class,
            e -> {
              assertThat(e.retryable()).isFalse();
              assertThat(e.getMessage())
                  .isEqualTo(
                      "agent_socket_path must be specified if the server is not a local socket");
            });
  }

  @Test
  void aStoreOnAnInProcessChannelWorksLikeOneOnTheSocket() {
    GrpcEntryStore store = new GrpcEntryStore(spire.newInProcessChannel(), FAST);
    closeables.add(store);

    assertThat(store.create(List.of(pod(1))))
        .extracting(EntryResult::code)
        .containsExactly(EntryResult.Code.OK);
    assertThat(store.list(EntryFilter.ALL)).hasSize(1);
  }

  @Test
  void optionsRejectNonsense() {
    assertThatThrownBy(() -> FAST.withPageSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pageSize must be at least 1: 0");
    assertThatThrownBy(
            () -> new GrpcEntryStore.RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retry maxAttempts must be at least 1: 0");
  }

  @Test
  void aServerBefore18IgnoresChosenIdsAndTheReturnedIdTellsSo() {
    try (InMemorySpireServer legacy =
        InMemorySpireServer.builder()
            .socketPath(dir.resolve("legacy.sock"))
            .ignoreClientEntryIds(true)
            .start()) {
      GrpcEntryStore s = GrpcEntryStore.connect(legacy.address(), "", FAST);
      closeables.add(s);

      EntryResult r =
          s.createWithIds(List.of(Entry.of(new EntryId("k8s-workload-registrar.c1.x"), pod(1))))
              .get(0);

      assertThat(r.code()).isEqualTo(EntryResult.Code.OK);
      assertThat(r.entry().orElseThrow().spec()).isEqualTo(pod(1));
      assertThat(r.id().orElseThrow().value()).doesNotStartWith("k8s-workload-registrar.");
    }
  }
}
