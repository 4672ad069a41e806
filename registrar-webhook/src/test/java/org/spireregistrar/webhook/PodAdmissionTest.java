package org.spireregistrar.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.WebhookEntries;
import org.spireregistrar.webhook.review.AdmissionException;
import org.spireregistrar.webhook.review.AdmissionReviewCodec;
import org.spireregistrar.webhook.review.AdmissionReviewHandler;
import org.spireregistrar.webhook.server.HttpReply;

/** Upstream's controller_test.go cases, plus our divergences, through the review handler. */
class PodAdmissionTest {
  private static final String V1 = "admission.k8s.io/v1";
  private static final SpiffeId NODE = SpiffeId.parse(Reviews.NODE_ID);
  private static final SpiffeId SERVER = SpiffeId.parse("spiffe://domain.test/spire/server");

  private final InMemoryEntryStore store = new InMemoryEntryStore();

  private PodAdmission admission(RegistrarConfig config) {
    return new PodAdmission(
        WebhookEntries.forConfig(config),
        store,
        new AdmissionReviewCodec(),
        config.common().disabledNamespaces());
  }

  private HttpReply send(RegistrarConfig config, ObjectNode review) {
    return new AdmissionReviewHandler(new AdmissionReviewCodec(), admission(config))
        .handle(Reviews.bytes(review));
  }

  private HttpReply send(ObjectNode review) {
    return send(Reviews.config("", ""), review);
  }

  private static String allowed(String uid) {
    return "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\","
        + "\"response\":{\"uid\":\""
        + uid
        + "\",\"allowed\":true}}";
  }

  private static List<Selector> podSelectors(String ns, String name) {
    return List.of(Selector.k8s("ns:" + ns), Selector.k8s("pod-name:" + name));
  }

  private static SpiffeId id(String path) {
    return new SpiffeId(new TrustDomain("domain.test"), path);
  }

  private Entry seed(SpiffeId spiffeId, SpiffeId parent, List<Selector> selectors) {
    Entry e =
        Entry.of(
            new EntryId("seed-" + store.entries().size()),
            EntrySpec.of(spiffeId, parent, selectors));
    store.put(e);
    return e;
  }

  // --- initialization ---

  @Test
  void createsTheClusterNodeEntry() {
    admission(Reviews.config("", "")).createClusterNodeEntry();
    assertThat(store.entries())
        .extracting(Entry::spec)
        .containsExactly(EntrySpec.of(NODE, SERVER, List.of(Selector.psat("cluster:CLUSTER"))));
  }

  @Test
  void treatsAnExistingClusterNodeEntryAsCreated() {
    PodAdmission a = admission(Reviews.config("", ""));
    a.createClusterNodeEntry();
    a.createClusterNodeEntry();
    assertThat(store.entries()).hasSize(1);
  }

  @Test
  void failsInitializationWhenSpireRefusesTheNodeEntry() {
    store.failItems(s -> true, EntryResult.Code.PERMISSION_DENIED, "not an admin");
    assertThatThrownBy(() -> admission(Reviews.config("", "")).createClusterNodeEntry())
        .isInstanceOf(AdmissionException.class)
        .hasMessage(
            "unable to create the cluster node entry "
                + NODE
                + ": rpc error: code = PermissionDenied desc = not an admin");
  }

  @Test
  void failsInitializationWhenSpireIsUnreachable() {
    store.setUnavailable(true);
    assertThatThrownBy(() -> admission(Reviews.config("", "")).createClusterNodeEntry())
        .hasMessage(
            "unable to create the cluster node entry "
                + NODE
                + ": in-memory entry store: create failed: unavailable");
  }

