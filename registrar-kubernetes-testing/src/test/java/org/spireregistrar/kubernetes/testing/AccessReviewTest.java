package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-in's SelfSubjectAccessReview endpoint over plain HTTP, as any client sends it. */
class AccessReviewTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private KubernetesApiStandIn standIn;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  private HttpResponse<String> post(String contentType, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    standIn.url() + "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String review(String verb, String resource, String namespace) {
    return "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\","
        + "\"spec\":{\"resourceAttributes\":{\"verb\":\""
        + verb
        + "\",\"resource\":\""
        + resource
        + "\",\"namespace\":\""
        + namespace
        + "\"}}}";
  }

  @Test
  void answersWithTheAuthorizersDecision() throws Exception {
    standIn.grantOnly(List.of(ResourceAccess.of("list", "", "pods", "")));

    HttpResponse<String> allowed = post("application/json", review("list", "pods", "shop"));
    HttpResponse<String> denied = post("application/json", review("watch", "pods", ""));

    assertThat(allowed.statusCode()).isEqualTo(201);
    JsonNode body = JSON.readTree(allowed.body());
    assertThat(body.at("/kind").asText()).isEqualTo("SelfSubjectAccessReview");
    assertThat(body.at("/spec/resourceAttributes/verb").asText()).isEqualTo("list");
    assertThat(body.at("/status/allowed").asBoolean())
        .as("a cluster-wide grant covers each namespace")
        .isTrue();
    assertThat(JSON.readTree(denied.body()).at("/status/allowed").asBoolean()).isFalse();
    assertThat(standIn.requestCount("create", "selfsubjectaccessreviews")).isEqualTo(2);
  }

  @Test
  void aNamespacedGrantDoesNotCoverAllNamespaces() throws Exception {
    standIn.grantOnly(List.of(ResourceAccess.of("get", "", "pods", "shop")));

    assertThat(
            JSON.readTree(post("application/json", review("get", "pods", "")).body())
                .at("/status/allowed")
                .asBoolean())
        .isFalse();
  }

  @Test
  void refusesWhatItCannotRead() throws Exception {
    HttpResponse<String> protobuf = post("application/vnd.kubernetes.protobuf", "k8s\0...");
    HttpResponse<String> empty = post("application/json", "{\"spec\":{}}");

    assertThat(protobuf.statusCode()).isEqualTo(415);
    assertThat(protobuf.body()).contains("reads JSON and YAML request bodies only");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body()).contains("exactly one of nonResourceAttributes or resourceAttributes");
  }

  @Test
  void aProtobufCreateAsKubectlCreateNamespaceSendsItIsRefusedAs415() throws Exception {
    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(URI.create(standIn.url() + "/api/v1/namespaces"))
                .header("Content-Type", "application/vnd.kubernetes.protobuf")
                .POST(HttpRequest.BodyPublishers.ofString("k8s\0..."))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(created.statusCode()).isEqualTo(415);
    assertThat(created.body()).contains("reads JSON and YAML request bodies only");
  }
}
