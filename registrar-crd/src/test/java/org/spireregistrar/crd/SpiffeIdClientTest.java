package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceType;

/** SpiffeIdClient's writes through client-java against the API stand-in. */
class SpiffeIdClientTest {
  KubernetesApiStandIn k8s;
  SpiffeIdClient client;

  @BeforeEach
  void start() {
    k8s = KubernetesApiStandIn.start();
    client = new SpiffeIdClient(k8s.client());
  }

  @AfterEach
  void stop() {
    k8s.close();
  }

  ObjectNode create() {
    return k8s.create(
        ResourceType.SPIFFEIDS.collectionPath("ns"),
        ResourceType.SPIFFEIDS.object("ns", "a", Map.of("spiffeId", "spiffe://example.org/a")));
  }

  @Test
  void setsTheEntryIdThroughTheStatusSubresource() {
    String uid = create().at("/metadata/uid").asText();

    assertThat(client.setEntryId("ns", "a", uid, "e-1")).isTrue();

    assertThat(
            k8s.get(ResourceType.SPIFFEIDS.objectPath("ns", "a"))
                .orElseThrow()
                .at("/status/entryId")
                .asText())
        .isEqualTo("e-1");
  }

  @Test
  void neverChangesASameNameObjectWithAnotherUid() {
    create();

    assertThat(client.setEntryId("ns", "a", "other-uid", "e-1")).isFalse();

    assertThat(
            k8s.get(ResourceType.SPIFFEIDS.objectPath("ns", "a"))
                .orElseThrow()
                .at("/status/entryId")
                .isMissingNode())
        .isTrue();
  }

  @Test
  void addsAndRemovesTheFinalizer() {
    String uid = create().at("/metadata/uid").asText();

    assertThat(
            client.modify(
                "ns",
                "a",
                uid,
                o -> SpiffeIdClient.setFinalizer(o, SpiffeIdObject.FINALIZER, true)))
        .isTrue();
    assertThat(
            k8s.get(ResourceType.SPIFFEIDS.objectPath("ns", "a"))
                .orElseThrow()
                .at("/metadata/finalizers/0")
                .asText())
        .isEqualTo(SpiffeIdObject.FINALIZER);
    assertThat(client.removeFinalizer("ns", "a", uid, SpiffeIdObject.FINALIZER)).isTrue();
    assertThat(
            k8s.get(ResourceType.SPIFFEIDS.objectPath("ns", "a"))
                .orElseThrow()
                .at("/metadata/finalizers")
                .isMissingNode())
        .isTrue();
  }
}
