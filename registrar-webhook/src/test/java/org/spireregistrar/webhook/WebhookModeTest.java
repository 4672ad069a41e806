package org.spireregistrar.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.kubernetes.testing.TestPki;
import org.spireregistrar.webhook.server.ServerOptions;
import org.spireregistrar.webhook.server.ServerStartException;

/** Webhook mode end to end: real TLS handshakes on loopback against an in-memory store. */
class WebhookModeTest {
  private static final TestPki PKI = TestPki.create("registrar CA");
  private static final TestPki.Issued API_SERVER = PKI.client("kube-apiserver");

  @TempDir Path dir;
  private final InMemoryEntryStore store = new InMemoryEntryStore();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void writeCertificates() {
    PKI.localServer("k8s-workload-registrar.spire.svc").writeTo(dir, "cert.pem", "key.pem");
    PKI.writeCa(dir, "cacert.pem");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private RegistrarConfig config(String label, boolean skipVerification) {
    return Reviews.config(
        label,
        "",
        new WebhookConfig(
            "127.0.0.1:0",
            dir.resolve("cert.pem").toString(),
            dir.resolve("key.pem").toString(),
            dir.resolve("cacert.pem").toString(),
            skipVerification));
  }

  private WebhookMode started(RegistrarConfig config) {
    WebhookMode mode =
        new WebhookMode(
            config,
            store,
            Clock.systemUTC(),
            ServerOptions.DEFAULTS.withReloadInterval(Duration.ZERO));
    toClose.add(mode);
    mode.start();
    return mode;
  }

  private RawHttps client(WebhookMode mode) throws IOException {
    RawHttps c = RawHttps.connect(mode.address(), API_SERVER.clientContext(PKI.caCertificate()));
    toClose.add(c);
    return c;
  }

  private static String post(Object review) {
    return RawHttps.post("/validate", "application/json", Reviews.text(review));
  }

  @Test
  void createsTheClusterNodeEntryBeforeServing() {
    WebhookMode mode = started(config("", false));
    assertThat(store.entries())
        .extracting(e -> e.spiffeId().toString())
        .containsExactly(Reviews.NODE_ID);
    assertThat(mode.address().getPort()).isPositive();
  }

  @Test
  void doesNotServeWhenTheClusterNodeEntryCannotBeCreated() {
    store.setUnavailable(true);
    WebhookMode mode = new WebhookMode(config("", false), store);
    toClose.add(mode);
    assertThatThrownBy(mode::start)
        .isInstanceOf(ServerStartException.class)
        .hasMessage(
            "unable to create the cluster node entry "
                + Reviews.NODE_ID
                + ": in-memory entry store: create failed: unavailable");
    assertThatThrownBy(mode::address).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void reportsUpstreamsTextForAMissingKeypair() {
    WebhookConfig missing =
        new WebhookConfig(
            "127.0.0.1:0",
            dir.resolve("nope.pem").toString(),
            dir.resolve("key.pem").toString(),
            dir.resolve("cacert.pem").toString(),
            false);
    WebhookMode mode = new WebhookMode(Reviews.config("", "", missing), store);
    toClose.add(mode);
    assertThatThrownBy(mode::start)
        .hasMessage(
            "unable to load server keypair: open "
                + dir.resolve("nope.pem")
                + ": no such file or directory");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"})
  void roundTripsAPodCreateAndDelete(String apiVersion) throws IOException {
    WebhookMode mode = started(config("", false));
    RawHttps c = client(mode);

    RawHttps.Reply created =
        c.send(
                post(
                    Reviews.podReview(
                        apiVersion, "uid-create", "CREATE", Reviews.pod("ns", "web-0"))))
            .read();
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.header("content-type")).isEqualTo("application/json");
    assertThat(created.body())
        .isEqualTo(
            "{\"kind\":\"AdmissionReview\",\"apiVersion\":\""
                + apiVersion
                + "\",\"response\":{\"uid\":\"uid-create\",\"allowed\":true}}");
    assertThat(store.entries())
        .extracting(e -> e.spiffeId().toString())
        .contains("spiffe://domain.test/ns/ns/sa/SERVICEACCOUNT");

    RawHttps.Reply deleted =
        c.send(
                post(
                    Reviews.podReview(
                        apiVersion, "uid-delete", "DELETE", Reviews.pod("ns", "web-0"))))
            .read();
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body()).contains("\"uid\":\"uid-delete\"");
    assertThat(store.entries()).extracting(Entry::spiffeId).hasSize(1); // the node entry
  }

  @Test
  void answers500WhenSpireFails() throws IOException {
    WebhookMode mode = started(config("", false));
    store.failItems(
        s -> !s.parentId().toString().endsWith("/spire/server"),
        EntryResult.Code.UNAVAILABLE,
        "connection refused");
    RawHttps.Reply r =
        client(mode)
            .send(
                post(
                    Reviews.podReview(
                        "admission.k8s.io/v1", "u", "CREATE", Reviews.pod("ns", "p"))))
            .read();
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.body())
        .isEqualTo(
            "Internal error occurred: rpc error: code = Unavailable desc = connection refused\n");
  }

  @Test
  void servesWithoutClientCertificatesWhenVerificationIsSkipped() throws IOException {
    WebhookMode mode = started(config("", true));
    RawHttps c = RawHttps.connect(mode.address(), TestPki.clientContext(null, PKI.caCertificate()));
    toClose.add(c);
    RawHttps.Reply r =
        c.send(
                post(
                    Reviews.podReview(
                        "admission.k8s.io/v1", "u", "CREATE", Reviews.pod("ns", "p"))))
            .read();
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void refusesClientsWithoutCertificateAtTheHandshake() {
    WebhookMode mode = started(config("", false));
    assertThatThrownBy(
            () -> {
              try (RawHttps c =
                  RawHttps.connect(
                      mode.address(), TestPki.clientContext(null, PKI.caCertificate()))) {
                c.send(
                        post(
                            Reviews.podReview(
                                "admission.k8s.io/v1", "u", "CREATE", Reviews.pod("ns", "p"))))
                    .read();
              }
            })
        .isInstanceOf(IOException.class);
    assertThat(store.entries()).hasSize(1);
  }

  @Test
  void labelModeIgnoresPodsWithoutTheLabel() throws IOException {
    WebhookMode mode = started(config("spire-workload", false));
    ObjectNode unlabelled = Reviews.pod("ns", "plain");
    ObjectNode labelled = Reviews.pod("ns", "web", "sa", Map.of("spire-workload", "web"), Map.of());
    RawHttps c = client(mode);
    assertThat(
            c.send(post(Reviews.podReview("admission.k8s.io/v1", "a", "CREATE", unlabelled)))
                .read()
                .status())
        .isEqualTo(200);
    assertThat(
            c.send(post(Reviews.podReview("admission.k8s.io/v1", "b", "CREATE", labelled)))
                .read()
                .status())
        .isEqualTo(200);
    assertThat(store.entries())
        .extracting(e -> e.spiffeId().toString())
        .containsExactlyInAnyOrder(Reviews.NODE_ID, "spiffe://domain.test/web");
  }

  @Test
  void stopsAcceptingAfterClose() throws IOException {
    WebhookMode mode = started(config("", false));
    int port = mode.address().getPort();
    mode.close();
    mode.close(); // idempotent
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
    assertThatThrownBy(mode::start).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(mode::address).isInstanceOf(IllegalStateException.class);
  }
}