  // --- what is left alone ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          kube-system pod CREATE   | kube-system | ''   | v1 | Pod        | CREATE
          kube-public pod DELETE   | kube-public | ''   | v1 | Pod        | DELETE
          disabled beats the kind  | kube-system | apps | v1 | Deployment | CREATE
          a Deployment             | default     | apps | v1 | Deployment | CREATE
          a Service                | default     | ''   | v1 | Service    | DELETE
          a pod in another group   | default     | fake | v1 | Pod        | CREATE
          a pod of another version | default     | ''   | v2 | Pod        | CREATE
          a pod UPDATE             | default     | ''   | v1 | Pod        | UPDATE
          a pod CONNECT            | default     | ''   | v1 | Pod        | CONNECT
          """)
  void allowsWithoutTouchingSpire(
      String name, String ns, String group, String version, String kind, String operation) {
    ObjectNode review = Reviews.review(V1, "u1", group, version, kind, operation, ns, "web-0");
    // An object that would be rejected if it were read: proves it is not.
    ((ObjectNode) review.get("request")).put("object", "not a pod");
    HttpReply r = send(review);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo(allowed("u1"));
    assertThat(store.entries()).isEmpty();
    assertThat(store.writeCalls()).isZero();
  }

  // --- CREATE ---

  record IdCase(
      String name,
      String label,
      String annotation,
      Map<String, String> podLabels,
      Map<String, String> podAnnotations,
      Optional<String> path) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<IdCase> idCases() {
    return Stream.of(
        new IdCase(
            "service account",
            "",
            "",
            Map.of(),
            Map.of(),
            Optional.of("/ns/NAMESPACE/sa/SERVICEACCOUNT")),
        new IdCase(
            "label",
            "spiffe.io/spiffe-id",
            "",
            Map.of("spiffe.io/spiffe-id", "WORKLOAD"),
            Map.of(),
            Optional.of("/WORKLOAD")),
        new IdCase(
            "label with slashes",
            "spiffe.io/spiffe-id",
            "",
            Map.of("spiffe.io/spiffe-id", "production/WORKLOAD"),
            Map.of(),
            Optional.of("/production/WORKLOAD")),
        new IdCase(
            "label absent",
            "spiffe.io/spiffe-id",
            "",
            Map.of("other", "x"),
            Map.of(),
            Optional.empty()),
        new IdCase(
            "annotation",
            "",
            "spiffe.io/spiffe-id",
            Map.of(),
            Map.of("spiffe.io/spiffe-id", "ENV/WORKLOAD"),
            Optional.of("/ENV/WORKLOAD")),
        new IdCase(
            "annotation absent",
            "",
            "spiffe.io/spiffe-id",
            Map.of("spiffe.io/spiffe-id", "x"),
            Map.of(),
            Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("idCases")
  void createsThePodEntryOfEachIdMode(IdCase c) {
    ObjectNode pod =
        Reviews.pod("NAMESPACE", "PODNAME", "SERVICEACCOUNT", c.podLabels(), c.podAnnotations());
    HttpReply r =
        send(
            Reviews.config(c.label(), c.annotation()), Reviews.podReview(V1, "uid", "CREATE", pod));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo(allowed("uid"));
    if (c.path().isEmpty()) {
      assertThat(store.entries()).isEmpty();
      return;
    }
    assertThat(store.entries())
        .extracting(Entry::spec)
        .containsExactly(
            EntrySpec.of(id(c.path().get()), NODE, podSelectors("NAMESPACE", "PODNAME")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          one domain                 | example.org                     | example.org
          several, spaces trimmed    | 'example.org, other.org'        | example.org other.org
          duplicates and empties     | 'a.org,,a.org , '               | a.org
          a SPIFFE ID form           | spiffe://example.org            | example.org
          """)
  void createsFederatedPodEntries(String name, String annotation, String expected) {
    ObjectNode pod =
        Reviews.pod(
            "NAMESPACE", "PODNAME", "SA", Map.of(), Map.of("spiffe.io/federatesWith", annotation));
    assertThat(send(Reviews.podReview(V1, "u", "CREATE", pod)).status()).isEqualTo(200);
    assertThat(store.entries().get(0).spec().federatesWith())
        .extracting(TrustDomain::name)
        .containsExactlyInAnyOrder(expected.split(" "));
  }

  @Test
  void treatsAnExistingPodEntryAsCreated() {
    ObjectNode review = Reviews.podReview(V1, "u", "CREATE", Reviews.pod("ns", "web-0"));
    assertThat(send(review).status()).isEqualTo(200);
    assertThat(send(review).status()).isEqualTo(200);
    assertThat(store.entries()).hasSize(1);
  }

  @Test
  void takesTheNamespaceFromThePodObject() {
    ObjectNode review = Reviews.podReview(V1, "u", "CREATE", Reviews.pod("from-pod", "web-0"));
    ((ObjectNode) review.get("request")).put("namespace", "from-request");
    send(review);
    assertThat(store.entries().get(0).spiffeId()).isEqualTo(id("/ns/from-pod/sa/SERVICEACCOUNT"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          label value with a space  | spire-workload | '' | a b  | Internal error occurred: unable to determine spiffeID: Pod ns/web-0: pod label "spire-workload" value "a b": path segment characters are limited to letters, numbers, dots, dashes, and underscores
          empty label value         | spire-workload | '' | ''   | Internal error occurred: unable to determine spiffeID: Pod ns/web-0: pod label "spire-workload" value "": path cannot have a trailing slash
          """)
  void answers500ForAPodWhoseIdIsInvalid(
      String name, String label, String annotation, String value, String body) {
    ObjectNode pod = Reviews.pod("ns", "web-0", "sa", Map.of(label, value), Map.of());
    HttpReply r =
        send(Reviews.config(label, annotation), Reviews.podReview(V1, "u", "CREATE", pod));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.bodyText()).isEqualTo(body + "\n");
    assertThat(store.entries()).isEmpty();
  }

  @Test
  void answers500ForAnInvalidFederationAnnotation() {
    ObjectNode pod =
        Reviews.pod("ns", "web-0", "sa", Map.of(), Map.of("spiffe.io/federatesWith", "Bad Domain"));
    HttpReply r = send(Reviews.podReview(V1, "u", "CREATE", pod));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.bodyText())
        .startsWith(
            "Internal error occurred: unable to determine federated trust domains: Pod ns/web-0:"
                + " annotation \"spiffe.io/federatesWith\": invalid federated trust domain"
                + " \"Bad Domain\": ");
    assertThat(store.entries()).isEmpty();
  }

  @Test
  void answers500WhenThePodCannotBeRead() {
    ObjectNode review = Reviews.podReview(V1, "u", "CREATE", Reviews.pod("ns", "web-0"));
    ((ObjectNode) review.get("request")).put("object", "POD");
    HttpReply r = send(review);
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.bodyText())
        .isEqualTo(
            "Internal error occurred: unable to unmarshal v1/Pod object: expected an object, got"
                + " a string\n");
  }

  @Test
  void answers500WhenSpireRejectsTheEntry() {
    store.failItems(s -> true, EntryResult.Code.INVALID_ARGUMENT, "failed to create entry: bad");
    HttpReply r = send(Reviews.podReview(V1, "u", "CREATE", Reviews.pod("ns", "web-0")));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.bodyText())
        .isEqualTo(
            "Internal error occurred: rpc error: code = InvalidArgument desc = failed to create"
                + " entry: bad\n");
  }

  @Test
  void answers500WhenSpireIsUnreachable() {
    store.setUnavailable(true);
    HttpReply r = send(Reviews.podReview(V1, "u", "CREATE", Reviews.pod("ns", "web-0")));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.bodyText())
        .isEqualTo("Internal error occurred: in-memory entry store: create failed: unavailable\n");
  }

  @Test
  void answers500WhenTheFederatedBundleIsUnknownToSpire() {
    store.checkFederatedBundles(true);
    ObjectNode pod =
        Reviews.pod(
            "ns", "web-0", "sa", Map.of(), Map.of("spiffe.io/federatesWith", "partner.org"));
    HttpReply r = send(Reviews.podReview(V1, "u", "CREATE", pod));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.bodyText())
        .contains(InMemoryEntryStore.missingBundleMessage(new TrustDomain("partner.org")));
  }

  @Test
  void writesNothingForADryRunCreate() {
    ObjectNode review = Reviews.podReview(V1, "u", "CREATE", Reviews.pod("ns", "web-0"));
    ((ObjectNode) review.get("request")).put("dryRun", true);
    assertThat(send(review).status()).isEqualTo(200);
    assertThat(store.writeCalls()).isZero();
  }

  @Test
  void decidesADryRunCreateAsTheRealOne() {
    ObjectNode review = Reviews.podReview(V1, "u", "CREATE", Reviews.pod("ns", "web-0"));
    ((ObjectNode) review.get("request")).put("dryRun", true);
    // Not a valid ID path segment: the real CREATE would be answered 500.
    ((ObjectNode) review.get("request").get("object").get("spec")).put("serviceAccountName", "a b");
    assertThat(send(review).status()).isEqualTo(500);
  }

  @Test
  void givesAPodWithoutServiceAccountTheDefaultOne() {
    ObjectNode pod = Reviews.pod("ns", "web-0");
    ((ObjectNode) pod.get("spec")).remove("serviceAccountName");
    assertThat(send(Reviews.podReview(V1, "u", "CREATE", pod)).status()).isEqualTo(200);
    assertThat(store.entries())
        .extracting(Entry::spiffeId)
        .containsExactly(id("/ns/ns/sa/default"));
  }

  // --- DELETE ---

  @Test
  void deletesThePodEntryWhenThePodIsDeleted() {
    send(Reviews.podReview(V1, "c", "CREATE", Reviews.pod("ns", "web-0")));
    send(Reviews.podReview(V1, "c", "CREATE", Reviews.pod("ns", "web-1")));
    HttpReply r = send(Reviews.podReview(V1, "d", "DELETE", Reviews.pod("ns", "web-0")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo(allowed("d"));
    assertThat(store.entries())
        .extracting(e -> e.spec().selectors())
        .containsExactly(podSelectors("ns", "web-1"));
  }

  @Test
  void neverDeletesForeignEntriesWithThePodsSelectors() {
    List<Selector> selectors = podSelectors("ns", "web-0");
    Entry foreignParent = seed(id("/other/workload"), id("/some/other/node"), selectors);
    Entry nodeChildPrefix = seed(id("/ns/ns/sa/SERVICEACCOUNT"), id(NODE.path() + "X"), selectors);
    Entry moreSelectors =
        seed(
            id("/ns/ns/sa/SERVICEACCOUNT"),
            NODE,
            List.of(selectors.get(0), selectors.get(1), Selector.k8s("sa:SERVICEACCOUNT")));
    Entry ours = seed(id("/ns/ns/sa/SERVICEACCOUNT"), NODE, selectors);
    Entry oursToo = seed(id("/old/label/value"), NODE, selectors);

    HttpReply r = send(Reviews.podReview(V1, "d", "DELETE", Reviews.pod("ns", "web-0")));

    assertThat(r.status()).isEqualTo(200);
    assertThat(store.entries())
        .containsExactlyInAnyOrder(foreignParent, nodeChildPrefix, moreSelectors)
        .doesNotContain(ours, oursToo);
  }

  @Test
  void deletesByTheRequestNamesNotTheOldObject() {
    send(Reviews.podReview(V1, "c", "CREATE", Reviews.pod("ns", "web-0")));
    ObjectNode review = Reviews.podReview(V1, "d", "DELETE", Reviews.pod("ns", "web-0"));
    ((ObjectNode) review.get("request")).remove("oldObject");
    assertThat(send(review).status()).isEqualTo(200);
    assertThat(store.entries()).isEmpty();
  }

  @Test
  void allowsTheDeleteOfAPodWithoutEntry() {
    HttpReply r = send(Reviews.podReview(V1, "d", "DELETE", Reviews.pod("ns", "web-0")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(store.calls("delete")).isZero();
  }

  @Test
  void writesNothingForADryRunDelete() {
    send(Reviews.podReview(V1, "c", "CREATE", Reviews.pod("ns", "web-0")));
    ObjectNode review = Reviews.podReview(V1, "d", "DELETE", Reviews.pod("ns", "web-0"));
    ((ObjectNode) review.get("request")).put("dryRun", true);
    assertThat(send(review).status()).isEqualTo(200);
    assertThat(store.entries()).hasSize(1);
  }

  @Test
  void answers500WhenEntriesCannotBeListed() {
    store.setUnavailable(true);
    HttpReply r = send(Reviews.podReview(V1, "d", "DELETE", Reviews.pod("ns", "web-0")));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.bodyText())
        .isEqualTo(
            "Internal error occurred: unable to list pod entries: in-memory entry store: list"
                + " failed: unavailable\n");
  }

  @Test
  void answers500NamingEachEntryThatCouldNotBeDeleted() {
    Entry e = seed(id("/ns/ns/sa/SERVICEACCOUNT"), NODE, podSelectors("ns", "web-0"));
    store.failItems(s -> true, EntryResult.Code.INTERNAL, "datastore locked");
    HttpReply r = send(Reviews.podReview(V1, "d", "DELETE", Reviews.pod("ns", "web-0")));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.bodyText())
        .isEqualTo(
            "Internal error occurred: unable to delete entry \""
                + e.id()
                + "\": rpc error: code = Internal desc = datastore locked\n");
  }

  @Test
  void allowsADeleteWithoutNameAndTouchesNothing() {
    seed(id("/ns/ns/sa/SERVICEACCOUNT"), NODE, podSelectors("ns", "web-0"));
    ObjectNode review = Reviews.review(V1, "d", "", "v1", "Pod", "DELETE", "ns", "");
    assertThat(send(review).status()).isEqualTo(200);
    assertThat(store.entries()).hasSize(1);
    assertThat(store.calls("list")).isZero();
  }

  // --- the review itself ---

  @Test
  void answers400ToAReviewWithoutRequest() {
    HttpReply r =
        new AdmissionReviewHandler(new AdmissionReviewCodec(), admission(Reviews.config("", "")))
            .handle(
                "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\"}".getBytes());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.bodyText()).isEqualTo("Malformed JSON body: AdmissionReview has no request\n");
  }

  @Test
  void answersAV1beta1ReviewInV1beta1() {
    HttpReply r =
        send(Reviews.podReview("admission.k8s.io/v1beta1", "b1", "CREATE", Reviews.pod("ns", "p")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText())
        .isEqualTo(
            "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1beta1\","
                + "\"response\":{\"uid\":\"b1\",\"allowed\":true}}");
    assertThat(store.entries()).hasSize(1);
  }
}
