package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.ApisApi;
import io.kubernetes.client.openapi.apis.CoordinationApi;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.apis.CoreApi;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1APIResourceList;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The discovery documents client-java parses (strictly) and kubectl reads. */
class DiscoveryTest {
  private static KubernetesApiStandIn standIn;
  private static ApiClient client;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    standIn = KubernetesApiStandIn.start();
    client = standIn.client();
    standIn.create("/api/v1/namespaces/default/pods", Map.of("metadata", Map.of("name", "web-0")));
  }

  @AfterAll
  static void stop() {
    standIn.close();
  }

  @Test
  void coreAndGroupListsParseInClientJava() throws ApiException {
    assertThat(new CoreApi(client).getAPIVersions().execute().getVersions()).containsExactly("v1");
    assertThat(new ApisApi(client).getAPIVersions().execute().getGroups())
        .extracting(g -> g.getName())
        .contains("coordination.k8s.io", "spiffeid.spiffe.io", "apiextensions.k8s.io");
    assertThat(
            new CoordinationApi(client).getAPIGroup().execute().getPreferredVersion().getVersion())
        .isEqualTo("v1");
  }

  @Test
  void resourceListsNameEveryServedResourceAndSubresource() throws ApiException {
    V1APIResourceList core = new CoreV1Api(client).getAPIResources().execute();
    V1APIResourceList coordination = new CoordinationV1Api(client).getAPIResources().execute();
    V1APIResourceList spiffe =
        new CustomObjectsApi(client).getAPIResources("spiffeid.spiffe.io", "v1beta1").execute();

    assertThat(core.getResources())
        .extracting(V1APIResource::getName)
        .contains("pods", "pods/status", "nodes", "endpoints", "namespaces", "services");
    assertThat(coordination.getResources())
        .extracting(V1APIResource::getName)
        .containsExactly("leases");
    assertThat(spiffe.getResources())
        .extracting(V1APIResource::getName)
        .containsExactly("spiffeids", "spiffeids/status");
    assertThat(spiffe.getResources().get(0).getNamespaced()).isTrue();
  }

  @Test
  void versionParsesInClientJava() throws ApiException {
    assertThat(new VersionApi(client).getCode().execute().getGitVersion()).isEqualTo("v1.32.0");
  }

  @Test
  void registeredTypesAppearInDiscovery() throws ApiException {
    standIn.register(ResourceType.namespaced("example.com/v1alpha1", "Widget", "widgets"));

    V1APIResourceList list =
        new CustomObjectsApi(client).getAPIResources("example.com", "v1alpha1").execute();

    assertThat(list.getResources()).extracting(V1APIResource::getKind).containsExactly("Widget");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          /api/v1/namespaces/default/pods | application/json;as=Table;v=v1;g=meta.k8s.io,application/json | 200 | /kind | Table
          /api/v1/namespaces/default/pods | application/json;as=Table;v=v1;g=meta.k8s.io,application/json | 200 | /rows/0/cells/0 | web-0
          /api/v1/namespaces/default/pods/web-0 | application/json | 200 | /metadata/name | web-0
          /openapi/v3 | application/json | 200 | /paths/api~1v1/serverRelativeURL | /openapi/v3/api/v1
          /openapi/v3/apis/spiffeid.spiffe.io/v1beta1 | application/json | 200 | /paths/~1apis~1spiffeid.spiffe.io~1v1beta1~1namespaces~1{namespace}~1spiffeids~1{name}/patch/parameters/0/name | fieldValidation
          /openapi/v2 | application/json | 404 | /reason | NotFound
          /apis/nope/v1/things | application/json | 404 | /message | the server could not find the requested resource
          /api/v1/namespaces/default/nodes/n | application/json | 404 | /reason | NotFound
          / | application/json | 200 | /paths/0 | /api
          """)
  void httpDocumentsAnswerAsKubectlExpects(
      String path, String accept, int code, String pointer, String expected)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(standIn.url() + path))
                .header("Accept", accept)
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(code);
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.at(pointer).asText()).isEqualTo(expected);
  }

  @Test
  void healthEndpointsAnswerOk() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(standIn.url() + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
  }
}
