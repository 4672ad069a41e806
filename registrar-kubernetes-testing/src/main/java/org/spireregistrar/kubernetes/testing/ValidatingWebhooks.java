package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's ValidatingAdmissionWebhook plugin: for each write, every webhook of every stored
 * {@code ValidatingWebhookConfiguration} (configurations by name, webhooks in order) whose rules,
 * namespace selector and object selector match is called with an {@code AdmissionReview}; the first
 * denial or failed call (with {@code failurePolicy: Fail}) fails the write with the real server's
 * {@code Status}.
 *
 * <p>Unlike the real server, webhooks are called one after another rather than in parallel (so the
 * first failure in configuration order is the one reported), and an object matched through {@code
 * matchPolicy: Equivalent} in another version is sent as stored, not converted.
 */
final class ValidatingWebhooks {
  private static final Logger LOG = LoggerFactory.getLogger(ValidatingWebhooks.class);

  /** What the API server never sends to webhooks: the webhook configurations themselves. */
  private static final String EXEMPT_GROUP = "admissionregistration.k8s.io";

  private final ObjectStore store;
  private final Registry registry;
  private final WebhookTransport transport;

  ValidatingWebhooks(ObjectStore store, Registry registry, WebhookTransport transport) {
    this.store = store;
    this.registry = registry;
    this.transport = transport;
  }

  /**
   * The admission of one request, with the webhooks configured now.
   *
   * @param user who asks
   * @param options the request's {@code CreateOptions}/{@code UpdateOptions}/{@code DeleteOptions}
   *     fields (e.g. {@code fieldManager}, {@code propagationPolicy}); the kind is added per
   *     operation
   */
  Admission admission(UserInfo user, ObjectNode options) {
    List<Hook> hooks = new ArrayList<>();
    for (ObjectNode config : store.list(ResourceType.VALIDATING_WEBHOOK_CONFIGURATIONS)) {
      for (JsonNode webhook : config.path("webhooks")) {
        hooks.add(new Hook(webhook));
      }
    }
    return hooks.isEmpty() ? Admission.NONE : new RequestAdmission(hooks, user, options);
  }

  /** One webhook of a configuration, as stored (defaulted and validated). */
  private record Hook(JsonNode spec) {
    String name() {
      return spec.path("name").asText();
    }

    boolean ignoresFailures() {
      return spec.path("failurePolicy").asText().equals("Ignore");
    }
  }

  private final class RequestAdmission implements Admission {
    private final List<Hook> hooks;
    private final UserInfo user;
    private final ObjectNode options;
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    RequestAdmission(List<Hook> hooks, UserInfo user, ObjectNode options) {
      this.hooks = hooks;
      this.user = user;
      this.options = options == null ? Json.object() : options;
    }

    @Override
    public boolean active() {
      return true;
    }

    @Override
    public List<String> warnings() {
      return List.copyOf(warnings);
    }

    @Override
    public void validate(Request request) {
      if (request.type().group().equals(EXEMPT_GROUP)) {
        return;
      }
      for (Hook hook : hooks) {
        Optional<ResourceType> as = matchingType(hook.spec(), request);
        if (as.isPresent()
            && namespaceMatches(hook.spec(), request)
            && objectMatches(hook.spec(), request)) {
          call(hook, as.get(), request);
        }
      }
    }

    private void call(Hook hook, ResourceType as, Request request) {
      String version = reviewVersion(hook.spec());
      String uid = UUID.randomUUID().toString();
      ObjectNode review = review(version, uid, as, request);
      WebhookTransport.Response response;
      try {
        response =
            transport.post(
                hook.spec().path("clientConfig"),
                Json.bytes(review),
                hook.spec().path("timeoutSeconds").asInt(10));
      } catch (WebhookTransport.CallFailure e) {
        failed(hook, "failed to call webhook: " + e.getMessage());
        return;
      }
      if (response.status() < 200 || response.status() > 299) {
        failed(hook, "failed to call webhook: " + httpError(response));
        return;
      }
      JsonNode answer;
      try {
        answer = Json.MAPPER.readTree(response.body());
      } catch (JsonProcessingException e) {
        failed(
            hook,
            "failed to call webhook: couldn't get version/kind; json parse error: "
                + e.getOriginalMessage());
        return;
      } catch (IOException e) {
        failed(hook, "failed to call webhook: " + e.getMessage());
        return;
      }
      String invalid = invalidResponse(version, uid, answer);
      if (invalid != null) {
        failed(hook, "received invalid webhook response: " + invalid);
        return;
      }
      JsonNode result = answer.get("response");
      for (JsonNode warning : result.path("warnings")) {
        warnings.add(warning.asText());
      }
      if (!result.path("allowed").asBoolean(false)) {
        throw denial(hook.name(), result.get("status"));
      }
    }

    private void failed(Hook hook, String why) {
      String message = "failed calling webhook \"" + hook.name() + "\": " + why;
      if (hook.ignoresFailures()) {
        LOG.warn("Failed calling webhook, failing open {}: {}", hook.name(), message);
        return;
      }
      LOG.warn("Failed calling webhook, failing closed {}: {}", hook.name(), message);
      throw ApiStatusException.internalError(message);
    }

