package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.spire.proto.agent.v1.AgentGrpc;
import org.spireregistrar.spire.proto.agent.v1.ListAgentsRequest;
import org.spireregistrar.spire.proto.agent.v1.ListAgentsResponse;
import org.spireregistrar.spire.proto.bundle.v1.BundleGrpc;
import org.spireregistrar.spire.proto.bundle.v1.GetFederatedBundleRequest;
import org.spireregistrar.spire.proto.bundle.v1.ListFederatedBundlesRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.BatchDeleteEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchDeleteEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.CountEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.CountEntriesResponse;
import org.spireregistrar.spire.proto.entry.v1.EntryGrpc;
import org.spireregistrar.spire.proto.entry.v1.EntryRevision;
import org.spireregistrar.spire.proto.entry.v1.GetEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesResponse;
import org.spireregistrar.spire.proto.entry.v1.SyncAuthorizedEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.SyncAuthorizedEntriesResponse;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDRequest;
import org.spireregistrar.spire.proto.svid.v1.MintX509SVIDResponse;
import org.spireregistrar.spire.proto.svid.v1.SVIDGrpc;
import org.spireregistrar.spire.proto.types.Agent;
import org.spireregistrar.spire.proto.types.AgentMask;
import org.spireregistrar.spire.proto.types.Bundle;
import org.spireregistrar.spire.proto.types.BundleMask;
import org.spireregistrar.spire.proto.types.Entry;
import org.spireregistrar.spire.proto.types.EntryMask;
import org.spireregistrar.spire.proto.types.FederatesWithMatch;
import org.spireregistrar.spire.proto.types.JWTKey;
import org.spireregistrar.spire.proto.types.SPIFFEID;
import org.spireregistrar.spire.proto.types.Selector;
import org.spireregistrar.spire.proto.types.SelectorMatch;
import org.spireregistrar.spire.proto.types.Status;
import org.spireregistrar.spire.proto.types.X509Certificate;
import org.spireregistrar.spire.proto.types.X509SVID;

/**
 * Encodes one field at a time by hand, with the field numbers and wire types documented in
 * spire-api.md §2–7, and decodes the bytes with our generated classes: a wrong number or type in a
 * .proto file leaves the field unset (or unknown) and fails.
 */
class WireFormatTest {

  /** One documented field: its number, our field name, and a value of the documented type. */
  record Field(Message type, int number, String name, Object value) {
    @Override
    public String toString() {
      return type.getDescriptorForType().getFullName() + " #" + number + " " + name;
    }
  }

  /** An enum value, to be encoded as its documented number. */
  record Enum(int number) {}

  static final SPIFFEID ID =
      SPIFFEID.newBuilder().setTrustDomain("example.org").setPath("/w").build();
  static final Selector SEL = Selector.newBuilder().setType("k8s").setValue("ns:default").build();
  static final Status STATUS = Status.newBuilder().setCode(6).setMessage("similar").build();
  static final Entry ENTRY = Entry.newBuilder().setId("e1").setSpiffeId(ID).build();
  static final EntryMask MASK = EntryMask.newBuilder().setHint(true).build();

  static Field f(Message type, int number, String name, Object value) {
    return new Field(type, number, name, value);
  }

