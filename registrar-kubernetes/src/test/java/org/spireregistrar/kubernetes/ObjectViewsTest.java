package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.kubernetes.ObjectViews.Strictness.LENIENT;
import static org.spireregistrar.kubernetes.ObjectViews.Strictness.STRICT;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.EndpointsInfo.Address;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.kubernetes.ObjectViews.Strictness;

class ObjectViewsTest {

  private static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  /**
   * The view of {@code text} as an object of {@code kind}, read with {@code default} as namespace.
   */
  private static Object view(Strictness strictness, String kind, String text) {
    ObjectViews views = new ObjectViews(strictness, "default");
    JsonObject object = json(text);
    return switch (kind) {
      case "Pod" -> views.pod(object);
      case "Node" -> views.node(object);
      case "Endpoints" -> views.endpoints(object);
      case "SpiffeID" -> views.spiffeId(object);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** A pod with only a namespace and a name: what a pod with every other field absent reads as. */
  private static Workload pod(String namespace, String name) {
    return new Workload(namespace, name, "", "default", "", "", "", Map.of(), Map.of(), false);
  }

  private static Workload pod(String namespace, String name, Map<String, String> labels) {
    return new Workload(namespace, name, "", "default", "", "", "", labels, Map.of(), false);
  }

  private static EndpointsInfo endpoints(List<Address> ready, List<Address> notReady) {
    return new EndpointsInfo("ns", "e", ready, notReady);
  }

  private static SpiffeIdResource spiffeId(SpiffeIdResource.Spec spec) {
    return new SpiffeIdResource("ns", "s", Map.of(), spec, "");
  }

  private static SpiffeIdResource.Spec spec(
      boolean downstream, List<String> dnsNames, SpiffeIdResource.Selector selector) {
    return new SpiffeIdResource.Spec("", "", selector, downstream, dnsNames, List.of());
  }

  private static final SpiffeIdResource.Spec EMPTY_SPEC =
      spec(false, List.of(), SpiffeIdResource.Selector.EMPTY);

  // --- well-formed objects: both modes read them alike ---

  record Mapped(String name, String kind, String json, Object view) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Mapped> wellFormed() {
    return Stream.of(
        new Mapped(
            "pod: every field the policies read",
            "Pod",
            """
            {"metadata":{"name":"web-0","namespace":"shop","uid":"u1",
              "labels":{"app":"web"},"annotations":{"a":"b"},
              "deletionTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"serviceAccountName":"web","nodeName":"n1","hostname":"h",
              "containers":[{"name":"c"}]},
             "status":{"podIP":"10.0.0.5","phase":"Running"}}
            """,
            new Workload(
                "shop",
                "web-0",
                "u1",
                "web",
                "n1",
                "h",
                "10.0.0.5",
                Map.of("app", "web"),
                Map.of("a", "b"),
                true)),
        new Mapped(
            "pod: null fields read as absent, null deletionTimestamp is not terminating",
            "Pod",
            """
            {"metadata":{"name":"p","namespace":"ns","uid":null,"labels":null,
              "deletionTimestamp":null},"spec":null,"status":{"podIP":null}}
            """,
            pod("ns", "p")),
        new Mapped(
            "pod: empty deletionTimestamp is not terminating",
            "Pod",
            "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"deletionTimestamp\":\"\"}}",
            pod("ns", "p")),
        new Mapped(
            "pod: a null label value reads as empty, as Go decodes it",
            "Pod",
            "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"labels\":{\"a\":null}}}",
            pod("ns", "p", Map.of("a", ""))),
        new Mapped(
            "pod: without namespace, the mapping's namespace",
            "Pod",
            "{\"metadata\":{\"name\":\"p\"}}",
            pod("default", "p")),
        new Mapped(
            "pod: unknown fields are ignored",
            "Pod",
            """
            {"metadata":{"name":"p","namespace":"ns","futureField":{"x":[1]}},
             "spec":{"brandNewField":true,"containers":"not read"},"extra":7}
            """,
            pod("ns", "p")),
        new Mapped(
            "node",
            "Node",
            """
            {"metadata":{"name":"n1","uid":"u1","annotations":{"a":"b"},"labels":{"l":1}},
             "status":{"addresses":"not read"}}
            """,
            new NodeInfo("n1", "u1", Map.of("a", "b"))),
        new Mapped(
            "node: cluster-scoped, no namespace",
            "Node",
            "{\"metadata\":{\"name\":\"n1\",\"namespace\":\"ignored\"}}",
            new NodeInfo("n1", "", Map.of())),
        new Mapped(
            "endpoints: ready and not-ready addresses of every subset, in order",
            "Endpoints",
            """
            {"metadata":{"name":"svc","namespace":"ns"},
             "subsets":[{"addresses":[{"ip":"10.0.0.1","hostname":"h0",
                "targetRef":{"kind":"Pod","name":"p0","namespace":"ns","uid":"u0"}}],
               "notReadyAddresses":[{"ip":"10.0.0.2"}]},
              {"addresses":[{"ip":"10.0.0.3","targetRef":{"kind":"Pod","name":"p3"}}],
               "notReadyAddresses":[{"ip":"10.0.0.4","targetRef":null}]}]}
            """,
            new EndpointsInfo(
                "ns",
                "svc",
                List.of(
                    new Address("10.0.0.1", "h0", "Pod", "ns", "p0", "u0"),
                    new Address("10.0.0.3", "", "Pod", "", "p3", "")),
                List.of(
                    new Address("10.0.0.2", "", "", "", "", ""),
                    new Address("10.0.0.4", "", "", "", "", "")))),
        new Mapped(
            "endpoints: without subsets",
            "Endpoints",
            "{\"metadata\":{\"name\":\"e\",\"namespace\":\"ns\"},\"subsets\":null}",
            endpoints(List.of(), List.of())),
        new Mapped(
            "spiffeid: every field",
            "SpiffeID",
            """
            {"apiVersion":"spiffeid.spiffe.io/v1beta1","kind":"SpiffeID",
             "metadata":{"name":"s","namespace":"ns","labels":{"l":"v"}},
             "spec":{"parentId":"spiffe://td/parent","spiffeId":"spiffe://td/s",
              "selector":{"cluster":"c","agent_node_uid":"au","podLabel":{"app":"web"},
               "podName":"pn","podUid":"pu","namespace":"sns","serviceAccount":"sa",
               "containerImage":"img","containerName":"cn","nodeName":"nn",
               "arbitrary":["k8s:x"]},
              "downstream":true,"dnsNames":["a.example","b.example"],"federatesWith":["td2"]},
             "status":{"entryId":"e1"}}
            """,
            new SpiffeIdResource(
                "ns",
                "s",
                Map.of("l", "v"),
                new SpiffeIdResource.Spec(
                    "spiffe://td/parent",
                    "spiffe://td/s",
                    new SpiffeIdResource.Selector(
                        "c",
                        "au",
                        Map.of("app", "web"),
                        "pn",
                        "pu",
                        "sns",
                        "sa",
                        "img",
                        "cn",
                        "nn",
                        List.of("k8s:x")),
                    true,
                    List.of("a.example", "b.example"),
                    List.of("td2")),
                "e1")),
        new Mapped(
            "spiffeid: empty spec",
            "SpiffeID",
            "{\"metadata\":{\"name\":\"s\",\"namespace\":\"ns\"},\"spec\":{}}",
            spiffeId(EMPTY_SPEC)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wellFormed")
  void mapsWellFormedObjectsAlikeInBothModes(Mapped c) {
    assertThat(view(STRICT, c.kind(), c.json())).as("STRICT").isEqualTo(c.view());
    assertThat(view(LENIENT, c.kind(), c.json())).as("LENIENT").isEqualTo(c.view());
  }

  // --- the one service-account rule ---

  @ParameterizedTest(name = "serviceAccountName={0} serviceAccount={1} -> {2} ({3})")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          web      | <absent> | web     | STRICT
          web      | <absent> | web     | LENIENT
          <absent> | legacy   | legacy  | STRICT
          <absent> | legacy   | legacy  | LENIENT
          web      | legacy   | web     | STRICT
          web      | legacy   | web     | LENIENT
          ''       | legacy   | legacy  | STRICT
          ''       | legacy   | legacy  | LENIENT
          <absent> | <absent> | default | STRICT
          <absent> | <absent> | default | LENIENT
          ''       | ''       | default | STRICT
          ''       | ''       | default | LENIENT
          <null>   | <null>   | default | STRICT
          <null>   | <null>   | default | LENIENT
          """)
  void takesServiceAccountNameElseServiceAccountElseDefault(
      String serviceAccountName, String serviceAccount, String expected, Strictness strictness) {
    JsonObject spec = new JsonObject();
    put(spec, "serviceAccountName", serviceAccountName);
    put(spec, "serviceAccount", serviceAccount);
    JsonObject pod = json("{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"}}");
    pod.add("spec", spec);
    assertThat(new ObjectViews(strictness, "").pod(pod).serviceAccount()).isEqualTo(expected);
  }

  private static void put(JsonObject o, String key, String value) {
    switch (value) {
      case "<absent>" -> {}
      case "<null>" -> o.add(key, com.google.gson.JsonNull.INSTANCE);
      default -> o.addProperty(key, value);
    }
  }

  // --- fields of the wrong JSON type: STRICT rejects naming object and field, LENIENT reads absent

  record WrongType(String name, String kind, String json, String strict, Object lenient) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String POD = "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"%s}%s}";
  private static final String ENDPOINTS =
      "{\"metadata\":{\"name\":\"e\",\"namespace\":\"ns\"},\"subsets\":%s}";
  private static final String SPIFFE_ID = "{\"metadata\":{\"name\":\"s\",\"namespace\":\"ns\"}%s}";

  static Stream<WrongType> wrongTyped() {
    String long100 = "x".repeat(100);
    return Stream.of(
        new WrongType(
            "pod: metadata a number",
            "Pod",
            "{\"metadata\":5}",
            "Pod default/<unnamed>: metadata must be an object, got number",
            pod("default", "")),
        new WrongType(
            "pod: metadata.name a number",
            "Pod",
            "{\"metadata\":{\"name\":5,\"namespace\":\"ns\"}}",
            "Pod ns/<unnamed>: metadata.name must be a string, got number",
            pod("ns", "")),
        new WrongType(
            "pod: metadata.namespace a list",
            "Pod",
            "{\"metadata\":{\"name\":\"p\",\"namespace\":[\"ns\"]}}",
            "Pod default/p: metadata.namespace must be a string, got list",
            pod("default", "p")),
        new WrongType(
            "pod: labels a list",
            "Pod",
            POD.formatted(",\"labels\":[\"a\"]", ""),
            "Pod ns/p: metadata.labels must be a map of strings, got list",
            pod("ns", "p")),
        new WrongType(
            "pod: label value a number (LENIENT: its text)",
            "Pod",
            POD.formatted(",\"labels\":{\"n\":1,\"ok\":\"v\"}", ""),
            "Pod ns/p: metadata.labels[\"n\"] must be a string, got number 1",
            pod("ns", "p", Map.of("n", "1", "ok", "v"))),
        new WrongType(
            "pod: label value a map (LENIENT: skipped)",
            "Pod",
            POD.formatted(",\"labels\":{\"n\":{\"x\":1},\"ok\":\"v\"}", ""),
            "Pod ns/p: metadata.labels[\"n\"] must be a string, got map {\"x\":1}",
            pod("ns", "p", Map.of("ok", "v"))),
        new WrongType(
            "pod: a long wrong value is quoted in part",
            "Pod",
            POD.formatted(",\"labels\":{\"n\":[\"" + long100 + "\"]}", ""),
            "Pod ns/p: metadata.labels[\"n\"] must be a string, got list "
                + ("[\"" + long100).substring(0, 64)
                + "…",
            pod("ns", "p")),
        new WrongType(
            "pod: annotations a string",
            "Pod",
            POD.formatted(",\"annotations\":\"a=b\"", ""),
            "Pod ns/p: metadata.annotations must be a map of strings, got string",
            pod("ns", "p")),
        new WrongType(
            "pod: deletionTimestamp a number (LENIENT: not terminating)",
            "Pod",
            POD.formatted(",\"deletionTimestamp\":1767225600", ""),
            "Pod ns/p: metadata.deletionTimestamp must be a string, got number",
            pod("ns", "p")),
        new WrongType(
            "pod: spec a list",
            "Pod",
            POD.formatted("", ",\"spec\":[]"),
            "Pod ns/p: spec must be an object, got list",
            pod("ns", "p")),
        new WrongType(
            "pod: serviceAccountName a number",
            "Pod",
            POD.formatted("", ",\"spec\":{\"serviceAccountName\":1}"),
            "Pod ns/p: spec.serviceAccountName must be a string, got number",
            pod("ns", "p")),
        new WrongType(
            "pod: serviceAccount a boolean",
            "Pod",
            POD.formatted("", ",\"spec\":{\"serviceAccount\":true}"),
            "Pod ns/p: spec.serviceAccount must be a string, got boolean",
            pod("ns", "p")),
        new WrongType(
            "pod: nodeName a list",
            "Pod",
            POD.formatted("", ",\"spec\":{\"nodeName\":[\"x\"]}"),
            "Pod ns/p: spec.nodeName must be a string, got list",
            pod("ns", "p")),
        new WrongType(
            "pod: status a string",
            "Pod",
            POD.formatted("", ",\"status\":\"weird\""),
            "Pod ns/p: status must be an object, got string",
            pod("ns", "p")),
        new WrongType(
            "pod: podIP an object",
            "Pod",
            POD.formatted("", ",\"status\":{\"podIP\":{}}"),
            "Pod ns/p: status.podIP must be a string, got map",
            pod("ns", "p")),
        new WrongType(
            "node: uid a number",
            "Node",
            "{\"metadata\":{\"name\":\"n1\",\"uid\":7}}",
            "Node n1: metadata.uid must be a string, got number",
            new NodeInfo("n1", "", Map.of())),
        new WrongType(
            "node: annotations a list",
            "Node",
            "{\"metadata\":{\"name\":\"n1\",\"annotations\":[]}}",
            "Node n1: metadata.annotations must be a map of strings, got list",
            new NodeInfo("n1", "", Map.of())),
        new WrongType(
            "node: spec a string",
            "Node",
            "{\"metadata\":{\"name\":\"n1\"},\"spec\":\"hello\"}",
            "Node n1: spec must be an object, got string",
            new NodeInfo("n1", "", Map.of())),
        new WrongType(
            "node: status a list",
            "Node",
            "{\"metadata\":{\"name\":\"n1\"},\"status\":[]}",
            "Node n1: status must be an object, got list",
            new NodeInfo("n1", "", Map.of())),
        new WrongType(
            "endpoints: subsets a map",
            "Endpoints",
            ENDPOINTS.formatted("{\"a\":1}"),
            "Endpoints ns/e: subsets must be a list, got map",
            endpoints(List.of(), List.of())),
        new WrongType(
            "endpoints: a subset a string (LENIENT: skipped)",
            "Endpoints",
            ENDPOINTS.formatted("[\"x\",{\"addresses\":[{\"ip\":\"10.0.0.1\"}]}]"),
            "Endpoints ns/e: subsets[0] must be an object, got string",
            endpoints(List.of(new Address("10.0.0.1", "", "", "", "", "")), List.of())),
        new WrongType(
            "endpoints: addresses a number",
            "Endpoints",
            ENDPOINTS.formatted("[{\"addresses\":5}]"),
            "Endpoints ns/e: subsets[0].addresses must be a list, got number",
            endpoints(List.of(), List.of())),
        new WrongType(
            "endpoints: a not-ready address a string (LENIENT: skipped)",
            "Endpoints",
            ENDPOINTS.formatted("[{\"notReadyAddresses\":[{\"ip\":\"10.0.0.2\"},\"10.0.0.3\"]}]"),
            "Endpoints ns/e: subsets[0].notReadyAddresses[1] must be an object, got string",
            endpoints(List.of(), List.of(new Address("10.0.0.2", "", "", "", "", "")))),
        new WrongType(
            "endpoints: ip a number",
            "Endpoints",
            ENDPOINTS.formatted("[{\"addresses\":[{\"ip\":5}]}]"),
            "Endpoints ns/e: subsets[0].addresses[0].ip must be a string, got number",
            endpoints(List.of(new Address("", "", "", "", "", "")), List.of())),
        new WrongType(
            "endpoints: targetRef a string",
            "Endpoints",
            ENDPOINTS.formatted("[{\"addresses\":[{\"ip\":\"10.0.0.1\",\"targetRef\":\"p0\"}]}]"),
            "Endpoints ns/e: subsets[0].addresses[0].targetRef must be an object, got string",
            endpoints(List.of(new Address("10.0.0.1", "", "", "", "", "")), List.of())),
        new WrongType(
            "spiffeid: spec absent",
            "SpiffeID",
            SPIFFE_ID.formatted(""),
            "SpiffeID ns/s: spec is required",
            spiffeId(EMPTY_SPEC)),
        new WrongType(
            "spiffeid: spec a list",
            "SpiffeID",
            SPIFFE_ID.formatted(",\"spec\":[]"),
            "SpiffeID ns/s: spec must be an object, got list",
            spiffeId(EMPTY_SPEC)),
        new WrongType(
            "spiffeid: selector a string",
            "SpiffeID",
            SPIFFE_ID.formatted(",\"spec\":{\"selector\":\"app=web\"}"),
            "SpiffeID ns/s: spec.selector must be an object, got string",
            spiffeId(EMPTY_SPEC)),
        new WrongType(
            "spiffeid: downstream a string",
            "SpiffeID",
            SPIFFE_ID.formatted(",\"spec\":{\"downstream\":\"yes please\"}"),
            "SpiffeID ns/s: spec.downstream must be a boolean, got string",
            spiffeId(EMPTY_SPEC)),
        new WrongType(
            "spiffeid: dnsNames a string",
            "SpiffeID",
            SPIFFE_ID.formatted(",\"spec\":{\"dnsNames\":\"a.example\"}"),
            "SpiffeID ns/s: spec.dnsNames must be a list of strings, got string",
            spiffeId(EMPTY_SPEC)),
        new WrongType(
            "spiffeid: a dnsNames element a number (LENIENT: skipped)",
            "SpiffeID",
            SPIFFE_ID.formatted(",\"spec\":{\"dnsNames\":[\"a.example\",5]}"),
            "SpiffeID ns/s: spec.dnsNames[1] must be a string, got number",
            spiffeId(spec(false, List.of("a.example"), SpiffeIdResource.Selector.EMPTY))),
        new WrongType(
            "spiffeid: podLabel value a boolean (LENIENT: its text)",
            "SpiffeID",
            SPIFFE_ID.formatted(",\"spec\":{\"selector\":{\"podLabel\":{\"a\":true}}}"),
            "SpiffeID ns/s: spec.selector.podLabel[\"a\"] must be a string, got boolean true",
            spiffeId(
                spec(
                    false,
                    List.of(),
                    new SpiffeIdResource.Selector(
                        "", "", Map.of("a", "true"), "", "", "", "", "", "", "", List.of())))),
        new WrongType(
            "spiffeid: status.entryId a number",
            "SpiffeID",
            SPIFFE_ID.formatted(",\"spec\":{},\"status\":{\"entryId\":1}"),
            "SpiffeID ns/s: status.entryId must be a string, got number",
            spiffeId(EMPTY_SPEC)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongTyped")
  void strictRejectsAWrongTypeNamingTheObjectAndTheField(WrongType c) {
    assertThatThrownBy(() -> view(STRICT, c.kind(), c.json()))
        .isInstanceOf(RejectedObjectException.class)
        .hasMessage(c.strict());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongTyped")
  void lenientReadsAWrongTypeAsAbsent(WrongType c) {
    assertThat(view(LENIENT, c.kind(), c.json())).isEqualTo(c.lenient());
  }

  // --- informer behaviour (LENIENT) ---

  @Test
  void toleratesMissingRequiredFieldsUnknownFieldsAndWrongTypes() {
    Workload w =
        new ObjectViews(LENIENT, "")
            .pod(
                json(
                    """
                    {"metadata":{"name":"p","namespace":"ns","labels":{"n":1},"futureField":{}},
                     "spec":{"nodeName":["x"],"brandNewField":true},
                     "status":"weird"}
                    """));
    assertThat(w.name()).isEqualTo("p");
    assertThat(w.nodeName()).isEmpty();
    assertThat(w.podIp()).isEmpty();
    assertThat(w.labels()).containsEntry("n", "1");
    assertThat(w.terminating()).isFalse();
    assertThat(w.serviceAccount()).isEqualTo("default");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Strictness.class)
  void statusOnlyChangesGiveEqualViews(Strictness strictness) {
    String base =
        """
        {"metadata":{"name":"p","namespace":"ns","resourceVersion":"%s"},
         "spec":{"nodeName":"n1"},"status":{"podIP":"10.0.0.1","phase":"%s"}}
        """;
    ObjectViews views = new ObjectViews(strictness, "");
    assertThat(views.pod(json(base.formatted("1", "Pending"))))
        .isEqualTo(views.pod(json(base.formatted("2", "Running"))));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Strictness.class)
  void givesNamespacedObjectsWithoutANamespaceTheMappingsNamespace(Strictness strictness) {
    ObjectViews views = new ObjectViews(strictness, "from-request");
    JsonObject noNamespace = json("{\"metadata\":{\"name\":\"x\"},\"spec\":{}}");
    assertThat(views.pod(noNamespace).namespace()).isEqualTo("from-request");
    assertThat(views.endpoints(noNamespace).namespace()).isEqualTo("from-request");
    assertThat(views.spiffeId(noNamespace).namespace()).isEqualTo("from-request");
    assertThat(new ObjectViews(strictness, "").pod(noNamespace).namespace()).isEmpty();
  }
}