    private ObjectNode review(String version, String uid, ResourceType as, Request r) {
      ObjectNode review = Json.object();
      review.put("kind", "AdmissionReview");
      review.put("apiVersion", "admission.k8s.io/" + version);
      ObjectNode req = review.putObject("request");
      req.put("uid", uid);
      req.set("kind", gvk(as));
      req.set("resource", gvr(as));
      if (!r.subresource().isEmpty()) {
        req.put("subResource", r.subresource());
      }
      req.set("requestKind", gvk(r.type()));
      req.set("requestResource", gvr(r.type()));
      if (!r.subresource().isEmpty()) {
        req.put("requestSubResource", r.subresource());
      }
      req.put("name", r.name());
      if (!r.namespace().isEmpty()) {
        req.put("namespace", r.namespace());
      }
      req.put("operation", r.operation());
      ObjectNode userInfo = req.putObject("userInfo");
      userInfo.put("username", user.username());
      ArrayNode groups = userInfo.putArray("groups");
      user.groups().forEach(groups::add);
      req.set("object", r.object() == null ? Json.MAPPER.nullNode() : r.object());
      req.set("oldObject", r.oldObject() == null ? Json.MAPPER.nullNode() : r.oldObject());
      req.put("dryRun", r.dryRun());
      ObjectNode opts = Json.object();
      opts.put(
          "kind",
          switch (r.operation()) {
            case "CREATE" -> "CreateOptions";
            case "DELETE" -> "DeleteOptions";
            default -> "UpdateOptions";
          });
      opts.put("apiVersion", "meta.k8s.io/v1");
      opts.setAll(options);
      if (r.dryRun()) {
        opts.putArray("dryRun").add("All");
      }
      req.set("options", opts);
      return review;
    }
  }

  // ---------------------------------------------------------------- matching

