package org.spireregistrar.crd.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.crd.webhook.Reviews.selector;
import static org.spireregistrar.crd.webhook.Reviews.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.webhook.review.AdmissionReviewCodec;
import org.spireregistrar.webhook.review.AdmissionReviewHandler;
import org.spireregistrar.webhook.review.ReviewVersion;
import org.spireregistrar.webhook.server.HttpReply;

/**
 * Every rule of the SpiffeID webhook with its exact text, through the AdmissionReview handler (v1
 * and v1beta1), against an in-memory entry store that must never be written.
 */
class SpiffeIdAdmissionTest {
  static final TrustDomain TD = new TrustDomain("example.org");
  static final String MUST_BEGIN_PARENT = "spec.parentId must begin with spiffe://example.org";
  static final String MUST_BEGIN_ID = "spec.spiffeId must begin with spiffe://example.org";
  static final String PSAT_ONLY =
      "spec.Selector.Cluster and spec.Selector.AgentNodeUid can only be used by the"
          + " k8s-workload-registrar";
  static final String NAMESPACE_MISMATCH =
      "spec.Selector.Namespace must match namespace of resource";

  final InMemoryEntryStore store = new InMemoryEntryStore();
  final AdmissionReviewHandler handler =
      new AdmissionReviewHandler(
          new AdmissionReviewCodec(), new SpiffeIdAdmission(TD, "spire", store));

  /** What the webhook answers: allowed, or a code and a text. */
  record Verdict(boolean allowed, int code, String reason, String message) {
    static final Verdict ALLOWED = new Verdict(true, 0, "", "");

    static Verdict denied(String text) {
      return new Verdict(false, 403, text, text);
    }

    static Verdict undecodable(String text) {
      return new Verdict(false, 400, "", text);
    }
  }

  record Case(String name, ObjectNode object, Verdict expected) {
    Case(String name, Consumer<ObjectNode> edit, Verdict expected) {
      this(name, edited(Reviews.spiffeId(), edit), expected);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static ObjectNode edited(ObjectNode o, Consumer<ObjectNode> edit) {
    edit.accept(o);
    return o;
  }

  static Consumer<ObjectNode> parent(String value) {
    return o -> spec(o).put("parentId", value);
  }

  static Consumer<ObjectNode> id(String value) {
    return o -> spec(o).put("spiffeId", value);
  }

  static Consumer<ObjectNode> dnsNames(String... names) {
    return o -> {
      ArrayNode a = spec(o).putArray("dnsNames");
      for (String n : names) {
        a.add(n);
      }
    };
  }

  static String[] hosts(int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = "host" + i + ".example.org";
    }
    return out;
  }