  static Stream<Field> fields() {
    Entry e = Entry.getDefaultInstance();
    EntryMask m = EntryMask.getDefaultInstance();
    ListEntriesRequest.Filter lf = ListEntriesRequest.Filter.getDefaultInstance();
    CountEntriesRequest.Filter cf = CountEntriesRequest.Filter.getDefaultInstance();
    return Stream.of(
        // spire.api.types.Entry (§3)
        f(e, 1, "id", "e1"),
        f(e, 2, "spiffe_id", ID),
        f(e, 3, "parent_id", ID),
        f(e, 4, "selectors", SEL),
        f(e, 5, "x509_svid_ttl", 3600),
        f(e, 6, "federates_with", "partner.org"),
        f(e, 7, "admin", true),
        f(e, 8, "downstream", true),
        f(e, 9, "expires_at", 4_000_000_000L),
        f(e, 10, "dns_names", "web.default.svc"),
        f(e, 11, "revision_number", 42L),
        f(e, 12, "store_svid", true),
        f(e, 13, "jwt_svid_ttl", 300),
        f(e, 14, "hint", "hint"),
        f(e, 15, "created_at", 1_700_000_000L),
        f(
            e,
            16,
            "additional_attributes",
            Entry.AdditionalAttributes.newBuilder().setDisableX509SvidPrefetch(true).build()),
        f(Entry.AdditionalAttributes.getDefaultInstance(), 1, "disable_x509_svid_prefetch", true),
        f(Entry.AdditionalAttributes.getDefaultInstance(), 2, "jwt_svid_include_jti", true),
        // EntryMask: numbers match the Entry fields; no field 1.
        f(m, 2, "spiffe_id", true),
        f(m, 3, "parent_id", true),
        f(m, 4, "selectors", true),
        f(m, 5, "x509_svid_ttl", true),
        f(m, 6, "federates_with", true),
        f(m, 7, "admin", true),
        f(m, 8, "downstream", true),
        f(m, 9, "expires_at", true),
        f(m, 10, "dns_names", true),
        f(m, 11, "revision_number", true),
        f(m, 12, "store_svid", true),
        f(m, 13, "jwt_svid_ttl", true),
        f(m, 14, "hint", true),
        f(m, 15, "created_at", true),
        f(m, 16, "additional_attributes", true),
        f(Selector.getDefaultInstance(), 1, "type", "k8s"),
        f(Selector.getDefaultInstance(), 2, "value", "ns:default"),
        f(SelectorMatch.getDefaultInstance(), 1, "selectors", SEL),
        f(SelectorMatch.getDefaultInstance(), 2, "match", new Enum(2)),
        f(FederatesWithMatch.getDefaultInstance(), 1, "trust_domains", "partner.org"),
        f(FederatesWithMatch.getDefaultInstance(), 2, "match", new Enum(3)),
        f(SPIFFEID.getDefaultInstance(), 1, "trust_domain", "example.org"),
        f(SPIFFEID.getDefaultInstance(), 2, "path", "/w"),
        f(Status.getDefaultInstance(), 1, "code", 6),
        f(Status.getDefaultInstance(), 2, "message", "similar entry already exists"),
        // spire.api.server.entry.v1 (§2)
        f(
            CountEntriesRequest.getDefaultInstance(),
            1,
            "filter",
            cf.toBuilder().setByHint(sv("h")).build()),
        f(CountEntriesResponse.getDefaultInstance(), 1, "count", 7),
        f(cf, 1, "by_spiffe_id", ID),
        f(cf, 2, "by_parent_id", ID),
        f(cf, 6, "by_downstream", BoolValue.of(true)),
        f(lf, 1, "by_spiffe_id", ID),
        f(lf, 2, "by_parent_id", ID),
        f(lf, 3, "by_selectors", SelectorMatch.newBuilder().addSelectors(SEL).build()),
        f(
            lf,
            4,
            "by_federates_with",
            FederatesWithMatch.newBuilder().addTrustDomains("p.org").build()),
        f(lf, 5, "by_hint", sv("h")),
        f(lf, 6, "by_downstream", BoolValue.of(true)),
        f(
            ListEntriesRequest.getDefaultInstance(),
            1,
            "filter",
            lf.toBuilder().setByParentId(ID).build()),
        f(ListEntriesRequest.getDefaultInstance(), 2, "output_mask", MASK),
        f(ListEntriesRequest.getDefaultInstance(), 3, "page_size", 500),
        f(ListEntriesRequest.getDefaultInstance(), 4, "page_token", "e1"),
        f(ListEntriesResponse.getDefaultInstance(), 1, "entries", ENTRY),
        f(ListEntriesResponse.getDefaultInstance(), 2, "next_page_token", "e1"),
        f(GetEntryRequest.getDefaultInstance(), 1, "id", "e1"),
        f(GetEntryRequest.getDefaultInstance(), 2, "output_mask", MASK),
        f(BatchCreateEntryRequest.getDefaultInstance(), 1, "entries", ENTRY),
        f(BatchCreateEntryRequest.getDefaultInstance(), 2, "output_mask", MASK),
        f(
            BatchCreateEntryResponse.getDefaultInstance(),
            1,
            "results",
            BatchCreateEntryResponse.Result.newBuilder().setStatus(STATUS).build()),
        f(BatchCreateEntryResponse.Result.getDefaultInstance(), 1, "status", STATUS),
        f(BatchCreateEntryResponse.Result.getDefaultInstance(), 2, "entry", ENTRY),
        f(BatchUpdateEntryRequest.getDefaultInstance(), 1, "entries", ENTRY),
        f(BatchUpdateEntryRequest.getDefaultInstance(), 2, "input_mask", MASK),
        f(BatchUpdateEntryRequest.getDefaultInstance(), 3, "output_mask", MASK),
        f(BatchUpdateEntryResponse.Result.getDefaultInstance(), 1, "status", STATUS),
        f(BatchUpdateEntryResponse.Result.getDefaultInstance(), 2, "entry", ENTRY),
        f(BatchDeleteEntryRequest.getDefaultInstance(), 1, "ids", "e1"),
        f(BatchDeleteEntryResponse.Result.getDefaultInstance(), 1, "status", STATUS),
        f(BatchDeleteEntryResponse.Result.getDefaultInstance(), 2, "id", "e1"),
        f(SyncAuthorizedEntriesRequest.getDefaultInstance(), 1, "output_mask", MASK),
        f(SyncAuthorizedEntriesRequest.getDefaultInstance(), 2, "ids", "e1"),
        f(
            SyncAuthorizedEntriesResponse.getDefaultInstance(),
            1,
            "entry_revisions",
            EntryRevision.newBuilder().setId("e1").build()),
        f(SyncAuthorizedEntriesResponse.getDefaultInstance(), 2, "entries", ENTRY),
        f(SyncAuthorizedEntriesResponse.getDefaultInstance(), 3, "more", true),
        f(EntryRevision.getDefaultInstance(), 1, "id", "e1"),
        f(EntryRevision.getDefaultInstance(), 2, "revision_number", 3L),
        f(EntryRevision.getDefaultInstance(), 3, "created_at", 5L),
        // spire.api.server.agent.v1 and types.Agent (§4)
        f(
            ListAgentsRequest.getDefaultInstance(),
            1,
            "filter",
            ListAgentsRequest.Filter.newBuilder().setByAttestationType("k8s_psat").build()),
        f(
            ListAgentsRequest.getDefaultInstance(),
            2,
            "output_mask",
            AgentMask.newBuilder().setSelectors(true).build()),
        f(ListAgentsRequest.getDefaultInstance(), 3, "page_size", 100),
        f(ListAgentsRequest.getDefaultInstance(), 4, "page_token", "t"),
        f(ListAgentsRequest.Filter.getDefaultInstance(), 1, "by_attestation_type", "k8s_psat"),
        f(
            ListAgentsRequest.Filter.getDefaultInstance(),
            2,
            "by_selector_match",
            SelectorMatch.newBuilder().addSelectors(SEL).build()),
        f(ListAgentsRequest.Filter.getDefaultInstance(), 3, "by_banned", BoolValue.of(true)),
        f(ListAgentsRequest.Filter.getDefaultInstance(), 4, "by_can_reattest", BoolValue.of(true)),
        f(
            ListAgentsRequest.Filter.getDefaultInstance(),
            5,
            "by_expires_before",
            "2026-01-02 15:04:05 +0000 UTC"),
        f(
            ListAgentsResponse.getDefaultInstance(),
            1,
            "agents",
            Agent.newBuilder().setId(ID).build()),
        f(ListAgentsResponse.getDefaultInstance(), 2, "next_page_token", "t"),
        f(Agent.getDefaultInstance(), 1, "id", ID),
        f(Agent.getDefaultInstance(), 2, "attestation_type", "k8s_psat"),
        f(Agent.getDefaultInstance(), 3, "x509svid_serial_number", "1234"),
        f(Agent.getDefaultInstance(), 4, "x509svid_expires_at", 9L),
        f(Agent.getDefaultInstance(), 5, "selectors", SEL),
        f(Agent.getDefaultInstance(), 6, "banned", true),
        f(Agent.getDefaultInstance(), 7, "can_reattest", true),
        f(Agent.getDefaultInstance(), 8, "agent_version", "1.15.3"),
        f(AgentMask.getDefaultInstance(), 2, "attestation_type", true),
        f(AgentMask.getDefaultInstance(), 5, "selectors", true),
        f(AgentMask.getDefaultInstance(), 8, "agent_version", true),
        // spire.api.server.bundle.v1 and types.Bundle (§5)
        f(GetFederatedBundleRequest.getDefaultInstance(), 1, "trust_domain", "partner.org"),
        f(
            GetFederatedBundleRequest.getDefaultInstance(),
            2,
            "output_mask",
            BundleMask.newBuilder().setRefreshHint(true).build()),
        f(
            ListFederatedBundlesRequest.getDefaultInstance(),
            1,
            "output_mask",
            BundleMask.newBuilder().setRefreshHint(true).build()),
        f(ListFederatedBundlesRequest.getDefaultInstance(), 2, "page_size", 10),
        f(ListFederatedBundlesRequest.getDefaultInstance(), 3, "page_token", "t"),
        f(Bundle.getDefaultInstance(), 1, "trust_domain", "partner.org"),
        f(
            Bundle.getDefaultInstance(),
            2,
            "x509_authorities",
            X509Certificate.newBuilder().setAsn1(ByteString.copyFromUtf8("der")).build()),
        f(
            Bundle.getDefaultInstance(),
            3,
            "jwt_authorities",
            JWTKey.newBuilder().setKeyId("k").build()),
        f(Bundle.getDefaultInstance(), 4, "refresh_hint", 60L),
        f(Bundle.getDefaultInstance(), 5, "sequence_number", 3L),
        f(X509Certificate.getDefaultInstance(), 1, "asn1", ByteString.copyFromUtf8("der")),
        f(X509Certificate.getDefaultInstance(), 2, "tainted", true),
        f(JWTKey.getDefaultInstance(), 1, "public_key", ByteString.copyFromUtf8("pkix")),
        f(JWTKey.getDefaultInstance(), 2, "key_id", "k"),
        f(JWTKey.getDefaultInstance(), 3, "expires_at", 5L),
        f(JWTKey.getDefaultInstance(), 4, "tainted", true),
        f(BundleMask.getDefaultInstance(), 2, "x509_authorities", true),
        f(BundleMask.getDefaultInstance(), 6, "wit_authorities", true),
        // spire.api.server.svid.v1 and types.X509SVID (§7)
        f(MintX509SVIDRequest.getDefaultInstance(), 1, "csr", ByteString.copyFromUtf8("csr")),
        f(MintX509SVIDRequest.getDefaultInstance(), 2, "ttl", 3600),
        f(
            MintX509SVIDResponse.getDefaultInstance(),
            1,
            "svid",
            X509SVID.newBuilder().setId(ID).build()),
        f(X509SVID.getDefaultInstance(), 1, "cert_chain", ByteString.copyFromUtf8("der")),
        f(X509SVID.getDefaultInstance(), 2, "id", ID),
        f(X509SVID.getDefaultInstance(), 3, "expires_at", 7L),
        f(X509SVID.getDefaultInstance(), 4, "hint", "h"));
  }

