package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.spire.proto.types.SPIFFEID;
import org.spireregistrar.spire.proto.types.Selector;

class CanonicalTest {
  private static org.spireregistrar.spire.proto.types.Entry wire(
      String id, String pod, String node) {
    return org.spireregistrar.spire.proto.types.Entry.newBuilder()
        .setId(id)
        .setSpiffeId(SPIFFEID.newBuilder().setTrustDomain("example.org").setPath("/ns/shop/sa/web"))
        .setParentId(
            SPIFFEID
                .newBuilder()
                .setTrustDomain(new String("example.org".toCharArray()))
                .setPath("/spire-k8s-registrar/c1/node/" + node))
        .addSelectors(Selector.newBuilder().setType("k8s").setValue("ns:shop"))
        .addSelectors(Selector.newBuilder().setType("k8s").setValue("pod-name:" + pod))
        .addDnsNames(pod + ".shop.svc")
        .build();
  }

  @Test
  void entriesShareTheValuesTheyRepeat() {
    Canonical canonical = new Canonical();
    Entry a = ProtoMapping.fromProto(wire("a", "web-0", "n1"), canonical);
    Entry b = ProtoMapping.fromProto(wire("b", "web-1", "n1"), canonical);

    assertThat(b).isNotEqualTo(a);
    assertThat(b.spiffeId()).isSameAs(a.spiffeId());
    assertThat(b.parentId()).isSameAs(a.parentId());
    assertThat(b.parentId().trustDomain()).isSameAs(a.spiffeId().trustDomain());
    assertThat(b.spec().selectors().get(0)).isSameAs(a.spec().selectors().get(0));
    assertThat(b.attributes()).isSameAs(a.attributes());
    // Equal to what the plain mapping gives.
    assertThat(a).isEqualTo(ProtoMapping.fromProto(wire("a", "web-0", "n1")));
  }

  @Test
  void valuesAreStillValidated() {
    Canonical canonical = new Canonical();
    ProtoMapping.fromProto(wire("a", "web-0", "n1"), canonical);
    assertThatThrownBy(() -> ProtoMapping.fromProto(wire("c", "web-2", "bad/../node"), canonical))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> canonical.trustDomain("Not A Domain"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFullTableStopsSharingButKeepsMapping() {
    Canonical canonical = new Canonical();
    for (int i = 0; i < Canonical.SELECTOR_LIMIT + 10; i++) {
      ProtoMapping.fromProto(wire("e" + i, "pod-" + i, "n1"), canonical);
    }
    // ns:shop came first and stays shared; a new value after the table filled is not kept.
    Entry late = ProtoMapping.fromProto(wire("x", "late", "n1"), canonical);
    Entry again = ProtoMapping.fromProto(wire("y", "late", "n1"), canonical);
    assertThat(again.spec().selectors().get(0)).isSameAs(late.spec().selectors().get(0));
    assertThat(again.spec().selectors().get(1)).isNotSameAs(late.spec().selectors().get(1));
    assertThat(again.spec().selectors().get(1)).isEqualTo(late.spec().selectors().get(1));
  }
}
