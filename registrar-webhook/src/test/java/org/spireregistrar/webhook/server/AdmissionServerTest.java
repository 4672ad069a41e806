package org.spireregistrar.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.kubernetes.testing.TestPki;
import org.spireregistrar.webhook.RawHttps;

class AdmissionServerTest {
  private static final TestPki PKI = TestPki.create("test CA");
  private static final TestPki OTHER = TestPki.create("other CA");
  private static final TestPki.Issued CLIENT = PKI.client("api-server");

  @TempDir Path dir;
  private TlsFiles files;
  private final List<AutoCloseable> closeLater = new ArrayList<>();
  private final AtomicInteger handled = new AtomicInteger();
  private final PostHandler echo =
      body -> {
        handled.incrementAndGet();
        return HttpReply.json(body);
      };

  @BeforeEach
  void writePki() {
    PKI.localServer("server").writeTo(dir, "cert.pem", "key.pem");
    PKI.writeCa(dir, "cacert.pem");
    files =
        new TlsFiles(
            dir.resolve("cert.pem"),
            dir.resolve("key.pem"),
            Optional.of(dir.resolve("cacert.pem")));
  }

  @AfterEach
  void closeAll() throws Exception {
    // Clients first: a server closing with idle connections open waits on them.
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
  }

  private AdmissionServer start(TlsFiles tls, ServerOptions options, Clock clock) {
    AdmissionServer s =
        AdmissionServer.start("127.0.0.1:0", tls, Map.of("/validate", echo), options, clock);
    closeLater.add(s);
    return s;
  }

  private AdmissionServer start(ServerOptions options) {
    return start(files, options, Clock.systemUTC());
  }

  private AdmissionServer start() {
    return start(ServerOptions.DEFAULTS.withReloadInterval(Duration.ZERO));
  }

  private RawHttps connect(AdmissionServer s, SSLContext ctx) throws IOException {
    RawHttps c = RawHttps.connect(s.address(), ctx);
    closeLater.add(c);
    return c;
  }

  private RawHttps.Reply exchange(AdmissionServer s, String raw) throws IOException {
    return connect(s, CLIENT.clientContext(PKI.caCertificate())).send(raw).read();
  }

  // --- client certificates ---

