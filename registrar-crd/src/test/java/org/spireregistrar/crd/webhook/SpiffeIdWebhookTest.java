package org.spireregistrar.crd.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.webhook.review.ReviewVersion;
import org.spireregistrar.webhook.server.RequestListener;
import org.spireregistrar.webhook.server.ServerOptions;

/**
 * The SpiffeID webhook end to end: its certificate minted by the in-memory SPIRE server over a real
 * Unix socket, served over real TLS to a client that trusts only the SPIRE bundle and checks the
 * Service's DNS name, with the duplicate check going through the production GrpcEntryStore. Nothing
 * is ever written to SPIRE.
 */
class SpiffeIdWebhookTest {
  @TempDir Path tmp;
  SpireFixture fixture;
  ManualScheduler scheduler;
  WebhookCertificates certificates;
  SpiffeIdWebhook webhook;
  HttpsClient client;

  @BeforeEach
  void start() throws Exception {
    fixture = new SpireFixture(tmp.resolve("api.sock"), Clock.systemUTC());
    scheduler = new ManualScheduler(Instant.now());
    certificates =
        new WebhookCertificates(
            SpireFixture.settings(tmp.resolve("certs")),
            fixture.minter,
            Clock.systemUTC(),
            scheduler);
    certificates.start();
    webhook =
        SpiffeIdWebhook.start(
            "127.0.0.1:0",
            certificates,
            new SpiffeIdAdmission(SpireFixture.TD, SpireFixture.NAMESPACE, fixture.store),
            // No polling: a rotation must reach the server through the certificates' listener.
            ServerOptions.DEFAULTS.withReloadInterval(Duration.ZERO),
            Clock.systemUTC(),
            RequestListener.NONE);
    client = new HttpsClient(fixture.trustingBundle(), webhook.address(), SpireFixture.DNS_NAME);
    fixture.spire.resetCounters();
  }

  @AfterEach
  void stop() {
    webhook.close();
    certificates.close();
    fixture.close();
  }

  @AfterEach
  void nothingWasWrittenToSpire() {
    assertThat(fixture.spire.counters().writeRpcs()).isZero();
  }

  HttpsClient.Reply post(JsonNode review) throws Exception {
    return client.post(SpiffeIdWebhook.PATH, Reviews.bytes(review));
  }

  static JsonNode response(HttpsClient.Reply reply) {
    assertThat(reply.status()).isEqualTo(200);
    return Reviews.parse(reply.body().getBytes(StandardCharsets.UTF_8)).path("response");
  }

  @Test
  void servesTheMintedCertificateForTheServiceNameWithoutAskingForAClientCertificate()
      throws Exception {
    HttpsClient.Reply reply =
        post(Reviews.review(ReviewVersion.V1, "CREATE", Reviews.spiffeId(), null));

    assertThat(reply.peer()).isEqualTo(certificates.current().orElseThrow().leaf());
    assertThat(reply.protocol()).isIn("TLSv1.2", "TLSv1.3");
    assertThat(response(reply).path("allowed").asBoolean()).isTrue();
    assertThat(webhook.ready(Instant.now())).isTrue();
  }

