package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.spire.proto.types.SPIFFEID;
import org.spireregistrar.spire.proto.types.Selector;

class ProtoMappingTest {
  /** An entry with every field the mapping reads set to something other than its default. */
  private static final org.spireregistrar.spire.proto.types.Entry WIRE =
      org.spireregistrar.spire.proto.types.Entry.newBuilder()
          .setId("k8sreg-1")
          .setSpiffeId(SPIFFEID.newBuilder().setTrustDomain("example.org").setPath("/ns/a/sa/web"))
          .setParentId(
              SPIFFEID
                  .newBuilder()
                  .setTrustDomain("example.org")
                  .setPath("/spire-k8s-registrar/c1/node/n1"))
          .addSelectors(Selector.newBuilder().setType("k8s").setValue("ns:a"))
          .addSelectors(Selector.newBuilder().setType("k8s").setValue("pod-name:web-0"))
          .addDnsNames("web-0.a.svc")
          .addDnsNames("web.a.svc")
          .addFederatesWith("other.org")
          .setDownstream(true)
          .setAdmin(true)
          .setX509SvidTtl(3600)
          .setJwtSvidTtl(300)
          .setExpiresAt(4_000_000_000L)
          .setStoreSvid(true)
          .setHint("web")
          .setRevisionNumber(7)
          .build();

  private static Map<String, UnaryOperator<org.spireregistrar.spire.proto.types.Entry.Builder>>
      changes() {
    Map<String, UnaryOperator<org.spireregistrar.spire.proto.types.Entry.Builder>> m =
        new LinkedHashMap<>();
    m.put("id", b -> b.setId("k8sreg-2"));
    m.put("SPIFFE ID path", b -> b.setSpiffeId(b.getSpiffeId().toBuilder().setPath("/x")));
    m.put(
        "SPIFFE ID trust domain",
        b -> b.setSpiffeId(b.getSpiffeId().toBuilder().setTrustDomain("other.org")));
    m.put("parent path", b -> b.setParentId(b.getParentId().toBuilder().setPath("/n2")));
    m.put(
        "parent trust domain",
        b -> b.setParentId(b.getParentId().toBuilder().setTrustDomain("other.org")));
    m.put(
        "selector type",
        b -> b.setSelectors(1, Selector.newBuilder().setType("k9s").setValue("pod-name:web-0")));
    m.put(
        "selector value",
        b -> b.setSelectors(1, Selector.newBuilder().setType("k8s").setValue("pod-name:web-1")));
    m.put(
        "one selector more",
        b -> b.addSelectors(Selector.newBuilder().setType("k8s").setValue("sa:web")));
    m.put("one selector fewer", b -> b.removeSelectors(1));
    m.put("DNS name", b -> b.setDnsNames(1, "api.a.svc"));
    m.put("one DNS name more", b -> b.addDnsNames("api.a.svc"));
    m.put("no DNS names", b -> b.clearDnsNames());
    m.put("federated trust domain", b -> b.setFederatesWith(0, "third.org"));
    m.put("no federation", b -> b.clearFederatesWith());
    m.put("downstream", b -> b.setDownstream(false));
    m.put("admin", b -> b.setAdmin(false));
    m.put("X509-SVID TTL", b -> b.setX509SvidTtl(60));
    m.put("JWT-SVID TTL", b -> b.setJwtSvidTtl(60));
    m.put("expiry", b -> b.setExpiresAt(1));
    m.put("store SVID", b -> b.setStoreSvid(false));
    m.put("hint", b -> b.setHint("api"));
    m.put("revision", b -> b.setRevisionNumber(8));
    return m;
  }

  @Test
  void anEntryIsTheSameAsWhatItDecodesTo() {
    Entry decoded = ProtoMapping.fromProto(WIRE);

    assertThat(ProtoMapping.sameAs(WIRE, decoded)).isTrue();
    assertThat(ProtoMapping.sameAs(WIRE.toBuilder().build(), ProtoMapping.fromProto(WIRE)))
        .as("equal copies, not the same objects")
        .isTrue();
  }

  @Test
  void aChangeToAnyFieldMakesAnEntryDifferentFromWhatItWas() {
    Entry before = ProtoMapping.fromProto(WIRE);
    changes()
        .forEach(
            (field, change) -> {
              org.spireregistrar.spire.proto.types.Entry changed =
                  change.apply(WIRE.toBuilder()).build();
              assertThat(ProtoMapping.fromProto(changed)).as(field).isNotEqualTo(before);
              assertThat(ProtoMapping.sameAs(changed, before)).as(field).isFalse();
            });
  }

  @Test
  void aWireEntryThatOnlyDecodesToTheSameIsNotClaimedToBeIt() {
    // Unsorted selectors, a repeated DNS name: equal once decoded, but only decoding tells.
    org.spireregistrar.spire.proto.types.Entry reordered =
        WIRE.toBuilder()
            .clearSelectors()
            .addSelectors(WIRE.getSelectors(1))
            .addSelectors(WIRE.getSelectors(0))
            .addDnsNames("web.a.svc")
            .build();
    Entry before = ProtoMapping.fromProto(WIRE);

    assertThat(ProtoMapping.fromProto(reordered)).isEqualTo(before);
    assertThat(ProtoMapping.sameAs(reordered, before)).isFalse();
  }
}
