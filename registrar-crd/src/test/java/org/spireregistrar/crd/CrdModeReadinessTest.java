package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code /readyz} of crd mode also answers for what runs beside the controllers (the webhook). */
class CrdModeReadinessTest extends CrdModeFixture {

  static HttpResponse<String> readyz(CrdMode mode) throws Exception {
    var address = mode.healthAddress().orElseThrow();
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/readyz"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAddedCheckMakesTheReplicaUnreadyWithItsReasonAndReadyAgainWhenItClears() throws Exception {
    startSpire(false);
    node("n1");
    CrdMode mode = startMode(config(), "a");
    await().atMost(Duration.ofSeconds(30)).until(() -> readyz(mode).statusCode() == 200);

    AtomicReference<Optional<String>> certificate =
        new AtomicReference<>(Optional.of("the webhook certificate is expired or about to: x"));
    mode.addReadinessCheck(certificate::get);

    HttpResponse<String> unready = readyz(mode);
    assertThat(unready.statusCode()).isEqualTo(503);
    assertThat(unready.body()).contains("the webhook certificate is expired or about to: x");

    certificate.set(Optional.empty());
    assertThat(readyz(mode).statusCode()).isEqualTo(200);
  }
}