  @Test
  void aClientExpectingAnotherNameRefusesTheCertificate() {
    HttpsClient wrongName;
    try {
      wrongName = new HttpsClient(fixture.trustingBundle(), webhook.address(), "other.spire.svc");
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    assertThatThrownBy(() -> wrongName.connect().close()).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void deniesWithUpstreamsTextInBothReviewVersions() throws Exception {
    ObjectNode evil = Reviews.spiffeId();
    Reviews.spec(evil).put("spiffeId", "spiffe://example.org.evil/web");

    for (ReviewVersion version : ReviewVersion.values()) {
      HttpsClient.Reply reply = post(Reviews.review(version, "CREATE", evil, null));
      JsonNode body = Reviews.parse(reply.body().getBytes(StandardCharsets.UTF_8));
      assertThat(body.path("apiVersion").asText()).isEqualTo(version.apiVersion());
      JsonNode response = body.path("response");
      assertThat(response.path("uid").asText()).isEqualTo("uid-create");
      assertThat(response.path("allowed").asBoolean()).isFalse();
      assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
      assertThat(response.path("status").path("reason").asText())
          .isEqualTo("spec.spiffeId must begin with spiffe://example.org");
    }
  }

  @Test
  void detectsADuplicateThroughTheSpireEntryApi() throws Exception {
    Entry existing =
        Entry.of(
            new EntryId("existing-1"),
            EntrySpec.of(
                SpiffeId.parse(Reviews.ID),
                SpiffeId.parse(Reviews.PARENT),
                List.of(Selector.k8s("ns:default"), Selector.k8s("pod-name:web"))));
    fixture.spire.putEntry(existing);

    JsonNode response =
        response(post(Reviews.review(ReviewVersion.V1, "CREATE", Reviews.spiffeId(), null)));

    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.path("status").path("reason").asText()).isEqualTo("Duplicate detected");
    assertThat(fixture.spire.counters().rpcs("ListEntries")).isEqualTo(1);

    ObjectNode own = Reviews.spiffeId();
    own.putObject("status").put("entryId", "existing-1");
    assertThat(
            response(post(Reviews.review(ReviewVersion.V1, "CREATE", own, null)))
                .path("allowed")
                .asBoolean())
        .isTrue();
  }

  @Test
  void spireDownDeniesACreateWithTheFailure() throws Exception {
    fixture.spire.setUnavailable(true);

    JsonNode response =
        response(post(Reviews.review(ReviewVersion.V1, "CREATE", Reviews.spiffeId(), null)));

    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.path("status").path("reason").asText())
        .startsWith("SPIRE server unix://")
        .contains("ListEntries failed: UNAVAILABLE");
    assertThat(
            response(post(Reviews.review(ReviewVersion.V1, "DELETE", null, Reviews.spiffeId())))
                .path("allowed")
                .asBoolean())
        .as("DELETE needs no SPIRE")
        .isTrue();
  }

  @Test
  void hostileInputsGetClearAnswers() throws Exception {
    ObjectNode many = Reviews.spiffeId();
    ArrayNode names = Reviews.spec(many).putArray("dnsNames");
    for (int i = 0; i < 10_000; i++) {
      names.add("host" + i + ".example.org");
    }
    JsonNode tooMany = response(post(Reviews.review(ReviewVersion.V1, "CREATE", many, null)));
    assertThat(tooMany.path("status").path("reason").asText())
        .isEqualTo("spec.dnsNames has 10000 names; at most 1000 are allowed");

    ObjectNode wrongType = Reviews.spiffeId();
    Reviews.spec(wrongType).put("federatesWith", 7);
    JsonNode undecodable =
        response(
            post(Reviews.review(ReviewVersion.V1BETA1, "UPDATE", wrongType, Reviews.spiffeId())));
    assertThat(undecodable.path("allowed").asBoolean()).isFalse();
    assertThat(undecodable.path("status").path("code").asInt()).isEqualTo(400);
    assertThat(undecodable.path("status").path("message").asText())
        .isEqualTo(
            "SpiffeID default/web: spec.federatesWith must be a list of strings, got number");

    ObjectNode hugeId = Reviews.spiffeId();
    Reviews.spec(hugeId).put("spiffeId", "spiffe://example.org/" + "x".repeat(2_000_000));
    assertThat(
            response(post(Reviews.review(ReviewVersion.V1, "CREATE", hugeId, null)))
                .path("status")
                .path("reason")
                .asText())
        .isEqualTo("spec.spiffeId is 2000021 bytes long; SPIFFE IDs are at most 2048");

    HttpsClient.Reply notJson =
        client.post(SpiffeIdWebhook.PATH, "{\"kind\":".getBytes(StandardCharsets.UTF_8));
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body()).startsWith("Malformed JSON body: ");

    HttpsClient.Reply tooLarge = client.post(SpiffeIdWebhook.PATH, new byte[0], 4L * 1024 * 1024);
    assertThat(tooLarge.status()).isEqualTo(413);

    HttpsClient.Reply otherPath =
        client.post(
            "/validate",
            Reviews.bytes(Reviews.review(ReviewVersion.V1, "CREATE", Reviews.spiffeId(), null)));
    assertThat(otherPath.status()).isEqualTo(404);

    assertThat(fixture.spire.counters().rpcs("ListEntries"))
        .as("no invalid SpiffeID is looked up")
        .isZero();
  }

  @Test
  void aRotatedCertificateIsServedAtOnce() throws Exception {
    var first = certificates.current().orElseThrow().leaf();

    scheduler.advanceTo(scheduler.nextDue()); // the rotation at half-life

    var second = certificates.current().orElseThrow().leaf();
    assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    HttpsClient.Reply reply =
        post(Reviews.review(ReviewVersion.V1, "DELETE", null, Reviews.spiffeId()));
    assertThat(reply.peer()).isEqualTo(second);
  }
}
