package org.spireregistrar.spire.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryAttributes;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.dns.DnsNameValidator;
import org.spireregistrar.spire.ProtoMapping;
import org.spireregistrar.spire.TestCsr;
import org.spireregistrar.spire.proto.agent.v1.AgentGrpc;
import org.spireregistrar.spire.proto.agent.v1.ListAgentsRequest;
import org.spireregistrar.spire.proto.bundle.v1.BundleGrpc;
import org.spireregistrar.spire.proto.bundle.v1.GetBundleRequest;
import org.spireregistrar.spire.proto.bundle.v1.GetFederatedBundleRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.BatchDeleteEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.CountEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.EntryGrpc;
import org.spireregistrar.spire.proto.entry.v1.GetEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesResponse;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDRequest;
import org.spireregistrar.spire.proto.svid.v1.SVIDGrpc;
import org.spireregistrar.spire.proto.types.EntryMask;
import org.spireregistrar.spire.proto.types.SPIFFEID;
import org.spireregistrar.spire.proto.types.SelectorMatch;
import org.spireregistrar.spire.proto.types.X509SVID;

/** The in-memory server answers like SPIRE (spire-api.md §8), seen through raw gRPC stubs. */
class InMemorySpireServerTest {

  static final TrustDomain TD = new TrustDomain("example.org");
  static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  MutableClock clock = new MutableClock(START);
  InMemorySpireServer spire;
  ManagedChannel channel;
  EntryGrpc.EntryBlockingStub entries;

  @BeforeEach
  void start() {
    spire = server(false);
    channel = spire.newInProcessChannel();
    entries = EntryGrpc.newBlockingStub(channel);
  }

  InMemorySpireServer server(boolean legacy) {
    return InMemorySpireServer.builder()
        .trustDomain(TD)
        .inProcessName("in-memory-spire-test-" + System.nanoTime())
        .clock(clock)
        .legacyStatusCodes(legacy)
        .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    spire.close();
  }

  static SPIFFEID id(String td, String path) {
    return SPIFFEID.newBuilder().setTrustDomain(td).setPath(path).build();
  }

  static org.spireregistrar.spire.proto.types.Selector sel(String type, String value) {
    return org.spireregistrar.spire.proto.types.Selector.newBuilder()
        .setType(type)
        .setValue(value)
        .build();
  }

  static org.spireregistrar.spire.proto.types.Entry valid() {
    return org.spireregistrar.spire.proto.types.Entry.newBuilder()
        .setSpiffeId(id("example.org", "/ns/default/sa/web"))
        .setParentId(id("example.org", "/spire/agent/k8s_psat/c1/node-1"))
        .addSelectors(sel("k8s", "ns:default"))
        .addSelectors(sel("k8s", "sa:web"))
        .build();
  }

  BatchCreateEntryResponse.Result create(org.spireregistrar.spire.proto.types.Entry e) {
    return entries
        .batchCreateEntry(BatchCreateEntryRequest.newBuilder().addEntries(e).build())
        .getResults(0);
  }

  // ---- validation