  private static StringValue sv(String s) {
    return StringValue.of(s);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fields")
  void decodesTheDocumentedFieldNumber(Field field) throws IOException {
    Message parsed =
        field.type().getParserForType().parseFrom(encode(field.number(), field.value()));

    assertThat(parsed.getUnknownFields().asMap()).isEmpty();
    FieldDescriptor fd = parsed.getDescriptorForType().findFieldByName(field.name());
    assertThat(fd).as("field %s", field.name()).isNotNull();
    Object decoded = parsed.getField(fd);
    if (fd.isRepeated()) {
      decoded = ((List<?>) decoded).get(0);
    }
    if (field.value() instanceof Enum en) {
      assertThat(((EnumValueDescriptor) decoded).getNumber()).isEqualTo(en.number());
    } else {
      assertThat(decoded).isEqualTo(field.value());
    }
  }

  /** The field alone, with the documented number and the wire type of its value. */
  private static byte[] encode(int number, Object value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    if (value instanceof String s) {
      out.writeString(number, s);
    } else if (value instanceof Integer i) {
      out.writeInt32(number, i);
    } else if (value instanceof Long l) {
      out.writeInt64(number, l);
    } else if (value instanceof Boolean b) {
      out.writeBool(number, b);
    } else if (value instanceof ByteString b) {
      out.writeBytes(number, b);
    } else if (value instanceof Enum en) {
      out.writeEnum(number, en.number());
    } else if (value instanceof Message m) {
      out.writeMessage(number, m);
    } else {
      throw new IllegalArgumentException("no wire type for " + value);
    }
    out.flush();
    return bytes.toByteArray();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      textBlock =
          """
          MATCH_EXACT,    0
          MATCH_SUBSET,   1
          MATCH_SUPERSET, 2
          MATCH_ANY,      3
          """)
  void matchBehaviourNumbersAreSpires(String name, int number) {
    assertThat(SelectorMatch.MatchBehavior.valueOf(name).getNumber()).isEqualTo(number);
    assertThat(FederatesWithMatch.MatchBehavior.valueOf(name).getNumber()).isEqualTo(number);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void methodPathsAreSpires(String expected, String actual) {
    assertThat(actual).isEqualTo(expected);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> methods() {
    return Stream.of(
            EntryGrpc.getCountEntriesMethod(),
            EntryGrpc.getListEntriesMethod(),
            EntryGrpc.getGetEntryMethod(),
            EntryGrpc.getBatchCreateEntryMethod(),
            EntryGrpc.getBatchUpdateEntryMethod(),
            EntryGrpc.getBatchDeleteEntryMethod(),
            EntryGrpc.getGetAuthorizedEntriesMethod(),
            EntryGrpc.getSyncAuthorizedEntriesMethod(),
            BundleGrpc.getGetFederatedBundleMethod(),
            BundleGrpc.getListFederatedBundlesMethod(),
            BundleGrpc.getGetBundleMethod(),
            BundleGrpc.getCountBundlesMethod(),
            SVIDGrpc.getMintX509SVIDMethod(),
            AgentGrpc.getListAgentsMethod())
        .map(m -> m.getFullMethodName())
        .map(
            actual ->
                org.junit.jupiter.params.provider.Arguments.of(
                    expectedPath(actual.substring(actual.indexOf('/') + 1)), actual));
  }

  private static String expectedPath(String method) {
    return switch (method) {
      case "CountEntries",
          "ListEntries",
          "GetEntry",
          "BatchCreateEntry",
          "BatchUpdateEntry",
          "BatchDeleteEntry",
          "GetAuthorizedEntries",
          "SyncAuthorizedEntries" ->
          "spire.api.server.entry.v1.Entry/" + method;
      case "GetFederatedBundle", "ListFederatedBundles", "GetBundle", "CountBundles" ->
          "spire.api.server.bundle.v1.Bundle/" + method;
      case "MintX509SVID" -> "spire.api.server.svid.v1.SVID/" + method;
      case "ListAgents" -> "spire.api.server.agent.v1.Agent/" + method;
      default -> "unexpected method " + method;
    };
  }
}
