package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.kubernetes.testing.ValidatingWebhookTest.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Which requests a webhook's rules, namespace selector and object selector send to it. */
class WebhookMatchingTest {
  private static TestPki pki;
  private static TestWebhookServer webhook;
  private KubernetesApiStandIn standIn;

  @BeforeAll
  static void startWebhook() {
    pki = TestPki.create("webhook-ca");
    webhook = TestWebhookServer.start(pki.serverContext(pki.server("127.0.0.1")), false);
  }

  @AfterAll
  static void stopWebhook() {
    webhook.close();
  }

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
    // Seeded, so not admitted: only the request under test reaches the webhook.
    standIn.create(
        "/api/v1/namespaces",
        Map.of("metadata", Map.of("name", "prod", "labels", Map.of("env", "prod"))));
    standIn.create(
        "/api/v1/namespaces/default/pods",
        Map.of("metadata", Map.of("name", "old", "labels", Map.of("app", "web"))));
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  /** A request made through the API. */
  enum Action {
    CREATE_POD("POST", "/api/v1/namespaces/default/pods", pod("web-0", "default")),
    CREATE_POD_IN_PROD("POST", "/api/v1/namespaces/prod/pods", pod("web-0", "prod")),
    CREATE_POD_IN_KUBE_SYSTEM(
        "POST", "/api/v1/namespaces/kube-system/pods", pod("web-0", "kube-system")),
    DELETE_POD("DELETE", "/api/v1/namespaces/default/pods/old", null),
    PATCH_POD_STATUS(
        "PATCH",
        "/api/v1/namespaces/default/pods/old/status",
        "{\"status\":{\"phase\":\"Running\"}}"),
    UNLABEL_POD(
        "PATCH",
        "/api/v1/namespaces/default/pods/old",
        "{\"metadata\":{\"labels\":{\"app\":null}}}"),
    CREATE_NAMESPACE(
        "POST",
        "/api/v1/namespaces",
        "{\"metadata\":{\"name\":\"new\",\"labels\":{\"team\":\"a\"}}}");

    final String method;
    final String path;
    final String body;

    Action(String method, String path, String body) {
      this.method = method;
      this.path = path;
      this.body = body;
    }

    private static String pod(String name, String namespace) {
      return "{\"metadata\":{\"name\":\""
          + name
          + "\",\"namespace\":\""
          + namespace
          + "\",\"labels\":{\"app\":\"web\"}}}";
    }
  }

  record Case(
      String name,
      String rule,
      String namespaceSelector,
      String objectSelector,
      Action action,
      boolean called) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String PODS =
      "{operations: [CREATE], apiGroups: [''], apiVersions: [v1], resources: [pods]}";