  /** The base validation: the same for CREATE and UPDATE. */
  static Stream<Case> baseRules() {
    String longName = "a".repeat(300);
    return Stream.of(
        new Case("a valid SpiffeID", o -> {}, Verdict.ALLOWED),
        new Case(
            "a node SpiffeID in the registrar's namespace",
            Reviews.nodeSpiffeId(),
            Verdict.ALLOWED),
        new Case(
            "an ID that is the trust domain itself",
            parent("spiffe://example.org"),
            Verdict.ALLOWED),
        new Case(
            "unknown fields are ignored",
            o -> {
              spec(o).put("ttl", 5);
              selector(o).put("podNamespace", "x");
              o.putObject("status").put("other", true);
            },
            Verdict.ALLOWED),
        new Case("1,000 DNS names", dnsNames(hosts(1000)), Verdict.ALLOWED),
        new Case(
            "parentId in another trust domain",
            parent("spiffe://other.org/n1"),
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "parentId in a look-alike trust domain",
            parent("spiffe://example.org.evil/n1"),
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "parentId with a port",
            parent("spiffe://example.org:443/n1"),
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "parentId with user info",
            parent("spiffe://x@example.org/n1"),
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "parentId with an upper-case scheme",
            parent("SPIFFE://example.org/n1"),
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "parentId with an upper-case trust domain",
            parent("spiffe://Example.org/n1"),
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "parentId without a scheme",
            parent("example.org/n1"),
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case("parentId empty", parent(""), Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "parentId absent", o -> spec(o).remove("parentId"), Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "parentId with an empty segment",
            parent("spiffe://example.org/a//b"),
            Verdict.denied("malformed CRD parent ID: path cannot contain empty segments")),
        new Case(
            "parentId with a space",
            parent("spiffe://example.org/a b"),
            Verdict.denied(
                "malformed CRD parent ID: path segment characters are limited to letters, numbers,"
                    + " dots, dashes, and underscores")),
        new Case(
            "parentId with a query",
            parent("spiffe://example.org?x=1"),
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "spiffeId in another trust domain",
            id("spiffe://other.org/web"),
            Verdict.denied(MUST_BEGIN_ID)),
        new Case(
            "spiffeId in a look-alike trust domain",
            id("spiffe://example.org.evil/web"),
            Verdict.denied(MUST_BEGIN_ID)),
        new Case(
            "spiffeId sharing the trust domain's prefix",
            id("spiffe://example.organisation/web"),
            Verdict.denied(MUST_BEGIN_ID)),
        new Case(
            "spiffeId with a trailing slash",
            id("spiffe://example.org/web/"),
            Verdict.denied("malformed CRD SPIFFE ID: path cannot have a trailing slash")),
        new Case(
            "spiffeId with a dot segment",
            id("spiffe://example.org/a/../b"),
            Verdict.denied("malformed CRD SPIFFE ID: path cannot contain dot segments")),
        new Case(
            "spiffeId of 3,021 bytes",
            id("spiffe://example.org/" + "a".repeat(3000)),
            Verdict.denied("spec.spiffeId is 3021 bytes long; SPIFFE IDs are at most 2048")),
        new Case(
            "both IDs foreign: the parent is named first",
            o -> {
              parent("spiffe://evil.org/n").accept(o);
              id("spiffe://evil.org/w").accept(o);
            },
            Verdict.denied(MUST_BEGIN_PARENT)),
        new Case(
            "cluster selector outside the registrar's namespace",
            o -> selector(o).put("cluster", "test-cluster"),
            Verdict.denied(PSAT_ONLY)),
        new Case(
            "agent_node_uid selector outside the registrar's namespace",
            o -> selector(o).put("agent_node_uid", "uid-1"),
            Verdict.denied(PSAT_ONLY)),
        new Case(
            "selector namespace of another namespace",
            o -> selector(o).put("namespace", "kube-system"),
            Verdict.denied(NAMESPACE_MISMATCH)),
        new Case(
            "no selector namespace",
            o -> selector(o).remove("namespace"),
            Verdict.denied(NAMESPACE_MISMATCH)),
        new Case(
            "a misspelt selector field is ignored, so the namespace is missing",
            o -> {
              selector(o).remove("namespace");
              selector(o).put("namspace", "default");
            },
            Verdict.denied(NAMESPACE_MISMATCH)),
        new Case(
            "a DNS name with an empty label",
            dnsNames("web.default.svc", "ab..cd"),
            Verdict.denied("invalid DNS name \"ab..cd\": label is empty")),
        new Case(
            "a wildcard DNS name not in the first label",
            dnsNames("web.*.example.org"),
            Verdict.denied("invalid DNS name \"web.*.example.org\": wildcard must be first label")),
        new Case(
            "an empty DNS name",
            dnsNames(""),
            Verdict.denied("invalid DNS name \"\": empty or only whitespace")),
        new Case(
            "a DNS name with a newline is quoted as Go does",
            dnsNames("ab\ncd.example.org"),
            Verdict.denied("invalid DNS name \"ab\\ncd.example.org\": invalid label: ab\ncd")),
        new Case(
            "a DNS name of 300 characters is quoted in part",
            dnsNames(longName),
            Verdict.denied(
                "invalid DNS name \"" + "a".repeat(64) + "\"… (300 characters): length exceeded")),
        new Case(
            "10,000 DNS names",
            dnsNames(hosts(10_000)),
            Verdict.denied("spec.dnsNames has 10000 names; at most 1000 are allowed")),
        new Case(
            "an invalid federated trust domain",
            o -> spec(o).putArray("federatesWith").add("Partner Org"),
            Verdict.denied(
                "invalid federated trust domain \"Partner Org\": trust domain characters are"
                    + " limited to lowercase letters, numbers, dots, dashes, and underscores")),
        new Case(
            "an empty arbitrary selector",
            o -> selector(o).putArray("arbitrary").add(""),
            Verdict.denied("selector value cannot be empty")),
        new Case(
            "dnsNames is a string",
            o -> spec(o).put("dnsNames", "web.default.svc"),
            Verdict.undecodable(
                "SpiffeID default/web: spec.dnsNames must be a list of strings, got string")),
        new Case(
            "a DNS name is a number",
            o -> spec(o).putArray("dnsNames").add(7),
            Verdict.undecodable(
                "SpiffeID default/web: spec.dnsNames[0] must be a string, got number")),
        new Case(
            "selector is a list",
            o -> spec(o).putArray("selector"),
            Verdict.undecodable("SpiffeID default/web: spec.selector must be an object, got list")),
        new Case(
            "a pod label value is a number",
            o -> selector(o).putObject("podLabel").put("app", 1),
            Verdict.undecodable(
                "SpiffeID default/web: spec.selector.podLabel[\"app\"] must be a string, got"
                    + " number 1")),
        new Case(
            "downstream is a string",
            o -> spec(o).put("downstream", "yes"),
            Verdict.undecodable(
                "SpiffeID default/web: spec.downstream must be a boolean, got string")),
        new Case(
            "no spec",
            o -> o.remove("spec"),
            Verdict.undecodable("SpiffeID default/web: spec is required")));
  }

  static Stream<Object[]> baseRulesPerOperationAndVersion() {
    List<Object[]> out = new ArrayList<>();
    baseRules()
        .forEach(
            c -> {
              for (String operation : List.of("CREATE", "UPDATE")) {
                for (ReviewVersion v : ReviewVersion.values()) {
                  out.add(new Object[] {c, operation, v});
                }
              }
            });
    return out.stream();
  }

  @AfterEach
  void nothingIsWritten() {
    assertThat(store.writeCalls()).isZero();
  }

  JsonNode answer(ReviewVersion version, String operation, JsonNode object, JsonNode oldObject) {
    ObjectNode review = Reviews.review(version, operation, object, oldObject);
    HttpReply reply = handler.handle(Reviews.bytes(review));
    assertThat(reply.status()).isEqualTo(200);
    JsonNode body = Reviews.parse(reply.body());
    assertThat(body.path("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(body.path("apiVersion").asText()).isEqualTo(version.apiVersion());
    assertThat(body.path("response").path("uid").asText())
        .isEqualTo(review.path("request").path("uid").asText());
    return body.path("response");
  }

  static Verdict verdict(JsonNode response) {
    JsonNode status = response.path("status");
    return new Verdict(
        response.path("allowed").asBoolean(),
        status.path("code").asInt(0),
        status.path("reason").asText(""),
        status.path("message").asText(""));
  }

  @ParameterizedTest(name = "{0}: {1} {2}")
  @MethodSource("baseRulesPerOperationAndVersion")
  void baseValidation(Case c, String operation, ReviewVersion version) {
    JsonNode old = operation.equals("UPDATE") ? Reviews.spiffeId() : null;
    if (old != null && c.object().path("metadata").path("namespace").asText().equals("spire")) {
      old = Reviews.nodeSpiffeId();
    }
    if (old != null && c.object().path("spec").equals(old.path("spec"))) {
      ((ObjectNode) old).putObject("spec").put("parentId", "spiffe://example.org/old");
    }

    assertThat(verdict(answer(version, operation, c.object(), old))).isEqualTo(c.expected());
  }

  @Test
  void anotherKindIsUndecodable() {
    ObjectNode review = Reviews.review(ReviewVersion.V1, "CREATE", Reviews.spiffeId(), null);
    ((ObjectNode) review.path("request").path("kind"))
        .put("group", "")
        .put("version", "v1")
        .put("kind", "Pod");

    assertThat(
            verdict(Reviews.parse(handler.handle(Reviews.bytes(review)).body()).path("response")))
        .isEqualTo(
            Verdict.undecodable(
                "expected a spiffeid.spiffe.io/v1beta1 SpiffeID, got /v1, Kind=Pod"));
  }

  @Test
  void aCreateWithoutAnObjectIsUndecodable() {
    assertThat(verdict(answer(ReviewVersion.V1, "CREATE", null, null)))
        .isEqualTo(Verdict.undecodable("SpiffeID <unnamed>: the request has no object"));
  }

  @Test
  void anObjectThatIsNotAnObjectIsUndecodable() {
    ObjectNode review = Reviews.review(ReviewVersion.V1BETA1, "CREATE", null, null);
    ((ObjectNode) review.path("request")).putArray("object").add(1);

    assertThat(
            verdict(Reviews.parse(handler.handle(Reviews.bytes(review)).body()).path("response")))
        .isEqualTo(
            Verdict.undecodable("SpiffeID <unnamed>: the object must be a JSON object, got list"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReviewVersion.class)
  void deleteIsAlwaysAllowed(ReviewVersion version) {
    ObjectNode invalid = edited(Reviews.spiffeId(), parent("spiffe://evil.org/x"));
    store.setUnavailable(true);

    assertThat(verdict(answer(version, "DELETE", null, invalid))).isEqualTo(Verdict.ALLOWED);
    assertThat(verdict(answer(version, "DELETE", null, null))).isEqualTo(Verdict.ALLOWED);
    assertThat(store.calls("list")).isZero();
  }

  @Test
  void anUpdateThatLeavesTheSpecAloneIsAllowedEvenIfTheSpecIsInvalid() {
    // Written before the webhook existed: its finalizer must still come off.
    ObjectNode old = edited(Reviews.spiffeId(), parent("spiffe://example.org.evil/x"));
    ((ObjectNode) old.get("metadata")).putArray("finalizers").add("finalizers.spiffeid.spiffe.io");
    ObjectNode updated = old.deepCopy();
    ((ObjectNode) updated.get("metadata")).remove("finalizers");

    assertThat(verdict(answer(ReviewVersion.V1, "UPDATE", updated, old)))
        .isEqualTo(Verdict.ALLOWED);

    spec(updated).put("spiffeId", "spiffe://example.org/other");
    assertThat(verdict(answer(ReviewVersion.V1, "UPDATE", updated, old)))
        .isEqualTo(Verdict.denied(MUST_BEGIN_PARENT));
  }

  // ---- the duplicate check (CREATE only)

  static final Selector[] WEB_SELECTORS = {
    Selector.k8s("ns:default"), Selector.k8s("pod-name:web")
  };

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReviewVersion.class)
  void anEntryWithTheSameIdAndSelectorsIsADuplicate(ReviewVersion version) {
    store.put(
        Entry.of(
            new EntryId("e-1"),
            EntrySpec.of(
                SpiffeId.parse(Reviews.ID),
                SpiffeId.parse(Reviews.PARENT),
                List.of(WEB_SELECTORS))));

    assertThat(verdict(answer(version, "CREATE", Reviews.spiffeId(), null)))
        .isEqualTo(Verdict.denied("Duplicate detected"));
    assertThat(store.calls("list")).isEqualTo(1);
  }

  @Test
  void theParentIsNotCompared() {
    store.put(
        Entry.of(
            new EntryId("e-1"),
            EntrySpec.of(
                SpiffeId.parse(Reviews.ID),
                SpiffeId.parse("spiffe://example.org/elsewhere"),
                List.of(WEB_SELECTORS))));

    assertThat(verdict(answer(ReviewVersion.V1, "CREATE", Reviews.spiffeId(), null)))
        .isEqualTo(Verdict.denied("Duplicate detected"));
  }

  @Test
  void theSpiffeIdsOwnEntryIsNotADuplicate() {
    store.put(
        Entry.of(
            new EntryId("e-1"),
            EntrySpec.of(
                SpiffeId.parse(Reviews.ID),
                SpiffeId.parse(Reviews.PARENT),
                List.of(WEB_SELECTORS))));
    ObjectNode own = Reviews.spiffeId();
    own.putObject("status").put("entryId", "e-1");
    ObjectNode other = Reviews.spiffeId();
    other.putObject("status").put("entryId", "e-2");

    assertThat(verdict(answer(ReviewVersion.V1, "CREATE", own, null))).isEqualTo(Verdict.ALLOWED);
    assertThat(verdict(answer(ReviewVersion.V1, "CREATE", other, null)))
        .isEqualTo(Verdict.denied("Duplicate detected"));
  }

  @Test
  void otherIdsOrOtherSelectorsAreNoDuplicates() {
    SpiffeId parent = SpiffeId.parse(Reviews.PARENT);
    store.put(
        Entry.of(
            new EntryId("e-1"),
            EntrySpec.of(
                SpiffeId.parse("spiffe://example.org/other"), parent, List.of(WEB_SELECTORS))));
    store.put(
        Entry.of(
            new EntryId("e-2"),
            EntrySpec.of(
                SpiffeId.parse(Reviews.ID),
                parent,
                List.of(WEB_SELECTORS[0], WEB_SELECTORS[1], Selector.k8s("sa:web")))));

    assertThat(verdict(answer(ReviewVersion.V1, "CREATE", Reviews.spiffeId(), null)))
        .isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void anUpdateIsNotCheckedForDuplicates() {
    store.put(
        Entry.of(
            new EntryId("e-1"),
            EntrySpec.of(
                SpiffeId.parse(Reviews.ID),
                SpiffeId.parse(Reviews.PARENT),
                List.of(WEB_SELECTORS))));
    ObjectNode old = edited(Reviews.spiffeId(), dnsNames());

    assertThat(verdict(answer(ReviewVersion.V1, "UPDATE", Reviews.spiffeId(), old)))
        .isEqualTo(Verdict.ALLOWED);
    assertThat(store.calls("list")).isZero();
  }

  @Test
  void aFailedListDeniesWithItsText() {
    store.setUnavailable(true);

    assertThat(verdict(answer(ReviewVersion.V1, "CREATE", Reviews.spiffeId(), null)))
        .isEqualTo(Verdict.denied("in-memory entry store: list failed: unavailable"));
  }

  @Test
  void anInvalidSpiffeIdIsNotLookedUp() {
    store.put(
        Entry.of(
            new EntryId("e-1"),
            EntrySpec.of(
                SpiffeId.parse(Reviews.ID),
                SpiffeId.parse(Reviews.PARENT),
                List.of(WEB_SELECTORS))));

    assertThat(
            verdict(
                answer(
                    ReviewVersion.V1,
                    "CREATE",
                    edited(Reviews.spiffeId(), dnsNames("ab..cd")),
                    null)))
        .isEqualTo(Verdict.denied("invalid DNS name \"ab..cd\": label is empty"));
    assertThat(store.calls("list")).isZero();
  }

  @Test
  void logValuesAreQuotedAndCut() {
    assertThat(SpiffeIdAdmission.quote("web\n\u001b[31mred")).isEqualTo("\"web\\n\\x1b[31mred\"");
    assertThat(SpiffeIdAdmission.quote("x".repeat(1000)))
        .isEqualTo("\"" + "x".repeat(64) + "\"… (1000 characters)");
    assertThat(SpiffeIdAdmission.bounded("y".repeat(5000)))
        .hasSize(SpiffeIdAdmission.MAX_MESSAGE + 1);
  }
}
