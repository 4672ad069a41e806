package org.spireregistrar.kubernetes;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import io.kubernetes.client.openapi.models.V1SubjectAccessReviewStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.GoQuote;

/**
 * The start-up check that the registrar's Kubernetes identity may make every request its mode makes
 * ({@link RequiredPermissions}): one {@code SelfSubjectAccessReview} ({@code
 * authorization.k8s.io/v1}) per permission, before any informer starts, so a missing RBAC rule is
 * one clear error at start instead of a watch that fails forever.
 *
 * <p>When the review itself cannot be made (the API server refuses {@code create
 * selfsubjectaccessreviews}, does not serve it, or cannot be reached), the check says so and the
 * registrar starts anyway: the API server still enforces RBAC, and a missing permission then shows
 * as a failing watch in {@code /readyz} and the log. Every authenticated user may create
 * SelfSubjectAccessReviews in a default cluster ({@code system:basic-user}).
 */
public final class PermissionSelfCheck {
  private static final Logger log = LoggerFactory.getLogger(PermissionSelfCheck.class);

  /** What the check found. */
  public sealed interface Outcome {
    /** Every permission is granted. */
    record Granted(int checked) implements Outcome {}

    /** These permissions are not granted (in the order they were asked about). */
    record Missing(List<Permission> missing) implements Outcome {
      public Missing {
        missing = List.copyOf(missing);
      }
    }

    /** The reviews could not be made; {@code reason} says why. Nothing is known. */
    record Unchecked(String reason) implements Outcome {}
  }

  private PermissionSelfCheck() {}

  /**
   * Asks the API server, for each permission, whether this client may use it.
   *
   * @param namespace the registrar's namespace, for {@link Permission.Scope#NAMESPACE}
   */
  public static Outcome check(ApiClient client, List<Permission> required, String namespace) {
    Objects.requireNonNull(namespace, "namespace");
    AuthorizationV1Api api = new AuthorizationV1Api(client);
    List<Permission> missing = new ArrayList<>();
    for (Permission p : required) {
      V1SelfSubjectAccessReview review =
          new V1SelfSubjectAccessReview()
              .apiVersion("authorization.k8s.io/v1")
              .kind("SelfSubjectAccessReview")
              .spec(
                  new V1SelfSubjectAccessReviewSpec()
                      .resourceAttributes(
                          new V1ResourceAttributes()
                              .verb(p.verb())
                              .group(p.group())
                              .resource(p.resource())
                              .subresource(p.subresource())
                              .namespace(
                                  p.scope() == Permission.Scope.NAMESPACE ? namespace : "")));
      V1SubjectAccessReviewStatus status;
      try {
        status = api.createSelfSubjectAccessReview(review).execute().getStatus();
      } catch (ApiException e) {
        return new Outcome.Unchecked(reason(e));
      } catch (RuntimeException e) {
        // A response the client cannot read; nothing is known.
        return new Outcome.Unchecked(
            "SelfSubjectAccessReview failed: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      }
      if (status == null) {
        return new Outcome.Unchecked("SelfSubjectAccessReview answered without a status");
      }
      if (!Boolean.TRUE.equals(status.getAllowed())) {
        missing.add(p);
      }
    }
    return missing.isEmpty() ? new Outcome.Granted(required.size()) : new Outcome.Missing(missing);
  }

  /**
   * {@link #check}, then: granted is logged; missing permissions fail start-up, all named at once;
   * a check that could not be made is a warning and start-up goes on.
   *
   * @param rbacFile the manifest that grants these permissions, named in the message
   * @throws KubernetesSetupException {@code missing permission: list pods (cluster-wide) — see
   *     deploy/reconcile/rbac.yaml}, one line per missing permission
   */
  public static void requireGranted(
      ApiClient client, List<Permission> required, String namespace, String rbacFile) {
    if (required.isEmpty()) {
      return;
    }
    Outcome outcome = check(client, required, namespace);
    if (outcome instanceof Outcome.Missing m) {
      throw new KubernetesSetupException(message(m, namespace, rbacFile));
    }
    if (outcome instanceof Outcome.Unchecked u) {
      log.warn(
          "Could not check the Kubernetes permissions this mode needs ({}); starting anyway."
              + " A missing one will show as a failing watch in /readyz and the log; see {}",
          u.reason(),
          rbacFile);
    } else {
      log.info(
          "Kubernetes permissions checked: all {} this mode needs are granted", required.size());
    }
  }

  /** The start-up error: a header, then one line per missing permission. */
  private static String message(Outcome.Missing missing, String namespace, String rbacFile) {
    StringBuilder out = new StringBuilder();
    int n = missing.missing().size();
    out.append("the registrar's Kubernetes identity lacks ")
        .append(n)
        .append(n == 1 ? " permission" : " permissions")
        .append(" its mode needs (checked with SelfSubjectAccessReview):");
    for (Permission p : missing.missing()) {
      out.append("\nmissing permission: ")
          .append(p.describe(namespace))
          .append(" — see ")
          .append(rbacFile);
    }
    return out.toString();
  }

  private static String reason(ApiException e) {
    if (e.getCode() == 0) {
      return "SelfSubjectAccessReview failed: "
          + (e.getMessage() == null ? "no response" : e.getMessage());
    }
    String body = e.getResponseBody() == null ? "" : e.getResponseBody().strip();
    if (body.length() > 300) {
      body = body.substring(0, 300) + "…";
    }
    return "SelfSubjectAccessReview answered HTTP "
        + e.getCode()
        + (body.isEmpty() ? "" : " " + GoQuote.quote(body));
  }
}
