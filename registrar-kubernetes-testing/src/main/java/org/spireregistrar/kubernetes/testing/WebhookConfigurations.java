package org.spireregistrar.kubernetes.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Defaulting and validation of {@code admissionregistration.k8s.io/v1}
 * ValidatingWebhookConfigurations, as the API server does on create and update, with its field
 * error texts; so a configuration the stand-in calls is one a real cluster would accept.
 */
final class WebhookConfigurations {
  private static final Pattern THREE_SEGMENT_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?){2,}");
  private static final List<String> OPERATIONS =
      List.of("*", "CONNECT", "CREATE", "DELETE", "UPDATE");

  private WebhookConfigurations() {}

  /**
   * Fills in the v1 defaults ({@code failurePolicy: Fail}, {@code matchPolicy: Equivalent}, empty
   * selectors, {@code timeoutSeconds: 10}, rule {@code scope: "*"}, service {@code port: 443}) and
   * validates.
   *
   * @throws ApiStatusException 422 Invalid listing every field error; 400 for a caBundle that is
   *     not base64
   */
  static void defaultAndValidate(ResourceType type, ObjectNode config) {
    List<String> errors = new ArrayList<>();
    Set<String> names = new HashSet<>();
    JsonNode webhooks = config.get("webhooks");
    if (webhooks != null && !webhooks.isNull() && !webhooks.isArray()) {
      throw ApiStatusException.badRequest(
          "ValidatingWebhookConfiguration in version \"v1\" cannot be handled as a"
              + " ValidatingWebhookConfiguration: webhooks must be a list");
    }
    int i = 0;
    for (JsonNode node : webhooks == null ? List.<JsonNode>of() : webhooks) {
      String at = "webhooks[" + i++ + "]";
      if (!(node instanceof ObjectNode hook)) {
        errors.add(at + ": Invalid value: \"" + node + "\": must be an object");
        continue;
      }
      defaults(hook);
      String name = hook.path("name").asText("");
      if (name.isEmpty()) {
        errors.add(at + ".name: Required value");
      } else if (!THREE_SEGMENT_NAME.matcher(name).matches()) {
        errors.add(
            at
                + ".name: Invalid value: \""
                + name
                + "\": should be a domain with at least three segments separated by dots");
      } else if (!names.add(name)) {
        errors.add(at + ".name: Duplicate value: \"" + name + "\"");
      }
      int r = 0;
      for (JsonNode rule : hook.path("rules")) {
        rule(at + ".rules[" + r++ + "]", rule, errors);
      }
      oneOf(
          at + ".failurePolicy",
          hook.path("failurePolicy").asText(),
          List.of("Fail", "Ignore"),
          errors);
      oneOf(
          at + ".matchPolicy",
          hook.path("matchPolicy").asText(),
          List.of("Equivalent", "Exact"),
          errors);
      String sideEffects = hook.path("sideEffects").asText("");
      if (sideEffects.isEmpty()) {
        errors.add(at + ".sideEffects: Required value: must specify one of None, NoneOnDryRun");
      } else {
        oneOf(at + ".sideEffects", sideEffects, List.of("None", "NoneOnDryRun"), errors);
      }
      reviewVersions(at + ".admissionReviewVersions", hook.path("admissionReviewVersions"), errors);
      int timeout = hook.path("timeoutSeconds").asInt();
      if (timeout < 1 || timeout > 30) {
        errors.add(
            at
                + ".timeoutSeconds: Invalid value: "
                + hook.path("timeoutSeconds").asText()
                + ": the timeout value must be between 1 and 30 seconds");
      }
      clientConfig(at + ".clientConfig", hook.path("clientConfig"), errors);
      selector(at + ".namespaceSelector", hook.path("namespaceSelector"), errors);
      selector(at + ".objectSelector", hook.path("objectSelector"), errors);
    }
    if (!errors.isEmpty()) {
      String name = Json.text(config, "metadata.name");
      throw ApiStatusException.invalid(
          type, name, errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]");
    }
  }

  private static void defaults(ObjectNode hook) {
    putIfAbsent(hook, "failurePolicy", "Fail");
    putIfAbsent(hook, "matchPolicy", "Equivalent");
    if (!hook.path("namespaceSelector").isObject()) {
      hook.putObject("namespaceSelector");
    }
    if (!hook.path("objectSelector").isObject()) {
      hook.putObject("objectSelector");
    }
    if (!hook.hasNonNull("timeoutSeconds")) {
      hook.put("timeoutSeconds", 10);
    }
    for (JsonNode rule : hook.path("rules")) {
      if (rule instanceof ObjectNode r) {
        putIfAbsent(r, "scope", "*");
      }
    }
    if (hook.path("clientConfig").path("service") instanceof ObjectNode service
        && !service.hasNonNull("port")) {
      service.put("port", 443);
    }
  }

  private static void putIfAbsent(ObjectNode node, String field, String value) {
    if (node.path(field).asText("").isEmpty()) {
      node.put(field, value);
    }
  }

  private static void rule(String at, JsonNode rule, List<String> errors) {
    for (String field : List.of("operations", "apiGroups", "apiVersions", "resources")) {
      if (!(rule.get(field) instanceof ArrayNode a) || a.isEmpty()) {
        errors.add(at + "." + field + ": Required value");
      }
    }
    int o = 0;
    for (JsonNode op : rule.path("operations")) {
      oneOf(at + ".operations[" + o++ + "]", op.asText(), OPERATIONS, errors);
    }
    oneOf(
        at + ".scope", rule.path("scope").asText(), List.of("*", "Cluster", "Namespaced"), errors);
  }

  private static void reviewVersions(String at, JsonNode versions, List<String> errors) {
    if (!(versions instanceof ArrayNode a) || a.isEmpty()) {
      errors.add(at + ": Required value: must specify one of v1, v1beta1");
      return;
    }
    List<String> given = new ArrayList<>();
    versions.forEach(v -> given.add(v.asText()));
    if (!given.contains("v1") && !given.contains("v1beta1")) {
      errors.add(
          at
              + ": Invalid value: []string{"
              + String.join(", ", given.stream().map(v -> "\"" + v + "\"").toList())
              + "}: must include at least one of v1, v1beta1");
    }
  }

  private static void clientConfig(String at, JsonNode config, List<String> errors) {
    boolean hasUrl = config.hasNonNull("url");
    boolean hasService = config.hasNonNull("service");
    if (hasUrl == hasService) {
      errors.add(at + ": Required value: exactly one of url or service is required");
    } else if (hasUrl) {
      String url = config.get("url").asText();
      try {
        URI uri = new URI(url);
        if (!"https".equals(uri.getScheme())) {
          errors.add(
              at + ".url: Invalid value: \"" + url + "\": 'https' is the only allowed URL scheme");
        } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
          errors.add(at + ".url: Invalid value: \"" + url + "\": host must be specified");
        } else if (uri.getRawFragment() != null) {
          errors.add(at + ".url: Invalid value: \"" + url + "\": fragments are not permitted");
        } else if (uri.getRawQuery() != null) {
          errors.add(
              at + ".url: Invalid value: \"" + url + "\": query parameters are not permitted");
        }
      } catch (URISyntaxException e) {
        errors.add(at + ".url: Invalid value: \"" + url + "\": " + e.getReason());
      }
    } else {
      JsonNode service = config.get("service");
      if (service.path("name").asText("").isEmpty()) {
        errors.add(at + ".service.name: Required value: service name is required");
      }
      if (service.path("namespace").asText("").isEmpty()) {
        errors.add(at + ".service.namespace: Required value: service namespace is required");
      }
      String path = service.path("path").asText("");
      if (!path.isEmpty() && !path.startsWith("/")) {
        errors.add(at + ".service.path: Invalid value: \"" + path + "\": must start with a '/'");
      }
      int port = service.path("port").asInt();
      if (port < 1 || port > 65535) {
        errors.add(
            at
                + ".service.port: Invalid value: "
                + service.path("port").asText()
                + ": port is not valid: must be between 1 and 65535, inclusive");
      }
    }
    String caBundle = config.path("caBundle").asText("");
    if (!caBundle.isEmpty()) {
      try {
        Base64.getDecoder().decode(caBundle);
      } catch (IllegalArgumentException e) {
        throw ApiStatusException.badRequest(
            "ValidatingWebhookConfiguration in version \"v1\" cannot be handled as a"
                + " ValidatingWebhookConfiguration: "
                + at
                + ".caBundle: illegal base64 data: "
                + e.getMessage());
      }
    }
  }

  private static void selector(String at, JsonNode selector, List<String> errors) {
    int e = 0;
    for (JsonNode expression : selector.path("matchExpressions")) {
      String where = at + ".matchExpressions[" + e++ + "]";
      String operator = expression.path("operator").asText("");
      boolean hasValues = expression.path("values").size() > 0;
      switch (operator) {
        case "In", "NotIn" -> {
          if (!hasValues) {
            errors.add(
                where
                    + ".values: Required value: must be specified when `operator` is 'In' or"
                    + " 'NotIn'");
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (hasValues) {
            errors.add(
                where
                    + ".values: Forbidden: may not be specified when `operator` is 'Exists' or"
                    + " 'DoesNotExist'");
          }
        }
        default ->
            errors.add(
                where
                    + ".operator: Invalid value: \""
                    + operator
                    + "\": not a valid selector operator");
      }
    }
  }

  private static void oneOf(String at, String value, List<String> allowed, List<String> errors) {
    if (!allowed.contains(value)) {
      errors.add(
          at
              + ": Unsupported value: \""
              + value
              + "\": supported values: "
              + String.join(", ", allowed.stream().map(a -> "\"" + a + "\"").toList()));
    }
  }
}