  static Stream<Case> cases() {
    return Stream.of(
        new Case("a pod rule matches a pod create", PODS, "{}", "{}", Action.CREATE_POD, true),
        new Case(
            "a CREATE rule does not match a delete", PODS, "{}", "{}", Action.DELETE_POD, false),
        new Case(
            "operation * matches a delete",
            "{operations: ['*'], apiGroups: [''], apiVersions: [v1], resources: [pods]}",
            "{}",
            "{}",
            Action.DELETE_POD,
            true),
        new Case(
            "resource * matches pods",
            "{operations: [CREATE], apiGroups: [''], apiVersions: [v1], resources: ['*']}",
            "{}",
            "{}",
            Action.CREATE_POD,
            true),
        new Case(
            "resource * does not match a subresource",
            "{operations: [UPDATE], apiGroups: [''], apiVersions: [v1], resources: ['*']}",
            "{}",
            "{}",
            Action.PATCH_POD_STATUS,
            false),
        new Case(
            "pods/status matches the status subresource",
            "{operations: [UPDATE], apiGroups: [''], apiVersions: [v1], resources: [pods/status]}",
            "{}",
            "{}",
            Action.PATCH_POD_STATUS,
            true),
        new Case(
            "pods/status does not match pods",
            "{operations: ['*'], apiGroups: [''], apiVersions: [v1], resources: [pods/status]}",
            "{}",
            "{}",
            Action.CREATE_POD,
            false),
        new Case(
            "*/* matches subresources",
            "{operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*']}",
            "{}",
            "{}",
            Action.PATCH_POD_STATUS,
            true),
        new Case(
            "another group does not match",
            "{operations: ['*'], apiGroups: [spiffeid.spiffe.io], apiVersions: ['*'], resources:"
                + " ['*']}",
            "{}",
            "{}",
            Action.CREATE_POD,
            false),
        new Case(
            "a version that is not served does not match",
            "{operations: ['*'], apiGroups: [''], apiVersions: [v2], resources: [pods]}",
            "{}",
            "{}",
            Action.CREATE_POD,
            false),
        new Case(
            "scope Cluster does not match a pod",
            "{operations: ['*'], apiGroups: [''], apiVersions: [v1], resources: ['*'], scope:"
                + " Cluster}",
            "{}",
            "{}",
            Action.CREATE_POD,
            false),
        new Case(
            "scope Cluster matches a namespace",
            "{operations: ['*'], apiGroups: [''], apiVersions: [v1], resources: [namespaces],"
                + " scope: Cluster}",
            "{}",
            "{}",
            Action.CREATE_NAMESPACE,
            true),
        new Case(
            "scope Namespaced does not match a namespace",
            "{operations: ['*'], apiGroups: [''], apiVersions: [v1], resources: [namespaces],"
                + " scope: Namespaced}",
            "{}",
            "{}",
            Action.CREATE_NAMESPACE,
            false),
        new Case(
            "a namespace selector matches the namespace's labels",
            PODS,
            "{matchLabels: {env: prod}}",
            "{}",
            Action.CREATE_POD_IN_PROD,
            true),
        new Case(
            "a namespace selector skips other namespaces",
            PODS,
            "{matchLabels: {env: prod}}",
            "{}",
            Action.CREATE_POD,
            false),
        new Case(
            "every namespace has its metadata.name label",
            PODS,
            "{matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values:"
                + " [kube-system]}]}",
            "{}",
            Action.CREATE_POD_IN_KUBE_SYSTEM,
            false),
        new Case(
            "a NotIn namespace selector matches the others",
            PODS,
            "{matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values:"
                + " [kube-system]}]}",
            "{}",
            Action.CREATE_POD,
            true),
        new Case(
            "a namespace is matched by its own labels",
            "{operations: ['*'], apiGroups: [''], apiVersions: [v1], resources: [namespaces]}",
            "{matchLabels: {team: a}}",
            "{}",
            Action.CREATE_NAMESPACE,
            true),
        new Case(
            "an object selector matches the object's labels",
            PODS,
            "{}",
            "{matchLabels: {app: web}}",
            Action.CREATE_POD,
            true),
        new Case(
            "an object selector skips other objects",
            PODS,
            "{}",
            "{matchExpressions: [{key: app, operator: In, values: [db]}]}",
            Action.CREATE_POD,
            false),
        new Case(
            "an object selector matches the old object's labels on update",
            "{operations: [UPDATE], apiGroups: [''], apiVersions: [v1], resources: [pods]}",
            "{}",
            "{matchLabels: {app: web}}",
            Action.UNLABEL_POD,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matching(Case c) throws Exception {
    int before = webhook.reviews().size();
    ObjectNode hook = TestWebhookServer.JSON.createObjectNode();
    hook.put("name", "matching.example.org");
    hook.putObject("clientConfig").put("url", webhook.url("/")).put("caBundle", pki.caBundle());
    hook.putArray("rules").add(json(c.rule()));
    hook.set("namespaceSelector", json(c.namespaceSelector()));
    hook.set("objectSelector", json(c.objectSelector()));
    hook.put("sideEffects", "None");
    hook.putArray("admissionReviewVersions").add("v1");
    ValidatingWebhookTest.Http.Response configured =
        ValidatingWebhookTest.Http.send(
            standIn,
            "POST",
            ValidatingWebhookTest.CONFIGS,
            ValidatingWebhookTest.config("matching", hook).toString());
    assertThat(configured.status()).as(configured.body().toString()).isEqualTo(201);

    ValidatingWebhookTest.Http.Response response =
        ValidatingWebhookTest.Http.send(
            standIn,
            c.action().method,
            c.action().path,
            c.action().body,
            "Content-Type",
            c.action().method.equals("PATCH")
                ? "application/merge-patch+json"
                : "application/json");

    assertThat(response.status()).as(response.body().toString()).isBetween(200, 201);
    assertThat(webhook.reviews().size() - before).isEqualTo(c.called() ? 1 : 0);
  }
}
