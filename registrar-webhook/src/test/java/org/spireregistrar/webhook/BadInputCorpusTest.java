package org.spireregistrar.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.kubernetes.testing.TestPki;
import org.spireregistrar.webhook.server.ServerOptions;

/**
 * Hostile and broken admission bodies over a real mTLS connection: every one is answered (never a
 * dropped connection), with the expected status, and none writes an entry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTest {
  private static final TestPki PKI = TestPki.create("corpus CA");
  private static final String HEAD =
      "\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\"";
  private static final String POD_KIND =
      "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}";
  private static final String HUGE = "x".repeat(1024 * 1024);

  private Path dir;
  private final InMemoryEntryStore store = new InMemoryEntryStore();
  private WebhookMode mode;
  private RawHttps connection;
  private List<Entry> initial;

  record Case(String name, byte[] body, int status) {
    Case(String name, String body, int status) {
      this(name, body.getBytes(StandardCharsets.UTF_8), status);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static String review(String request) {
    return "{" + HEAD + ",\"request\":" + request + "}";
  }

  private static String create(String object) {
    return review(
        "{\"uid\":\"u\","
            + POD_KIND
            + ",\"operation\":\"CREATE\",\"namespace\":\"ns\",\"name\":\"p\""
            + (object == null ? "" : ",\"object\":" + object)
            + "}");
  }

  private static String pod(String metadata, String spec) {
    return "{\"metadata\":" + metadata + ",\"spec\":" + spec + "}";
  }

  static Stream<Case> corpus() {
    byte[] badUtf8 = {'{', '"', 'k', 'i', 'n', 'd', '"', ':', '"', (byte) 0xFF, '"', '}'};
    return Stream.of(
        new Case("empty body", "", 400),
        new Case("whitespace only", " \n\t ", 400),
        new Case("a lone brace", "{", 400),
        new Case("truncated review", "{" + HEAD + ",\"request\":{\"uid\":\"u\"", 400),
        new Case("truncated string", "{\"kind\":\"Admiss", 400),
        new Case("null", "null", 400),
        new Case("an array", "[]", 400),
        new Case("a string", "\"AdmissionReview\"", 400),
        new Case("a number", "42", 400),
        new Case("empty object", "{}", 400),
        new Case("kind missing", "{\"apiVersion\":\"admission.k8s.io/v1\"}", 400),
        new Case("apiVersion missing", "{\"kind\":\"AdmissionReview\"}", 400),
        new Case("kind a number", "{\"kind\":7,\"apiVersion\":\"admission.k8s.io/v1\"}", 400),
        new Case("apiVersion an object", "{\"kind\":\"AdmissionReview\",\"apiVersion\":{}}", 400),
        new Case(
            "unknown review version",
            "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v9\"}",
            400),
        new Case("a Pod instead of a review", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}", 400),
        new Case("no request", "{" + HEAD + "}", 400),
        new Case("null request", review("null"), 400),
        new Case("request an array", review("[1,2]"), 400),
        new Case("request a string", review("\"CREATE\""), 400),
        new Case("uid a number", review("{\"uid\":12}"), 400),
        new Case("kind a string", review("{\"uid\":\"u\",\"kind\":\"Pod\"}"), 400),
        new Case(
            "operation an array",
            review("{\"uid\":\"u\"," + POD_KIND + ",\"operation\":[\"CREATE\"]}"),
            400),
        new Case("dryRun a string", review("{\"uid\":\"u\",\"dryRun\":\"true\"}"), 400),
        new Case("trailing garbage", "{" + HEAD + "}{}", 400),
        new Case("comments", "/* c */{" + HEAD + "}", 400),
        new Case("single quotes", "{'kind':'AdmissionReview'}", 400),
        new Case("invalid UTF-8", badUtf8, 400),
        new Case("deep nesting", "[".repeat(100_000) + "]".repeat(100_000), 400),
        new Case("huge number", "{\"kind\":1" + "0".repeat(5000) + "}", 400),
        new Case("CREATE without object", create(null), 500),
        new Case("CREATE with null object", create("null"), 500),
        new Case("CREATE with a string object", create("\"pod\""), 500),
        new Case("CREATE with an array object", create("[]"), 500),
        new Case("metadata a number", create(pod("3", "{}")), 500),
        new Case("labels an array", create(pod("{\"labels\":[]}", "{}")), 500),
        new Case("label value a number", create(pod("{\"labels\":{\"a\":1}}", "{}")), 500),
        new Case("annotations a string", create(pod("{\"annotations\":\"a\"}", "{}")), 500),
        new Case(
            "serviceAccountName a number", create(pod("{}", "{\"serviceAccountName\":1}")), 500),
        new Case("podIP an object", create("{\"status\":{\"podIP\":{}}}"), 500),
        new Case(
            "serviceAccount a number",
            create(pod("{\"name\":\"p\",\"namespace\":\"ns\"}", "{\"serviceAccount\":7}")),
            500),
        new Case(
            "huge invalid service account",
            create(
                pod(
                    "{\"name\":\"p\",\"namespace\":\"ns\"}",
                    "{\"serviceAccountName\":\"a " + HUGE + "\"}")),
            500),
        new Case(
            "invalid federation",
            create(
                pod(
                    "{\"name\":\"p\",\"namespace\":\"ns\",\"annotations\":{\"spiffe.io/federatesWith\":\"not a domain\"}}",
                    "{\"serviceAccountName\":\"sa\"}")),
            500),
        new Case(
            "huge uid, unknown kind",
            review(
                "{\"uid\":\""
                    + HUGE
                    + "\",\"kind\":{\"group\":\"x\",\"version\":\"v1\",\"kind\":\"Thing\"},\"operation\":\"CREATE\"}"),
            200),
        new Case(
            "Deployment CREATE",
            review(
                "{\"uid\":\"u\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"},\"operation\":\"CREATE\",\"object\":{}}"),
            200),
        new Case(
            "pod UPDATE with garbage",
            review("{\"uid\":\"u\"," + POD_KIND + ",\"operation\":\"UPDATE\",\"object\":7}"),
            200),
        new Case(
            "unknown operation",
            review("{\"uid\":\"u\"," + POD_KIND + ",\"operation\":\"EXPLODE\"}"),
            200),
        new Case(
            "DELETE without name",
            review(
                "{\"uid\":\"u\"," + POD_KIND + ",\"operation\":\"DELETE\",\"namespace\":\"ns\"}"),
            200),
        new Case(
            "CREATE in a disabled namespace with garbage",
            review(
                "{\"uid\":\"u\","
                    + POD_KIND
                    + ",\"operation\":\"CREATE\",\"namespace\":\"kube-system\",\"object\":\"x\"}"),
            200));
  }

  @BeforeAll
  void start() throws IOException {
    dir = Files.createTempDirectory("corpus");
    PKI.localServer("server").writeTo(dir, "cert.pem", "key.pem");
    PKI.writeCa(dir, "cacert.pem");
    WebhookConfig webhook =
        new WebhookConfig(
            "127.0.0.1:0",
            dir.resolve("cert.pem").toString(),
            dir.resolve("key.pem").toString(),
            dir.resolve("cacert.pem").toString(),
            false);
    mode =
        new WebhookMode(
            Reviews.config("", "", webhook),
            store,
            Clock.systemUTC(),
            ServerOptions.DEFAULTS.withReloadInterval(Duration.ZERO));
    mode.start();
    initial = store.entries();
    connection =
        RawHttps.connect(mode.address(), PKI.client("api").clientContext(PKI.caCertificate()));
  }

  @AfterAll
  void stop() throws IOException {
    connection.close();
    mode.close();
  }

  @Test
  void holdsAtLeastThirtyBodies() {
    assertThat(corpus().count()).isGreaterThanOrEqualTo(30);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void answersEveryBadBodyAndWritesNothing(Case c) throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(
        ("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + c.body().length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    request.writeBytes(c.body());
    // All on one keep-alive connection: a crash or a dropped connection fails the next case too.
    RawHttps.Reply r = connection.send(request.toByteArray()).read();
    assertThat(r.status()).as(r.body()).isEqualTo(c.status());
    assertThat(r.body()).isNotEmpty();
    if (c.status() != 200) {
      assertThat(r.body()).hasSizeLessThan(4096); // hostile values are not echoed whole
    }
    if (c.status() == 400) {
      assertThat(r.body()).startsWith("Malformed JSON body: ");
    } else if (c.status() == 500) {
      assertThat(r.body()).startsWith("Internal error occurred: ");
    } else {
      assertThat(r.body()).contains("\"allowed\":true");
    }
    assertThat(store.entries()).isEqualTo(initial);
  }
}