  /**
   * The type a webhook's rules match the request as: the request's own, or with {@code matchPolicy:
   * Equivalent} the same resource in another served version.
   */
  private Optional<ResourceType> matchingType(JsonNode hook, Admission.Request r) {
    if (anyRuleMatches(hook, r, r.type())) {
      return Optional.of(r.type());
    }
    if (hook.path("matchPolicy").asText("Equivalent").equals("Equivalent")) {
      for (ResourceType t : registry.all()) {
        if (t.group().equals(r.type().group())
            && t.plural().equals(r.type().plural())
            && !t.version().equals(r.type().version())
            && anyRuleMatches(hook, r, t)) {
          return Optional.of(t);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean anyRuleMatches(JsonNode hook, Admission.Request r, ResourceType as) {
    for (JsonNode rule : hook.path("rules")) {
      if (scopeMatches(rule.path("scope").asText("*"), r)
          && containsOrStar(rule.path("operations"), r.operation())
          && containsOrStar(rule.path("apiGroups"), as.group())
          && containsOrStar(rule.path("apiVersions"), as.version())
          && resourceMatches(rule.path("resources"), as.plural(), r.subresource())) {
        return true;
      }
    }
    return false;
  }

  private static boolean scopeMatches(String scope, Admission.Request r) {
    // A Namespace object is cluster-scoped, though its requests carry its name as namespace.
    boolean namespaceObject = r.type().equals(ResourceType.NAMESPACES) && r.subresource().isEmpty();
    return switch (scope) {
      case "Namespaced" -> !namespaceObject && r.type().namespaced();
      case "Cluster" -> namespaceObject || !r.type().namespaced();
      default -> true;
    };
  }

  private static boolean containsOrStar(JsonNode values, String value) {
    for (JsonNode v : values) {
      if (v.asText().equals("*") || v.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** {@code *} matches every resource but no subresource; {@code x/*} and {@code * /y} likewise. */
  private static boolean resourceMatches(JsonNode resources, String resource, String subresource) {
    for (JsonNode r : resources) {
      String text = r.asText();
      int slash = text.indexOf('/');
      String res = slash < 0 ? text : text.substring(0, slash);
      String sub = slash < 0 ? "" : text.substring(slash + 1);
      if ((res.equals("*") || res.equals(resource))
          && (sub.equals("*") || sub.equals(subresource))) {
        return true;
      }
    }
    return false;
  }

  private boolean namespaceMatches(JsonNode hook, Admission.Request r) {
    LabelSelector selector = LabelSelector.of(hook.path("namespaceSelector"));
    if (selector.isEverything()) {
      return true;
    }
    if (r.type().equals(ResourceType.NAMESPACES) && r.subresource().isEmpty()) {
      ObjectNode ns = r.object() != null ? r.object() : r.oldObject();
      return selector.matches(namespaceLabels(r.name(), ns));
    }
    if (!r.type().namespaced()) {
      return true; // other cluster-scoped objects are never skipped by a namespace selector
    }
    ObjectNode ns = store.find(ResourceType.NAMESPACES, "", r.namespace()).orElse(null);
    return selector.matches(namespaceLabels(r.namespace(), ns));
  }

  /**
   * A namespace's labels as the real server has them: every namespace carries {@code
   * kubernetes.io/metadata.name}, which the stand-in does not store; a namespace object that does
   * not exist has only that label.
   */
  private static ObjectNode namespaceLabels(String name, ObjectNode namespace) {
    ObjectNode labels = Json.object();
    if (namespace != null && namespace.path("metadata").path("labels").isObject()) {
      labels.setAll((ObjectNode) namespace.get("metadata").get("labels"));
    }
    labels.put("kubernetes.io/metadata.name", name);
    return labels;
  }

  private static boolean objectMatches(JsonNode hook, Admission.Request r) {
    LabelSelector selector = LabelSelector.of(hook.path("objectSelector"));
    if (selector.isEverything()) {
      return true;
    }
    return labelsMatch(selector, r.object()) || labelsMatch(selector, r.oldObject());
  }

  private static boolean labelsMatch(LabelSelector selector, ObjectNode object) {
    return object != null && selector.matches(object.path("metadata").get("labels"));
  }

  // ---------------------------------------------------------------- reviews and responses

  /** The first version the webhook accepts that the server knows, as the API server picks. */
  private static String reviewVersion(JsonNode hook) {
    for (JsonNode v : hook.path("admissionReviewVersions")) {
      if (v.asText().equals("v1") || v.asText().equals("v1beta1")) {
        return v.asText();
      }
    }
    return "v1"; // not reached: validation requires one of them
  }

  private static ObjectNode gvk(ResourceType type) {
    ObjectNode gvk = Json.object();
    gvk.put("group", type.group());
    gvk.put("version", type.version());
    gvk.put("kind", type.kind());
    return gvk;
  }

  private static ObjectNode gvr(ResourceType type) {
    ObjectNode gvr = Json.object();
    gvr.put("group", type.group());
    gvr.put("version", type.version());
    gvr.put("resource", type.plural());
    return gvr;
  }

  /** Why a response is not a valid answer, as the API server words it; null if it is. */
  private static String invalidResponse(String version, String uid, JsonNode answer) {
    JsonNode response = answer.get("response");
    if (response == null || !response.isObject()) {
      return "webhook response was absent";
    }
    if (version.equals("v1beta1")) {
      return null; // v1beta1 answers were never checked further
    }
    String gotUid = response.path("uid").asText("");
    if (!gotUid.equals(uid)) {
      return "expected response.uid=\"" + uid + "\", got \"" + gotUid + "\"";
    }
    String apiVersion = answer.path("apiVersion").asText("");
    String kind = answer.path("kind").asText("");
    if (!apiVersion.equals("admission.k8s.io/v1") || !kind.equals("AdmissionReview")) {
      String gv = apiVersion.contains("/") ? apiVersion : "/" + apiVersion;
      return "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got "
          + gv
          + ", Kind="
          + kind;
    }
    if (response.hasNonNull("patch") && !response.get("patch").asText("").isEmpty()) {
      return "validating webhook may not return response.patch";
    }
    if (response.hasNonNull("patchType")) {
      return "validating webhook may not return response.patchType";
    }
    return null;
  }

  /** client-go's text for an HTTP error answer that is not a Kubernetes Status. */
  private static String httpError(WebhookTransport.Response response) {
    String body = new String(response.body(), StandardCharsets.UTF_8).trim();
    try {
      JsonNode status = Json.MAPPER.readTree(body);
      if (status != null
          && status.path("kind").asText("").equals("Status")
          && !status.path("message").asText("").isEmpty()) {
        return status.get("message").asText();
      }
    } catch (IOException e) {
      // not JSON: described below
    }
    return switch (response.status()) {
      case 400 -> "the server rejected our request for an unknown reason";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "the server could not find the requested resource";
      default ->
          "an error on the server (\""
              + (body.isEmpty() ? "unknown" : body)
              + "\") has prevented the request from succeeding";
    };
  }

  /**
   * The API server's answer to a webhook's denial: the webhook's {@code status} with a code of at
   * least 400, {@code status: Failure}, and the message {@code admission webhook "<name>" denied
   * the request: <message or reason>} ({@code … without explanation} when it gave neither).
   */
  static ApiStatusException denial(String webhook, JsonNode result) {
    JsonNode given = result instanceof ObjectNode o ? o : Json.object();
    String deniedBy = "admission webhook \"" + webhook + "\" denied the request";
    String message = given.path("message").asText("");
    String reason = given.path("reason").asText("");
    ObjectNode status = Json.object();
    if (given.has("metadata")) {
      status.set("metadata", given.get("metadata"));
    }
    status.put("status", given.path("status").asText(""));
    status.put(
        "message",
        !message.isEmpty()
            ? deniedBy + ": " + message
            : !reason.isEmpty() ? deniedBy + ": " + reason : deniedBy + " without explanation");
    if (!reason.isEmpty()) {
      status.put("reason", reason);
    }
    if (given.path("details").isObject()) {
      status.set("details", given.get("details"));
    }
    int code = given.path("code").asInt(0);
    status.put("code", code < 400 ? 400 : code);
    return ApiStatusException.withStatus(status);
  }
}
