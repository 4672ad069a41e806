package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * An admission webhook for tests: a JDK HTTPS server on a free loopback port that records every
 * AdmissionReview it receives and answers with what {@link #respond} says (allow by default).
 */
final class TestWebhookServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpsServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<JsonNode> reviews = new CopyOnWriteArrayList<>();
  private final List<String> clients = new CopyOnWriteArrayList<>();
  private volatile Function<JsonNode, JsonNode> responder = TestWebhookServer::allow;

  private TestWebhookServer(SSLContext context, boolean requireClientCertificate)
      throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters ssl = context.getDefaultSSLParameters();
            ssl.setNeedClientAuth(requireClientCertificate);
            params.setSSLParameters(ssl);
          }
        });
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** A webhook presenting the context's certificate; optionally requiring a client certificate. */
  static TestWebhookServer start(SSLContext context, boolean requireClientCertificate) {
    try {
      return new TestWebhookServer(context, requireClientCertificate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** {@code https://127.0.0.1:<port><path>}. */
  String url(String path) {
    return "https://127.0.0.1:" + port() + path;
  }

  /** Answers each review with what the function makes of it (the whole AdmissionReview). */
  void respond(Function<JsonNode, JsonNode> responder) {
    this.responder = responder;
  }

  /** The reviews received, oldest first. */
  List<JsonNode> reviews() {
    return List.copyOf(reviews);
  }

  /** The {@code request} of the only review received. */
  JsonNode onlyRequest() {
    if (reviews.size() != 1) {
      throw new AssertionError("expected one review, got " + reviews.size() + ": " + reviews);
    }
    return reviews.get(0).get("request");
  }

  /** The subject of each client certificate presented, one per request. */
  List<String> clientCertificates() {
    return List.copyOf(clients);
  }

  /** Allows: the same apiVersion, the request's uid. */
  static ObjectNode allow(JsonNode review) {
    ObjectNode answer = JSON.createObjectNode();
    answer.put("apiVersion", review.path("apiVersion").asText());
    answer.put("kind", "AdmissionReview");
    ObjectNode response = answer.putObject("response");
    response.put("uid", review.path("request").path("uid").asText());
    response.put("allowed", true);
    return answer;
  }

  /** Denies with this status (fields left out when null or 0). */
  static Function<JsonNode, JsonNode> deny(int code, String reason, String message) {
    return review -> {
      ObjectNode answer = allow(review);
      ObjectNode response = (ObjectNode) answer.get("response");
      response.put("allowed", false);
      ObjectNode status = response.putObject("status");
      if (code != 0) {
        status.put("code", code);
      }
      if (reason != null) {
        status.put("reason", reason);
      }
      if (message != null) {
        status.put("message", message);
      }
      return answer;
    };
  }

  private void handle(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode review = JSON.readTree(exchange.getRequestBody());
      reviews.add(review);
      try {
        X509Certificate peer =
            (X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0];
        clients.add(peer.getSubjectX500Principal().getName());
      } catch (SSLPeerUnverifiedException e) {
        clients.add("");
      }
      byte[] body = JSON.writeValueAsBytes(responder.apply(review));
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