  @Test
  void servesClientsWithACertificateFromTheCa() throws IOException {
    AdmissionServer s = start();
    RawHttps.Reply r = exchange(s, RawHttps.post("/validate", "application/json", "{\"a\":1}"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"a\":1}");
    assertThat(r.header("content-type")).isEqualTo("application/json");
  }

  @Test
  void refusesAClientWithoutACertificateAtTheHandshake() {
    assertRefused(start(), TestPki.clientContext(null, PKI.caCertificate()));
  }

  @Test
  void refusesAClientCertificateFromAnotherCa() {
    assertRefused(start(), OTHER.client("intruder").clientContext(PKI.caCertificate()));
  }

  @Test
  void refusesAnExpiredClientCertificate() {
    Instant now = Instant.now();
    TestPki.Issued expired =
        PKI.client("expired", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
    assertRefused(start(), expired.clientContext(PKI.caCertificate()));
  }

  @Test
  void checksClientCertificatesAtTheInjectedClocksTime() {
    Clock afterExpiry = Clock.fixed(Instant.now().plus(Duration.ofDays(3)), ZoneOffset.UTC);
    AdmissionServer s =
        start(files, ServerOptions.DEFAULTS.withReloadInterval(Duration.ZERO), afterExpiry);
    assertRefused(s, CLIENT.clientContext(PKI.caCertificate()));
  }

  @Test
  void refusesAServerCertificateUsedAsAClientCertificate() {
    TestPki.Issued serverCert = PKI.localServer("not-a-client");
    assertRefused(start(), serverCert.clientContext(PKI.caCertificate()));
  }

  @Test
  void servesClientsWithoutACertificateWhenVerificationIsSkipped() throws IOException {
    TlsFiles skip = new TlsFiles(files.certificate(), files.privateKey(), Optional.empty());
    AdmissionServer s = start(skip, ServerOptions.DEFAULTS, Clock.systemUTC());
    RawHttps.Reply r =
        connect(s, TestPki.clientContext(null, PKI.caCertificate()))
            .send(RawHttps.post("/validate", "application/json", "{}"))
            .read();
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void refusesTlsOlderThan12() throws IOException {
    AdmissionServer s = start();
    SSLContext ctx = CLIENT.clientContext(PKI.caCertificate());
    try (SSLSocket socket =
        (SSLSocket) ctx.getSocketFactory().createSocket("localhost", s.address().getPort())) {
      String[] old =
          List.of(socket.getSupportedProtocols()).stream()
              .filter(p -> p.equals("TLSv1.1") || p.equals("TLSv1"))
              .toArray(String[]::new);
      if (old.length == 0) {
        return; // this JDK cannot even offer them
      }
      socket.setEnabledProtocols(old);
      assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
    }
  }

  private void assertRefused(AdmissionServer s, SSLContext ctx) {
    assertThatThrownBy(
            () -> {
              try (RawHttps c = RawHttps.connect(s.address(), ctx)) {
                c.send(RawHttps.post("/validate", "application/json", "{}")).read();
              }
            })
        .isInstanceOf(IOException.class);
    assertThat(handled).hasValue(0);
  }

  // --- start-up errors ---

  @Test
  void failsToStartWithUpstreamTextWhenTheCertificateIsMissing() throws IOException {
    Files.delete(files.certificate());
    assertThatThrownBy(() -> start())
        .isInstanceOf(ServerStartException.class)
        .hasMessage(
            "unable to load server keypair: open "
                + files.certificate()
                + ": no such file or directory");
  }

  @Test
  void failsToStartWhenTheKeyDoesNotMatchTheCertificate() {
    PKI.localServer("other").writeTo(dir, "other.pem", "key.pem");
    assertThatThrownBy(() -> start())
        .hasMessage(
            "unable to load server keypair: private key "
                + files.privateKey()
                + " does not match the public key of certificate "
                + files.certificate());
  }

  @Test
  void failsToStartWhenTheKeyFileHoldsNoKey() {
    TestPki.write(files.privateKey(), "not a key\n");
    assertThatThrownBy(() -> start())
        .hasMessageStartingWith("unable to load server keypair: " + files.privateKey());
  }

  @Test
  void failsToStartWhenTheCertificateFileHoldsNoCertificate() {
    TestPki.write(files.certificate(), "");
    assertThatThrownBy(() -> start())
        .hasMessage(
            "unable to load server keypair: " + files.certificate() + ": no PEM certificate found");
  }

  @Test
  void failsToStartWithUpstreamTextWhenTheCaFileIsMissing() throws IOException {
    Files.delete(files.clientCa().orElseThrow());
    assertThatThrownBy(() -> start())
        .hasMessage(
            "unable to read cacert file: open "
                + files.clientCa().orElseThrow()
                + ": no such file or directory");
  }

  @Test
  void failsToStartWhenTheCaFileHoldsNoCertificate() {
    TestPki.write(files.clientCa().orElseThrow(), TestPki.pem(CLIENT.keys().getPrivate()));
    assertThatThrownBy(() -> start())
        .hasMessage(
            "unable to parse cacert file: "
                + files.clientCa().orElseThrow()
                + ": no PEM certificate found");
  }

  @Test
  void readsSec1EcKeysAsGoDoes() throws Exception {
    // "EC PRIVATE KEY" with the curve inside, as openssl ecparam -genkey writes it.
    TestPki.Issued server = PKI.localServer("sec1");
    PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(server.keys().getPrivate().getEncoded());
    ECPrivateKey inner = ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
    ECPrivateKey sec1 =
        new ECPrivateKey(256, inner.getKey(), pkcs8.getPrivateKeyAlgorithm().getParameters());
    StringWriter out = new StringWriter();
    try (PemWriter w = new PemWriter(out)) {
      w.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }
    TestPki.write(files.certificate(), TestPki.pem(server.certificate()));
    TestPki.write(files.privateKey(), out.toString());
    AdmissionServer s = start();
    assertThat(exchange(s, RawHttps.post("/validate", "application/json", "{}")).status())
        .isEqualTo(200);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          no port          | localhost     | unable to listen: listen tcp localhost: address localhost: missing port in address
          too many colons  | ::1:80        | unable to listen: listen tcp ::1:80: address ::1:80: too many colons in address
          port not numeric | :https        | unable to listen: listen tcp :https: unknown port
          port too large   | :70000        | unable to listen: listen tcp :70000: invalid port
          """)
  void failsToStartOnABadAddress(String name, String addr, String message) {
    assertThatThrownBy(
            () ->
                AdmissionServer.start(
                    addr, files, Map.of(), ServerOptions.DEFAULTS, Clock.systemUTC()))
        .isInstanceOf(ServerStartException.class)
        .hasMessage(message);
  }

  @Test
  void failsToStartWhenTheAddressIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      String addr = "127.0.0.1:" + taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  AdmissionServer.start(
                      addr, files, Map.of(), ServerOptions.DEFAULTS, Clock.systemUTC()))
          .isInstanceOf(ServerStartException.class)
          .hasMessageStartingWith("unable to listen: listen tcp " + addr + ": bind: ");
    }
  }

  // --- HTTP checks, upstream order and texts ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          other path                   | POST   | /other          | application/json                | 404 | Not found
          path prefix only             | POST   | /validate/x     | application/json                | 404 | Not found
          wrong path wins over method  | GET    | /other          | application/json                | 404 | Not found
          GET                          | GET    | /validate       | application/json                | 405 | Expected POST
          PUT                          | PUT    | /validate       | application/json                | 405 | Expected POST
          method wins over type        | DELETE | /validate       | text/plain                      | 405 | Expected POST
          no content type              | POST   | /validate       |                                 | 400 | Expected JSON content
          text content type            | POST   | /validate       | text/plain                      | 400 | Expected JSON content
          parameters not allowed       | POST   | /validate       | application/json; charset=utf-8 | 400 | Expected JSON content
          case matters as in upstream  | POST   | /validate       | Application/JSON                | 400 | Expected JSON content
          query string is not the path | POST   | /validate?timeout=10s | application/json          | 200 | {}
          """)
  void answersAsUpstreamDoes(
      String name, String method, String path, String type, int status, String body)
      throws IOException {
    AdmissionServer s = start();
    String raw =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\n"
            + (type == null ? "" : "Content-Type: " + type + "\r\n")
            + "Content-Length: 2\r\n\r\n{}";
    RawHttps.Reply r = exchange(s, raw);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.body()).isEqualTo(status == 200 ? body : body + "\n");
    if (status != 200) {
      assertThat(r.header("content-type")).isEqualTo("text/plain; charset=utf-8");
      assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
    }
  }

  @Test
  void answersAHandlerExceptionWith500AndKeepsServing() throws IOException {
    AdmissionServer s =
        AdmissionServer.start(
            "127.0.0.1:0",
            files,
            Map.of(
                "/validate",
                body -> {
                  throw new IllegalStateException("boom");
                }),
            ServerOptions.DEFAULTS,
            Clock.systemUTC());
    closeLater.add(s);
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    RawHttps.Reply r = c.send(RawHttps.post("/validate", "application/json", "{}")).read();
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("Internal error occurred: boom\n");
    // Same connection still usable.
    assertThat(c.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
        .isEqualTo(500);
  }

  @Test
  void keepsTheConnectionAliveAcrossRequests() throws IOException {
    AdmissionServer s = start();
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    for (int i = 0; i < 3; i++) {
      assertThat(c.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
          .isEqualTo(200);
    }
    assertThat(handled).hasValue(3);
  }

  // --- body size ---

  @Test
  void answers413ToADeclaredBodyOverTheLimitWithoutReadingIt() throws IOException {
    AdmissionServer s = start(ServerOptions.DEFAULTS.withMaxBodyBytes(1024));
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    RawHttps.Reply r =
        c.send(
                "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1025\r\n\r\n")
            .read();
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).isEqualTo("Request body too large: the limit is 1024 bytes\n");
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(handled).hasValue(0);
  }

  @Test
  void answers413ToAChunkedBodyThatGrowsOverTheLimit() throws IOException {
    AdmissionServer s = start(ServerOptions.DEFAULTS.withMaxBodyBytes(1024));
    String chunk = "x".repeat(600);
    RawHttps.Reply r =
        exchange(
            s,
            "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n258\r\n"
                + chunk
                + "\r\n258\r\n"
                + chunk
                + "\r\n0\r\n\r\n");
    assertThat(r.status()).isEqualTo(413);
    assertThat(handled).hasValue(0);
  }

  @Test
  void acceptsABodyOfExactlyTheLimit() throws IOException {
    AdmissionServer s = start(ServerOptions.DEFAULTS.withMaxBodyBytes(1024));
    String body = "\"" + "x".repeat(1022) + "\"";
    RawHttps.Reply r = exchange(s, RawHttps.post("/validate", "application/json", body));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
  }

  // --- slow clients ---

  private ServerOptions fast() {
    return ServerOptions.DEFAULTS
        .withReadTimeout(Duration.ofMillis(300))
        .withReloadInterval(Duration.ZERO);
  }

  @Test
  void answers408WhenTheBodyStopsArriving() throws IOException {
    AdmissionServer s = start(fast());
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    RawHttps.Reply r =
        c.send(
                "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"partial\":")
            .read();
    assertThat(r.status()).isEqualTo(408);
    assertThat(r.body()).isEqualTo("Request timeout: request body not received in time\n");
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(c.closedByServer()).isTrue();
    assertThat(handled).hasValue(0);
  }

  @Test
  void answers408WhenTheHeadersStopArriving() throws IOException {
    AdmissionServer s = start(fast());
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    RawHttps.Reply r = c.send("POST /validate HTTP/1.1\r\nHost: local").read();
    assertThat(r.status()).isEqualTo(408);
    assertThat(r.body()).isEqualTo("Request timeout: request headers not received in time\n");
    assertThat(c.closedByServer()).isTrue();
  }

  @Test
  void keepsAnIdleConnectionOpenLongerThanTheReadTimeout() throws IOException {
    AdmissionServer s = start(fast());
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    assertThat(c.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
        .isEqualTo(200);
    assertThat(c.quietFor(Duration.ofMillis(900))).isTrue(); // three read timeouts
    assertThat(c.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
        .isEqualTo(200);
  }

  @Test
  void closesAConnectionIdleLongerThanTheIdleTimeoutSilently() throws IOException {
    AdmissionServer s = start(fast().withIdleTimeout(Duration.ofMillis(300)));
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    assertThat(c.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
        .isEqualTo(200);
    assertThat(c.closedByServer()).isTrue(); // EOF, no 408: there was no request to answer
  }

  @Test
  void answers408ToABodyTricklingInSlowerThanTheDeadline() throws Exception {
    AdmissionServer s = start(fast());
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    c.send(
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 1000\r\n\r\n");
    // One byte every 50 ms: never idle for the 300 ms read timeout, yet far too slow overall.
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      trickle.scheduleAtFixedRate(
          () -> {
            try {
              c.send(new byte[] {' '});
            } catch (IOException e) {
              throw new IllegalStateException(e); // stops the schedule once the server closed
            }
          },
          0,
          50,
          TimeUnit.MILLISECONDS);
      RawHttps.Reply r = c.read();
      assertThat(r.status()).isEqualTo(408);
    } finally {
      trickle.shutdownNow();
    }
  }

  @Test
  void slowClientsDoNotHoldWorkerThreads() throws Exception {
    // The slow clients' read timeout is far longer than any exchange: if they held the 6 workers,
    // the request below would wait it out and the client's socket timeout would fail the test.
    AdmissionServer s = start(fast().withReadTimeout(Duration.ofMinutes(2)).withMaxThreads(6));
    SSLContext ctx = CLIENT.clientContext(PKI.caCertificate());
    List<RawHttps> slow = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      slow.add(
          connect(s, ctx)
              .send(
                  "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 100\r\n\r\n{"));
    }
    RawHttps.Reply r = exchange(s, RawHttps.post("/validate", "application/json", "{}"));
    assertThat(r.status()).isEqualTo(200);
    // Answered while every slow client still holds its connection.
    assertThat(s.openConnections()).isGreaterThanOrEqualTo(12);
  }

  // --- SNI and Host: checked by neither, as in Go's server ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          Host names the service, not the certificate | localhost     | webhook.registrar.svc
          Host is an address not in the certificate   | localhost     | 10.96.0.12:443
          no SNI, Host names another name             |               | webhook.registrar.svc
          no SNI, Host is an address                  |               | 10.96.0.12
          SNI and Host name another host              | other.example | other.example
          """)
  void servesWhateverTheSniAndHostNameAsGoDoes(String name, String sni, String host)
      throws IOException {
    AdmissionServer s = start();
    SSLContext ctx = CLIENT.clientContext(PKI.caCertificate());
    try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket()) {
      SSLParameters params = socket.getSSLParameters();
      params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
      socket.setSSLParameters(params);
      // By address, with no host name the JDK could send as SNI of its own accord.
      InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      socket.connect(new InetSocketAddress(loopback, s.address().getPort()), 5_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      socket
          .getOutputStream()
          .write(
              ("POST /validate HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                      + "Connection: close\r\n\r\n{}")
                  .getBytes(StandardCharsets.US_ASCII));
      String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(reply).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n{}");
    }
    assertThat(handled).hasValue(1);
  }

  // --- connection floods ---

  /** A connection that completes TCP and never a TLS handshake: silent, or a ClientHello start. */
  private List<Socket> flood(AdmissionServer s, int connections) throws IOException {
    List<Socket> flood = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Socket socket = new Socket();
      closeLater.add(socket);
      socket.connect(new InetSocketAddress("127.0.0.1", s.address().getPort()), 10_000);
      if (i % 2 == 1) {
        // A handshake record announcing 512 bytes, of which only the message type arrives.
        socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
      }
      flood.add(socket);
    }
    return flood;
  }

  /** How many of {@code sockets} the server has closed (EOF or reset), without waiting on any. */
  private static long closedByServer(List<Socket> sockets) {
    return sockets.stream().filter(AdmissionServerTest::closedByServer).count();
  }

  private static boolean closedByServer(Socket socket) {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false; // still open, nothing sent
    } catch (IOException e) {
      return true; // reset
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          well below the descriptor limit  | 1024 | 1048576 | 1024
          exactly half of it               | 1024 |    2048 | 1024
          above half of it                 | 1024 |    1024 |  512
          descriptor limit unknown         | 1024 |      -1 | 1024
          """)
  void keepsTheConnectionLimitToHalfTheFileDescriptorLimit(
      String name, int configured, long fdLimit, int effective) {
    assertThat(AdmissionServer.effectiveMaxConnections(configured, fdLimit)).isEqualTo(effective);
  }

  @Test
  void keepsServingAuthenticatedClientsWhileAFloodExceedsTheConnectionLimit() throws IOException {
    // The handshake timeout outlasts the test: only making room can free a slot.
    AdmissionServer s =
        start(
            ServerOptions.DEFAULTS
                .withReloadInterval(Duration.ZERO)
                .withHandshakeTimeout(Duration.ofMinutes(10))
                .withMaxConnections(50));
    List<Socket> flood = flood(s, 300);
    // Each connection past the limit closed the oldest that had not sent a request.
    await().atMost(Duration.ofSeconds(30)).until(() -> closedByServer(flood) >= 250);
    assertThat(s.openConnections()).isLessThanOrEqualTo(50);

    for (int i = 0; i < 3; i++) {
      RawHttps.Reply r = exchange(s, RawHttps.post("/validate", "application/json", "{}"));
      assertThat(r.status()).isEqualTo(200);
    }
    assertThat(handled).hasValue(3);
    assertThat(s.openConnections()).isLessThanOrEqualTo(50);
  }

  @Test
  void closesConnectionsThatStartNoRequestWithinTheHandshakeTimeout() throws IOException {
    AdmissionServer s =
        start(
            ServerOptions.DEFAULTS
                .withReloadInterval(Duration.ZERO)
                .withHandshakeTimeout(Duration.ofMillis(500))
                .withMaxConnections(50));
    List<Socket> flood = flood(s, 300);
    try (RawHttps c = RawHttps.connect(s.address(), CLIENT.clientContext(PKI.caCertificate()))) {
      assertThat(c.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
          .isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> closedByServer(flood) == flood.size());
    await().atMost(Duration.ofSeconds(30)).until(() -> s.openConnections() == 0);
  }

  @Test
  void closesAClientTricklingItsHandshakeAtTheHandshakeTimeout() throws Exception {
    AdmissionServer s =
        start(
            ServerOptions.DEFAULTS
                .withReloadInterval(Duration.ZERO)
                .withHandshakeTimeout(Duration.ofMillis(500)));
    Socket socket = flood(s, 1).get(0);
    byte[] clientHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
    AtomicInteger sent = new AtomicInteger();
    // One byte every 50 ms: never idle for the 500 ms timeout, yet no handshake in sight.
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      trickle.scheduleAtFixedRate(
          () -> {
            try {
              socket.getOutputStream().write(clientHello[sent.getAndIncrement() % 11]);
            } catch (IOException e) {
              throw new IllegalStateException(e); // stops the schedule once the server closed
            }
          },
          0,
          50,
          TimeUnit.MILLISECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> s.openConnections() == 0);
      assertThat(closedByServer(socket)).isTrue();
    } finally {
      trickle.shutdownNow();
    }
  }

  @Test
  void closesAnAuthenticatedConnectionThatSendsNoRequestWithinTheHandshakeTimeout()
      throws IOException {
    AdmissionServer s =
        start(
            ServerOptions.DEFAULTS
                .withReloadInterval(Duration.ZERO)
                .withHandshakeTimeout(Duration.ofMillis(500)));
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    assertThat(c.quietFor(Duration.ofSeconds(20))).isFalse(); // EOF well before the guard
    await().atMost(Duration.ofSeconds(10)).until(() -> s.openConnections() == 0);
  }

  @Test
  void neverClosesAConnectionThatHasStartedARequestToMakeRoom() throws IOException {
    AdmissionServer s =
        start(
            ServerOptions.DEFAULTS
                .withReloadInterval(Duration.ZERO)
                .withHandshakeTimeout(Duration.ofMinutes(10))
                .withMaxConnections(4));
    RawHttps kept = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    assertThat(kept.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
        .isEqualTo(200);
    List<Socket> flood = flood(s, 40);
    // At most the limit stays open besides the kept connection (Jetty's acceptor may already be
    // in accept() when the limit is reached, so one more can get in: 36, not 37).
    await().atMost(Duration.ofSeconds(30)).until(() -> closedByServer(flood) >= 36);
    assertThat(kept.send(RawHttps.post("/validate", "application/json", "{}")).read().status())
        .isEqualTo(200);
  }

  // --- certificate reload ---

  @Test
  void servesNewCertificateFilesAfterTheyChangeOnDisk() throws IOException {
    AdmissionServer s = start();
    X509Certificate before = presentedCertificate(s);
    TestPki.Issued next = PKI.localServer("rotated");
    next.writeTo(dir, "cert.pem", "key.pem");
    assertThat(s.reloadCertificates()).isTrue();
    X509Certificate after = presentedCertificate(s);
    assertThat(after).isEqualTo(next.certificate()).isNotEqualTo(before);
    assertThat(s.reloadCertificates()).isFalse(); // unchanged since
  }

  @Test
  void keepsTheCurrentCertificatesWhenTheNewFilesAreBroken() throws IOException {
    AdmissionServer s = start();
    X509Certificate before = presentedCertificate(s);
    TestPki.write(
        files.privateKey(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThat(s.reloadCertificates()).isFalse();
    assertThat(presentedCertificate(s)).isEqualTo(before);
    assertThat(exchange(s, RawHttps.post("/validate", "application/json", "{}")).status())
        .isEqualTo(200);
  }

  @Test
  void trustsANewCaAfterTheCaFileChanges() throws IOException {
    AdmissionServer s = start();
    OTHER.writeCa(dir, "cacert.pem");
    assertThat(s.reloadCertificates()).isTrue();
    assertRefused(s, CLIENT.clientContext(PKI.caCertificate()));
    RawHttps.Reply r =
        connect(s, OTHER.client("new-client").clientContext(PKI.caCertificate()))
            .send(RawHttps.post("/validate", "application/json", "{}"))
            .read();
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void pollsTheFilesForChanges() throws Exception {
    AdmissionServer s = start(ServerOptions.DEFAULTS.withReloadInterval(Duration.ofMillis(50)));
    TestPki.Issued next = PKI.localServer("polled");
    next.writeTo(dir, "cert.pem", "key.pem");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    X509Certificate seen = presentedCertificate(s);
    while (!seen.equals(next.certificate()) && System.nanoTime() < deadline) {
      seen = presentedCertificate(s);
    }
    assertThat(seen).isEqualTo(next.certificate());
  }

  private X509Certificate presentedCertificate(AdmissionServer s) throws IOException {
    SSLContext ctx = CLIENT.clientContext(PKI.caCertificate());
    try (SSLSocket socket =
        (SSLSocket) ctx.getSocketFactory().createSocket("localhost", s.address().getPort())) {
      socket.startHandshake();
      SSLSession session = socket.getSession();
      return (X509Certificate) session.getPeerCertificates()[0];
    }
  }

  // --- shutdown ---

  @Test
  void closeLetsRequestsInFlightFinishThenRefusesConnections() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AdmissionServer s =
        AdmissionServer.start(
            "127.0.0.1:0",
            files,
            Map.of(
                "/validate",
                body -> {
                  entered.countDown();
                  try {
                    release.await(5, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return HttpReply.json("{\"done\":true}".getBytes(StandardCharsets.UTF_8));
                }),
            ServerOptions.DEFAULTS,
            Clock.systemUTC());
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    c.send(RawHttps.post("/validate", "application/json", "{}"));
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

    int port = s.address().getPort();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
    // Once the listener is closed, new connections are refused.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean refused = false;
    while (!refused && System.nanoTime() < deadline) {
      try {
        new java.net.Socket("127.0.0.1", port).close();
      } catch (IOException e) {
        refused = true;
      }
    }
    assertThat(refused).isTrue();
    assertThat(closing).isNotDone();
    release.countDown();
    RawHttps.Reply r = c.read();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"done\":true}");
    closing.get(5, TimeUnit.SECONDS);
  }

  @Test
  void closeGivesUpOnRequestsThatOutliveTheDrainTimeout() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean handlerReturned =
        new java.util.concurrent.atomic.AtomicBoolean();
    AdmissionServer s =
        AdmissionServer.start(
            "127.0.0.1:0",
            files,
            Map.of(
                "/validate",
                body -> {
                  entered.countDown();
                  try {
                    never.await(60, TimeUnit.SECONDS);
                    handlerReturned.set(true); // not interrupted: close() waited for it
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return HttpReply.text(200, "late");
                }),
            ServerOptions.DEFAULTS.withDrainTimeout(Duration.ofMillis(200)),
            Clock.systemUTC());
    RawHttps c = connect(s, CLIENT.clientContext(PKI.caCertificate()));
    c.send(RawHttps.post("/validate", "application/json", "{}"));
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
    s.close();
    // close() returned after its drain timeout while the handler was still blocked.
    assertThat(handlerReturned.get()).isFalse();
    never.countDown();
  }
}