  record Rejected(
      String name,
      UnaryOperator<org.spireregistrar.spire.proto.types.Entry.Builder> change,
      int code,
      String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Rejected> rejected() {
    String convert = "failed to convert entry: ";
    return Stream.of(
        new Rejected(
            "SPIFFE ID in another trust domain",
            b -> b.setSpiffeId(id("other.org", "/w")),
            3,
            convert
                + "invalid spiffe ID: \"spiffe://other.org/w\" is not a member of trust domain \"example.org\""),
        new Rejected(
            "SPIFFE ID in the reserved namespace",
            b -> b.setSpiffeId(id("example.org", "/spire/agent/x")),
            3,
            convert
                + "invalid spiffe ID: \"spiffe://example.org/spire/agent/x\" is not a workload in"
                + " trust domain \"example.org\"; path is in the reserved namespace"),
        new Rejected(
            "SPIFFE ID without path",
            b -> b.setSpiffeId(id("example.org", "")),
            3,
            convert
                + "invalid spiffe ID: \"spiffe://example.org\" is not a workload in trust domain"
                + " \"example.org\"; path is empty"),
        new Rejected(
            "SPIFFE ID missing",
            b -> b.clearSpiffeId(),
            3,
            convert + "invalid spiffe ID: request must specify SPIFFE ID"),
        new Rejected(
            "SPIFFE ID with empty segment",
            b -> b.setSpiffeId(id("example.org", "/a//b")),
            3,
            convert + "invalid spiffe ID: path cannot contain empty segments"),
        new Rejected(
            "SPIFFE ID with upper-case trust domain",
            b -> b.setSpiffeId(id("Example.org", "/w")),
            3,
            convert
                + "invalid spiffe ID: trust domain characters are limited to lowercase letters,"
                + " numbers, dots, dashes, and underscores"),
        new Rejected(
            "parent in another trust domain",
            b -> b.setParentId(id("other.org", "/node")),
            3,
            convert
                + "invalid parent ID: \"spiffe://other.org/node\" is not a member of trust domain \"example.org\""),
        new Rejected(
            "parent without path",
            b -> b.setParentId(id("example.org", "")),
            3,
            convert
                + "invalid parent ID: \"spiffe://example.org\" is not a member of trust domain"
                + " \"example.org\"; path is empty"),
        new Rejected(
            "no selectors", b -> b.clearSelectors(), 3, convert + "selector list is empty"),
        new Rejected(
            "selector type with a colon",
            b -> b.addSelectors(sel("k8s:ns", "default")),
            3,
            convert + "selector type contains ':'"),
        new Rejected(
            "selector without value",
            b -> b.addSelectors(sel("k8s", "")),
            3,
            convert + "missing selector value"),
        new Rejected(
            "selector without type",
            b -> b.addSelectors(sel("", "x")),
            3,
            convert + "missing selector type"),
        new Rejected(
            "hint too long",
            b -> b.setHint("h".repeat(1025)),
            3,
            convert + "hint is too long, max length is 1024 characters"),
        new Rejected(
            "invalid federated trust domain",
            b -> b.addFederatesWith("Partner.org"),
            3,
            convert
                + "invalid federated trust domain: trust domain characters are limited to"
                + " lowercase letters, numbers, dots, dashes, and underscores"),
        new Rejected(
            "federated trust domain without bundle",
            b -> b.addFederatesWith("partner.org"),
            13,
            "failed to create entry: datastore-sql: unable to find federated bundle \"spiffe://partner.org\""),
        new Rejected(
            "entry ID with invalid characters",
            b -> b.setId("a/b"),
            3,
            "failed to create entry: datastore-validation: invalid registration entry: entry ID"
                + " contains invalid characters"),
        new Rejected(
            "entry ID too long",
            b -> b.setId("x".repeat(256)),
            3,
            "failed to create entry: datastore-validation: invalid registration entry: entry ID too long"),
        new Rejected(
            "store_svid with mixed selector types",
            b -> b.setStoreSvid(true).addSelectors(sel("unix", "uid:0")),
            3,
            "failed to create entry: datastore-validation: invalid registration entry: selector"
                + " types must be the same when store SVID is enabled"),
        new Rejected(
            "repeated selector",
            b -> b.addSelectors(sel("k8s", "sa:web")),
            6,
            "failed to create entry: datastore-sql: UNIQUE constraint failed:"
                + " selectors.registered_entry_id, selectors.type, selectors.value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void rejectsInvalidEntriesWithSpiresMessages(Rejected r) {
    BatchCreateEntryResponse.Result result = create(r.change().apply(valid().toBuilder()).build());

    assertThat(result.getStatus().getCode()).isEqualTo(r.code());
    assertThat(result.getStatus().getMessage()).isEqualTo(r.message());
    assertThat(result.hasEntry()).isFalse();
    assertThat(spire.entryCount()).isZero();
  }

  @Test
  void acceptsReservedParentIdsAndFederationWithKnownBundles() {
    spire.addFederatedBundle(new TrustDomain("partner.org"));

    BatchCreateEntryResponse.Result result =
        create(valid().toBuilder().addFederatesWith("spiffe://partner.org").build());

    assertThat(result.getStatus().getCode()).isZero();
    assertThat(result.getEntry().getFederatesWithList()).containsExactly("partner.org");
    assertThat(result.getEntry().getCreatedAt()).isEqualTo(START.getEpochSecond());
    assertThat(result.getEntry().getRevisionNumber()).isZero();
  }

  @Test
  void validatesDnsNamesWithTheCoreValidator() {
    String name = "-bad-.example.org";
    BatchCreateEntryResponse.Result result = create(valid().toBuilder().addDnsNames(name).build());

    // The server applies exactly what DnsNameValidator says SPIRE says.
    assertThat(result.getStatus().getMessage())
        .isEqualTo(
            DnsNameValidator.problem(name)
                .map(p -> "failed to convert entry: invalid DNS name: " + p)
                .orElse(""));
  }

  @Test
  void acceptsSingleCharacterLabelsAndWildcardsAsCurrentSpireDoes() {
    BatchCreateEntryResponse.Result result =
        create(valid().toBuilder().addDnsNames("a").addDnsNames("*.web.a.svc").build());

    assertThat(result.getStatus().getCode()).isZero();
    assertThat(result.getEntry().getDnsNamesList()).containsExactly("a", "*.web.a.svc");
  }

  @Test
  void legacyDnsRulesRefuseSingleCharacterLabelsAsSpireBefore19Does() throws Exception {
    try (InMemorySpireServer old =
        InMemorySpireServer.builder()
            .trustDomain(TD)
            .inProcessName("in-memory-spire-legacy-dns-" + System.nanoTime())
            .clock(clock)
            .legacyDnsRules(true)
            .start()) {
      ManagedChannel ch = old.newInProcessChannel();
      try {
        EntryGrpc.EntryBlockingStub stub = EntryGrpc.newBlockingStub(ch);
        BatchCreateEntryResponse.Result result =
            stub.batchCreateEntry(
                    BatchCreateEntryRequest.newBuilder()
                        .addEntries(valid().toBuilder().addDnsNames("web.a.svc"))
                        .build())
                .getResults(0);

        assertThat(result.getStatus().getCode()).isEqualTo(3); // INVALID_ARGUMENT
        assertThat(result.getStatus().getMessage())
            .isEqualTo("failed to convert entry: invalid DNS name: label does not match regex: a");
        assertThat(old.entries()).isEmpty();
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void similarEntryAnswersAlreadyExistsWithTheExistingEntry() {
    org.spireregistrar.spire.proto.types.Entry first = create(valid()).getEntry();

    BatchCreateEntryResponse.Result again =
        create(valid().toBuilder().addDnsNames("other.example.org").setX509SvidTtl(60).build());

    assertThat(again.getStatus().getCode()).isEqualTo(6);
    assertThat(again.getStatus().getMessage()).isEqualTo("similar entry already exists");
    assertThat(again.getEntry()).isEqualTo(first);
  }

  @Test
  void honoursClientChosenIdsAndRefusesTakenOnes() {
    BatchCreateEntryResponse.Result chosen =
        create(valid().toBuilder().setId("registrar.pod-1").build());
    BatchCreateEntryResponse.Result taken =
        create(
            valid().toBuilder()
                .setId("registrar.pod-1")
                .setSpiffeId(id("example.org", "/other"))
                .build());

    assertThat(chosen.getEntry().getId()).isEqualTo("registrar.pod-1");
    assertThat(taken.getStatus().getCode()).isEqualTo(6);
    assertThat(taken.getStatus().getMessage())
        .isEqualTo(
            "failed to create entry: datastore-sql: UNIQUE constraint failed: registered_entries.entry_id");
    assertThat(taken.hasEntry()).isFalse();
  }

  @Test
  void legacyModeAnswersDatastoreFailuresAsInternal() {
    try (InMemorySpireServer legacy = server(true)) {
      ManagedChannel ch = legacy.newInProcessChannel();
      try {
        EntryGrpc.EntryBlockingStub stub = EntryGrpc.newBlockingStub(ch);
        stub.batchCreateEntry(
            BatchCreateEntryRequest.newBuilder()
                .addEntries(valid().toBuilder().setId("x"))
                .build());
        var taken =
            stub.batchCreateEntry(
                    BatchCreateEntryRequest.newBuilder()
                        .addEntries(
                            valid().toBuilder().setId("x").setSpiffeId(id("example.org", "/o")))
                        .build())
                .getResults(0);
        var missing =
            stub.batchUpdateEntry(
                    BatchUpdateEntryRequest.newBuilder()
                        .addEntries(valid().toBuilder().setId("nope"))
                        .build())
                .getResults(0);

        assertThat(taken.getStatus().getCode()).isEqualTo(13);
        assertThat(missing.getStatus().getCode()).isEqualTo(13);
        assertThat(missing.getStatus().getMessage())
            .isEqualTo("failed to update entry: datastore-sql: record not found");
      } finally {
        ch.shutdownNow();
      }
    }
  }

  // ---- update

  @Test
  void updateWithAMaskWritesOnlyMaskedFieldsAndBumpsTheRevision() {
    org.spireregistrar.spire.proto.types.Entry created =
        create(valid().toBuilder().setHint("keep").setAdmin(true).build()).getEntry();

    BatchUpdateEntryResponse.Result result =
        entries
            .batchUpdateEntry(
                BatchUpdateEntryRequest.newBuilder()
                    .addEntries(
                        org.spireregistrar.spire.proto.types.Entry.newBuilder()
                            .setId(created.getId())
                            .addDnsNames("web.default.svc"))
                    .setInputMask(EntryMask.newBuilder().setDnsNames(true))
                    .build())
            .getResults(0);

    assertThat(result.getStatus().getCode()).isZero();
    assertThat(result.getEntry())
        .isEqualTo(created.toBuilder().addDnsNames("web.default.svc").setRevisionNumber(1).build());
  }

  @Test
  void updateWithoutAMaskReplacesEveryField() {
    org.spireregistrar.spire.proto.types.Entry created =
        create(valid().toBuilder().setHint("lost").setAdmin(true).build()).getEntry();

    org.spireregistrar.spire.proto.types.Entry updated =
        entries
            .batchUpdateEntry(
                BatchUpdateEntryRequest.newBuilder()
                    .addEntries(valid().toBuilder().setId(created.getId()))
                    .build())
            .getResults(0)
            .getEntry();

    assertThat(updated.getHint()).isEmpty();
    assertThat(updated.getAdmin()).isFalse();
  }

  @Test
  void everyUpdateBumpsTheRevisionEvenWithoutChange() {
    String id = create(valid()).getEntry().getId();
    BatchUpdateEntryRequest same =
        BatchUpdateEntryRequest.newBuilder()
            .addEntries(valid().toBuilder().setId(id))
            .setInputMask(ProtoMapping.MANAGED_FIELDS)
            .build();

    entries.batchUpdateEntry(same);
    entries.batchUpdateEntry(same);

    assertThat(entries.getEntry(GetEntryRequest.newBuilder().setId(id).build()).getRevisionNumber())
        .isEqualTo(2);
  }

  // ---- delete, get, count

  @Test
  void deleteReportsEachIdInOrder() {
    String id = create(valid()).getEntry().getId();

    var results =
        entries
            .batchDeleteEntry(
                BatchDeleteEntryRequest.newBuilder().addIds(id).addIds("gone").addIds("").build())
            .getResultsList();

    assertThat(results).extracting(r -> r.getStatus().getCode()).containsExactly(0, 5, 3);
    assertThat(results)
        .extracting(r -> r.getStatus().getMessage())
        .containsExactly("", "entry not found", "missing entry ID");
    assertThat(results).extracting(r -> r.getId()).containsExactly(id, "gone", "");
  }

  @Test
  void getEntryAppliesTheOutputMaskAndReportsMissingEntries() {
    String id = create(valid().toBuilder().setHint("h").build()).getEntry().getId();

    var masked =
        entries.getEntry(
            GetEntryRequest.newBuilder()
                .setId(id)
                .setOutputMask(EntryMask.newBuilder().setHint(true))
                .build());

    assertThat(masked)
        .isEqualTo(
            org.spireregistrar.spire.proto.types.Entry.newBuilder().setId(id).setHint("h").build());
    assertThatThrownBy(() -> entries.getEntry(GetEntryRequest.newBuilder().setId("nope").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void countsWithFilters() {
    create(valid());
    create(valid().toBuilder().setSpiffeId(id("example.org", "/other")).build());

    int count =
        entries
            .countEntries(
                CountEntriesRequest.newBuilder()
                    .setFilter(
                        CountEntriesRequest.Filter.newBuilder()
                            .setBySpiffeId(id("example.org", "/other")))
                    .build())
            .getCount();

    assertThat(count).isEqualTo(1);
  }

  // ---- list

  @Test
  void pageTokensStayValidUnderConcurrentWrites() {
    for (int i = 0; i < 10; i++) {
      create(valid().toBuilder().setId("e" + i).setSpiffeId(id("example.org", "/w" + i)).build());
    }
    ListEntriesResponse first =
        entries.listEntries(ListEntriesRequest.newBuilder().setPageSize(4).build());
    // Writes between pages: one entry already returned and one not yet returned go away, a new one
    // sorts after the token.
    entries.batchDeleteEntry(
        BatchDeleteEntryRequest.newBuilder().addIds("e1").addIds("e5").build());
    create(valid().toBuilder().setId("e45").setSpiffeId(id("example.org", "/w45")).build());
    ListEntriesResponse second =
        entries.listEntries(
            ListEntriesRequest.newBuilder()
                .setPageSize(4)
                .setPageToken(first.getNextPageToken())
                .build());
    ListEntriesResponse third =
        entries.listEntries(
            ListEntriesRequest.newBuilder()
                .setPageSize(4)
                .setPageToken(second.getNextPageToken())
                .build());

    assertThat(first.getEntriesList())
        .extracting(e -> e.getId())
        .containsExactly("e0", "e1", "e2", "e3");
    assertThat(second.getEntriesList())
        .extracting(e -> e.getId())
        .containsExactly("e4", "e45", "e6", "e7");
    assertThat(third.getEntriesList()).extracting(e -> e.getId()).containsExactly("e8", "e9");
    assertThat(third.getNextPageToken()).isEmpty();
  }

  @Test
  void aFullLastPageIsFollowedByAnEmptyOne() {
    create(valid());
    ListEntriesResponse first =
        entries.listEntries(ListEntriesRequest.newBuilder().setPageSize(1).build());
    ListEntriesResponse second =
        entries.listEntries(
            ListEntriesRequest.newBuilder()
                .setPageSize(1)
                .setPageToken(first.getNextPageToken())
                .build());

    assertThat(first.getEntriesCount()).isEqualTo(1);
    assertThat(first.getNextPageToken()).isNotEmpty();
    assertThat(second.getEntriesCount()).isZero();
    assertThat(second.getNextPageToken()).isEmpty();
  }

  @Test
  void pageSizeZeroReturnsEverythingAtOnce() {
    for (int i = 0; i < 5; i++) {
      create(valid().toBuilder().setSpiffeId(id("example.org", "/w" + i)).build());
    }

    ListEntriesResponse all = entries.listEntries(ListEntriesRequest.getDefaultInstance());

    assertThat(all.getEntriesCount()).isEqualTo(5);
    assertThat(all.getNextPageToken()).isEmpty();
  }

  @Test
  void listRejectsAnEmptySelectorFilter() {
    assertThatThrownBy(
            () ->
                entries.listEntries(
                    ListEntriesRequest.newBuilder()
                        .setFilter(
                            ListEntriesRequest.Filter.newBuilder()
                                .setBySelectors(SelectorMatch.getDefaultInstance()))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("malformed selectors filter: empty selector set"));
  }

  @Test
  void listFiltersByFederationHintAndDownstream() {
    spire.addFederatedBundle(new TrustDomain("partner.org"));
    create(valid().toBuilder().addFederatesWith("partner.org").setHint("a").build());
    create(valid().toBuilder().setSpiffeId(id("example.org", "/d")).setDownstream(true).build());

    var byHint =
        entries.listEntries(
            ListEntriesRequest.newBuilder()
                .setFilter(
                    ListEntriesRequest.Filter.newBuilder()
                        .setByHint(com.google.protobuf.StringValue.of("a")))
                .build());
    var byDownstream =
        entries.listEntries(
            ListEntriesRequest.newBuilder()
                .setFilter(
                    ListEntriesRequest.Filter.newBuilder()
                        .setByDownstream(com.google.protobuf.BoolValue.of(true)))
                .build());
    var byFederation =
        entries.listEntries(
            ListEntriesRequest.newBuilder()
                .setFilter(
                    ListEntriesRequest.Filter.newBuilder()
                        .setByFederatesWith(
                            org.spireregistrar.spire.proto.types.FederatesWithMatch.newBuilder()
                                .addTrustDomains("spiffe://partner.org")
                                .setMatch(
                                    org.spireregistrar.spire.proto.types.FederatesWithMatch
                                        .MatchBehavior.MATCH_ANY)))
                .build());

    assertThat(byHint.getEntriesList()).extracting(e -> e.getHint()).containsExactly("a");
    assertThat(byDownstream.getEntriesList())
        .extracting(e -> e.getDownstream())
        .containsExactly(true);
    assertThat(byFederation.getEntriesList()).extracting(e -> e.getHint()).containsExactly("a");
  }

  // ---- core views

  @Test
  void putEntryAndEntriesSpeakCoreTypes() {
    Entry seeded =
        new Entry(
            new EntryId("seeded"),
            EntrySpec.of(
                SpiffeId.of(TD, "w"), SpiffeId.of(TD, "node"), List.of(Selector.k8s("ns:a"))),
            new EntryAttributes(true, 60, 0, 0, false, "h", 3));

    spire.putEntry(seeded);

    assertThat(spire.entries()).containsExactly(seeded);
  }

  // ---- bundles, SVIDs, agents

  @Test
  void federatedBundleLookups() {
    BundleGrpc.BundleBlockingStub bundles = BundleGrpc.newBlockingStub(channel);
    spire.addFederatedBundle(new TrustDomain("partner.org"));

    assertThat(
            bundles
                .getFederatedBundle(
                    GetFederatedBundleRequest.newBuilder().setTrustDomain("partner.org").build())
                .getTrustDomain())
        .isEqualTo("partner.org");
    assertThatThrownBy(
            () ->
                bundles.getFederatedBundle(
                    GetFederatedBundleRequest.newBuilder().setTrustDomain("other.org").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(
            () ->
                bundles.getFederatedBundle(
                    GetFederatedBundleRequest.newBuilder().setTrustDomain("example.org").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "getting a federated bundle for the server's own trust domain is not allowed"));
    spire.removeFederatedBundle(new TrustDomain("partner.org"));
    assertThatThrownBy(
            () ->
                bundles.getFederatedBundle(
                    GetFederatedBundleRequest.newBuilder().setTrustDomain("partner.org").build()))
        .isInstanceOf(StatusRuntimeException.class);
    assertThat(
            bundles
                .getBundle(GetBundleRequest.getDefaultInstance())
                .getX509Authorities(0)
                .getAsn1())
        .isEqualTo(ByteString.copyFrom(encoded(spire.bundle().get(0))));
  }

  @Test
  void mintsX509SvidsSignedByItsCa() throws Exception {
    KeyPair keys = InMemoryCa.newKeyPair();
    byte[] csr = TestCsr.csr(keys, "spiffe://example.org/webhook", "webhook.spire.svc");

    X509SVID svid =
        SVIDGrpc.newBlockingStub(channel)
            .mintX509SVID(
                MintX509SVIDRequest.newBuilder()
                    .setCsr(ByteString.copyFrom(csr))
                    .setTtl(600)
                    .build())
            .getSvid();

    X509Certificate leaf =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(svid.getCertChain(0).toByteArray()));
    leaf.verify(spire.bundle().get(0).getPublicKey());
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(6, "spiffe://example.org/webhook"), List.of(2, "webhook.spire.svc"));
    assertThat(svid.getId()).isEqualTo(id("example.org", "/webhook"));
    assertThat(svid.getExpiresAt()).isEqualTo(START.plusSeconds(600).getEpochSecond());
  }

  @Test
  void refusesToMintForAnotherTrustDomain() throws Exception {
    byte[] csr = TestCsr.csr(TestCsr.keys(), "spiffe://other.org/webhook");

    assertThatThrownBy(
            () ->
                SVIDGrpc.newBlockingStub(channel)
                    .mintX509SVID(
                        MintX509SVIDRequest.newBuilder().setCsr(ByteString.copyFrom(csr)).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "CSR URI SAN is invalid: \"spiffe://other.org/webhook\" is not a member of"
                            + " trust domain \"example.org\""));
  }

  @Test
  void listsAgentsBySelectors() {
    SpiffeId a1 = SpiffeId.of(TD, "spire", "agent", "k8s_psat", "c1", "uid-1");
    SpiffeId a2 = SpiffeId.of(TD, "spire", "agent", "k8s_psat", "c1", "uid-2");
    spire.addAgent(a1, List.of(Selector.psat("cluster:c1"), Selector.psat("agent_node_name:n1")));
    spire.addAgent(a2, List.of(Selector.psat("cluster:c1"), Selector.psat("agent_node_name:n2")));

    var agents =
        AgentGrpc.newBlockingStub(channel)
            .listAgents(
                ListAgentsRequest.newBuilder()
                    .setFilter(
                        ListAgentsRequest.Filter.newBuilder()
                            .setBySelectorMatch(
                                SelectorMatch.newBuilder()
                                    .addSelectors(sel("k8s_psat", "agent_node_name:n2"))
                                    .setMatch(SelectorMatch.MatchBehavior.MATCH_SUPERSET)))
                    .build())
            .getAgentsList();

    assertThat(agents).extracting(a -> ProtoMapping.fromProto(a.getId())).containsExactly(a2);
  }

  // ---- faults and counters

  @Test
  void unavailableForAPeriodOfTheServersClock() {
    spire.unavailableFor(Duration.ofSeconds(30));

    assertThatThrownBy(() -> entries.listEntries(ListEntriesRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    clock.advance(Duration.ofSeconds(31));
    assertThat(entries.listEntries(ListEntriesRequest.getDefaultInstance()).getEntriesCount())
        .isZero();
  }

  @Test
  void injectedItemFailuresMatchOnTheSpec() {
    spire.failItems(
        s -> s.spiffeId().path().equals("/ns/default/sa/web"),
        EntryResult.Code.INTERNAL,
        "disk full");

    BatchCreateEntryResponse.Result failed = create(valid());
    BatchCreateEntryResponse.Result fine =
        create(valid().toBuilder().setSpiffeId(id("example.org", "/x")).build());

    assertThat(failed.getStatus().getCode()).isEqualTo(13);
    assertThat(failed.getStatus().getMessage()).isEqualTo("disk full");
    assertThat(fine.getStatus().getCode()).isZero();
    spire.faults().clear();
    assertThat(create(valid()).getStatus().getCode()).isZero();
  }

  @Test
  void countsRpcsAndEntriesByMethod() {
    entries.batchCreateEntry(
        BatchCreateEntryRequest.newBuilder()
            .addEntries(valid())
            .addEntries(valid().toBuilder().setSpiffeId(id("example.org", "/x")))
            .build());
    entries.listEntries(ListEntriesRequest.getDefaultInstance());
    spire.setUnavailable(true);
    assertThatThrownBy(() -> entries.listEntries(ListEntriesRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class);

    assertThat(spire.counters().rpcsByMethod())
        .containsExactly(
            java.util.Map.entry("BatchCreateEntry", 1L), java.util.Map.entry("ListEntries", 2L));
    assertThat(spire.counters().entriesByMethod())
        .containsExactly(
            java.util.Map.entry("BatchCreateEntry", 2L), java.util.Map.entry("ListEntries", 2L));
    assertThat(spire.counters().writeRpcs()).isEqualTo(1);
    spire.resetCounters();
    assertThat(spire.counters().totalRpcs()).isZero();
  }

  @Test
  void agentOnlyMethodsAreRefusedToLocalCallers() {
    assertThatThrownBy(
            () ->
                entries.getAuthorizedEntries(
                    org.spireregistrar.spire.proto.entry.v1.GetAuthorizedEntriesRequest
                        .getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
  }

  @Test
  void costPerEntryChargesEveryEntryWrittenOrListed() {
    spire.faults().costPerEntry(Duration.ofNanos(1000));
    org.spireregistrar.spire.proto.types.Entry second =
        valid().toBuilder().setSpiffeId(id("example.org", "/ns/default/sa/api")).build();
    BatchCreateEntryResponse created =
        entries.batchCreateEntry(
            BatchCreateEntryRequest.newBuilder().addEntries(valid()).addEntries(second).build());
    assertThat(spire.counters().datastoreWorkNanos()).isEqualTo(2000);

    entries.listEntries(ListEntriesRequest.newBuilder().setPageSize(1).build());
    assertThat(spire.counters().datastoreWorkNanos()).isEqualTo(3000);

    entries.batchDeleteEntry(
        BatchDeleteEntryRequest.newBuilder()
            .addIds(created.getResults(0).getEntry().getId())
            .addIds(created.getResults(1).getEntry().getId())
            .addIds("no-such-entry")
            .build());
    assertThat(spire.counters().datastoreWorkNanos()).isEqualTo(6000);
    assertThat(spire.counters().datastoreWorkCalls()).isEqualTo(3);

    spire.faults().costPerEntry(Duration.ZERO);
    entries.batchCreateEntry(BatchCreateEntryRequest.newBuilder().addEntries(valid()).build());
    assertThat(spire.counters().datastoreWorkNanos()).isEqualTo(6000);
    assertThatThrownBy(() -> spire.faults().costPerEntry(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost per entry cannot be negative: PT-0.000000001S");
  }

  @Test
  void needsATransport() {
    assertThatThrownBy(() -> InMemorySpireServer.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("in-memory SPIRE server needs a socket path, an in-process name or a TCP port");
  }

  // ---- helpers

  static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
