package org.spireregistrar.webhook.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.webhook.Reviews;

class AdmissionReviewCodecTest {
  private final AdmissionReviewCodec codec = new AdmissionReviewCodec();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReviewVersion.class)
  void decodesTheRequestFieldsOfEitherVersion(ReviewVersion version) {
    ObjectNode review =
        Reviews.podReview(version.apiVersion(), "uid-1", "CREATE", Reviews.pod("ns1", "web-0"));
    ((ObjectNode) review.get("request")).put("dryRun", true);
    AdmissionReview decoded = codec.decode(Reviews.bytes(review));
    assertThat(decoded.version()).isEqualTo(version);
    AdmissionRequest r = decoded.request().orElseThrow();
    assertThat(r.uid()).isEqualTo("uid-1");
    assertThat(r.kind()).isEqualTo(GroupVersionKind.POD);
    assertThat(r.namespace()).isEqualTo("ns1");
    assertThat(r.name()).isEqualTo("web-0");
    assertThat(r.operation()).isEqualTo("CREATE");
    assertThat(r.object()).isPresent();
    assertThat(r.oldObject()).isEmpty();
    assertThat(r.dryRun()).isTrue();
  }

  @Test
  void decodesAReviewWithoutRequestAsEmpty() {
    AdmissionReview r =
        codec.decode(utf8("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\"}"));
    assertThat(r.request()).isEmpty();
    AdmissionReview nullRequest =
        codec.decode(
            utf8(
                "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1beta1\","
                    + "\"request\":null}"));
    assertThat(nullRequest.request()).isEmpty();
    assertThat(nullRequest.version()).isEqualTo(ReviewVersion.V1BETA1);
  }

  @Test
  void ignoresUnknownFieldsAndDefaultsAbsentOnes() {
    AdmissionReview r =
        codec.decode(
            utf8(
                "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\","
                    + "\"extra\":[1,2],\"request\":{\"future\":{\"x\":1}}}"));
    AdmissionRequest req = r.request().orElseThrow();
    assertThat(req.uid()).isEmpty();
    assertThat(req.kind()).isEqualTo(new GroupVersionKind("", "", ""));
    assertThat(req.operation()).isEmpty();
    assertThat(req.dryRun()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          empty body              | ``                                                                            | Object 'Kind' is missing in ''
          null                    | null                                                                          | Object 'Kind' is missing in 'null'
          empty object            | {}                                                                            | Object 'Kind' is missing in '{}'
          kind missing            | {"apiVersion":"admission.k8s.io/v1"}                                          | Object 'Kind' is missing in '{"apiVersion":"admission.k8s.io/v1"}'
          apiVersion missing      | {"kind":"AdmissionReview"}                                                    | Object 'apiVersion' is missing in '{"kind":"AdmissionReview"}'
          kind not a string       | {"kind":5,"apiVersion":"admission.k8s.io/v1"}                                 | couldn't get version/kind; json parse error: kind: expected a string, got a number
          apiVersion not a string | {"kind":"AdmissionReview","apiVersion":true}                                  | couldn't get version/kind; json parse error: apiVersion: expected a string, got a boolean
          array body              | []                                                                            | couldn't get version/kind; json parse error: expected an object, got an array
          unknown version         | {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v2"}                 | no kind "AdmissionReview" is registered for version "admission.k8s.io/v2" in scheme "k8s-workload-registrar"
          unknown kind            | {"kind":"Pod","apiVersion":"v1"}                                              | no kind "Pod" is registered for version "v1" in scheme "k8s-workload-registrar"
          request not an object   | {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":[]}    | request: expected an object, got an array
          uid not a string        | {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":1}} | request.uid: expected a string, got a number
          kind not an object      | {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"kind":"Pod"}} | request.kind: expected an object, got a string
          kind.group not a string | {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"kind":{"group":true}}} | request.kind.group: expected a string, got a boolean
          dryRun not a boolean    | {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"dryRun":"yes"}} | request.dryRun: expected a boolean, got a string
          """)
  void rejectsWhatIsNotAnAdmissionReview(String name, String body, String message) {
    assertThatThrownBy(() -> codec.decode(utf8(body == null ? "" : body)))
        .isInstanceOf(MalformedReviewException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          truncated        | {"kind":"AdmissionReview"
          not json         | not json
          trailing tokens  | {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"} {}
          comment          | /* hi */ {}
          single quotes    | {'kind':'AdmissionReview'}
          """)
  void reportsJsonSyntaxErrorsAsApimachineryDid(String name, String body) {
    assertThatThrownBy(() -> codec.decode(utf8(body)))
        .isInstanceOf(MalformedReviewException.class)
        .hasMessageStartingWith("couldn't get version/kind; json parse error: ");
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] body = {'{', '"', 'k', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertThatThrownBy(() -> codec.decode(body))
        .isInstanceOf(MalformedReviewException.class)
        .hasMessageStartingWith("couldn't get version/kind; json parse error: ");
  }

  @Test
  void quotesAtMostAKibibyteOfTheBodyInErrors() {
    String body = "{\"x\":\"" + "y".repeat(5000) + "\"}";
    assertThatThrownBy(() -> codec.decode(utf8(body)))
        .hasMessage("Object 'Kind' is missing in '" + body.substring(0, 1024) + "…'");
  }

  @Test
  void rejectsDeepNestingWithoutOverflowingTheStack() {
    String body = "[".repeat(200_000) + "]".repeat(200_000);
    assertThatThrownBy(() -> codec.decode(utf8(body)))
        .isInstanceOf(MalformedReviewException.class)
        .hasMessageStartingWith("couldn't get version/kind; json parse error: ");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReviewVersion.class)
  void encodesUpstreamsExactSuccessBody(ReviewVersion version) {
    byte[] out =
        codec.encode(version, "705ab4f5-6393-11e8-b7cc-42010a800002", AdmissionResponse.allow());
    assertThat(new String(out, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"kind\":\"AdmissionReview\",\"apiVersion\":\""
                + version.apiVersion()
                + "\",\"response\":{\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\","
                + "\"allowed\":true}}");
  }

  @Test
  void encodesADenialWithAStatus() {
    byte[] out =
        codec.encode(
            ReviewVersion.V1, "u", AdmissionResponse.deny(403, "Forbidden", "not \"allowed\""));
    assertThat(new String(out, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\","
                + "\"response\":{\"uid\":\"u\",\"allowed\":false,\"status\":{\"metadata\":{},"
                + "\"message\":\"not \\\"allowed\\\"\",\"reason\":\"Forbidden\",\"code\":403}}}");
  }

  // --- the Pod inside ---

  @Test
  void mapsThePodFieldsToAWorkload() {
    ObjectNode pod = Reviews.pod("ns1", "web-0", "sa1", Map.of("app", "web"), Map.of("a", "b"));
    ((ObjectNode) pod.get("spec")).put("hostname", "web-0-host");
    ((ObjectNode) pod.get("metadata")).put("deletionTimestamp", "2026-01-01T00:00:00Z");
    Workload w = codec.pod(Optional.of(pod), "other");
    assertThat(w)
        .isEqualTo(
            new Workload(
                "ns1",
                "web-0",
                "uid-web-0",
                "sa1",
                "node-1",
                "web-0-host",
                "10.0.0.5",
                Map.of("app", "web"),
                Map.of("a", "b"),
                true));
  }

  @Test
  void takesTheRequestNamespaceWhenThePodHasNone() {
    ObjectNode pod = Reviews.pod("", "web-0");
    assertThat(codec.pod(Optional.of(pod), "from-request").namespace()).isEqualTo("from-request");
  }

  @Test
  void readsAnEmptyPodAsEmptyFields() {
    Workload w =
        codec.pod(
            Optional.of(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()),
            "ns");
    assertThat(w.namespace()).isEqualTo("ns");
    assertThat(w.name()).isEmpty();
    assertThat(w.labels()).isEmpty();
    assertThat(w.terminating()).isFalse();
  }

  @ParameterizedTest(name = "serviceAccountName={0} serviceAccount={1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          web | ''     | web
          ''  | legacy | legacy
          web | legacy | web
          ''  | ''     | default
          """)
  void takesServiceAccountNameElseServiceAccountElseDefault(
      String serviceAccountName, String serviceAccount, String expected) {
    ObjectNode pod = Reviews.pod("ns", "web-0");
    ObjectNode spec = (ObjectNode) pod.get("spec");
    spec.put("serviceAccountName", serviceAccountName);
    if (!serviceAccount.isEmpty()) {
      spec.put("serviceAccount", serviceAccount);
    }
    assertThat(codec.pod(Optional.of(pod), "ns").serviceAccount()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          a string                   | "pod"                                         | expected an object, got a string
          an array                   | []                                            | expected an object, got an array
          metadata a number          | {"metadata":5}                                | Pod ns/<unnamed>: metadata must be an object, got number
          name a number              | {"metadata":{"name":5}}                       | Pod ns/<unnamed>: metadata.name must be a string, got number
          labels an array            | {"metadata":{"labels":["a"]}}                 | Pod ns/<unnamed>: metadata.labels must be a map of strings, got list
          label value a number       | {"metadata":{"labels":{"app":1}}}             | Pod ns/<unnamed>: metadata.labels["app"] must be a string, got number 1
          annotation value an object | {"metadata":{"annotations":{"a":{}}}}         | Pod ns/<unnamed>: metadata.annotations["a"] must be a string, got map {}
          serviceAccountName a bool  | {"spec":{"serviceAccountName":true}}          | Pod ns/<unnamed>: spec.serviceAccountName must be a string, got boolean
          serviceAccount a number    | {"spec":{"serviceAccount":1}}                 | Pod ns/<unnamed>: spec.serviceAccount must be a string, got number
          spec an array              | {"spec":[]}                                   | Pod ns/<unnamed>: spec must be an object, got list
          podIP an object            | {"status":{"podIP":{}}}                       | Pod ns/<unnamed>: status.podIP must be a string, got map
          deletionTimestamp a number | {"metadata":{"deletionTimestamp":0}}          | Pod ns/<unnamed>: metadata.deletionTimestamp must be a string, got number
          """)
  void rejectsPodsOfTheWrongShape(String name, String json, String reason) throws Exception {
    var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    assertThatThrownBy(() -> codec.pod(Optional.of(node), "ns"))
        .isInstanceOf(AdmissionException.class)
        .hasMessage("unable to unmarshal v1/Pod object: " + reason);
  }

  @Test
  void rejectsAMissingPodWithGosText() {
    assertThatThrownBy(() -> codec.pod(Optional.empty(), "ns"))
        .isInstanceOf(AdmissionException.class)
        .hasMessage("unable to unmarshal v1/Pod object: unexpected end of JSON input");
  }
}
