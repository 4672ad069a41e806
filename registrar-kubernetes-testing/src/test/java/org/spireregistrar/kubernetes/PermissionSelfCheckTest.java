package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.kubernetes.Permission.Scope.CLUSTER;
import static org.spireregistrar.kubernetes.Permission.Scope.NAMESPACE;

import io.kubernetes.client.openapi.ApiClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.kubernetes.testing.ResourceAccess;
import org.spireregistrar.kubernetes.testing.StandInRequest;

/**
 * The start-up permission check, through the production client against the API stand-in's
 * SelfSubjectAccessReview answers.
 */
class PermissionSelfCheckTest {
  private static final String RBAC = "deploy/reconcile/rbac.yaml";

  /** What a reconcile-mode registrar with DNS names and leader election asks for. */
  private static final List<Permission> RECONCILE =
      List.of(
          Permission.of("list", "", "pods", CLUSTER),
          Permission.of("watch", "", "pods", CLUSTER),
          Permission.of("list", "", "nodes", CLUSTER),
          Permission.of("watch", "", "nodes", CLUSTER),
          Permission.of("list", "", "endpoints", CLUSTER),
          Permission.of("watch", "", "endpoints", CLUSTER),
          Permission.of("get", "coordination.k8s.io", "leases", NAMESPACE),
          Permission.of("create", "coordination.k8s.io", "leases", NAMESPACE),
          Permission.of("update", "coordination.k8s.io", "leases", NAMESPACE));

  private KubernetesApiStandIn standIn;
  private ApiClient client;

  @BeforeEach
  void start() {
    standIn = KubernetesApiStandIn.start();
    client = standIn.client();
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  @Test
  void everythingGrantedPassesAndAsksOnceForEachPermission() {
    assertThat(PermissionSelfCheck.check(client, RECONCILE, "spire"))
        .isEqualTo(new PermissionSelfCheck.Outcome.Granted(RECONCILE.size()));
    assertThatCode(() -> PermissionSelfCheck.requireGranted(client, RECONCILE, "spire", RBAC))
        .doesNotThrowAnyException();
    assertThat(standIn.requestCount("create", "selfsubjectaccessreviews"))
        .isEqualTo(2L * RECONCILE.size());
  }

  @Test
  void asksAboutTheRegistrarsNamespaceForNamespacedPermissionsAndAllNamespacesOtherwise() {
    standIn.grantOnly(
        List.of(
            ResourceAccess.of("list", "", "pods", ""),
            ResourceAccess.of("watch", "", "pods", ""),
            ResourceAccess.of("list", "", "nodes", ""),
            ResourceAccess.of("watch", "", "nodes", ""),
            ResourceAccess.of("list", "", "endpoints", ""),
            ResourceAccess.of("watch", "", "endpoints", ""),
            ResourceAccess.of("get", "coordination.k8s.io", "leases", "spire"),
            ResourceAccess.of("create", "coordination.k8s.io", "leases", "spire"),
            ResourceAccess.of("update", "coordination.k8s.io", "leases", "spire")));

    assertThat(PermissionSelfCheck.check(client, RECONCILE, "spire"))
        .isInstanceOf(PermissionSelfCheck.Outcome.Granted.class);
    assertThat(PermissionSelfCheck.check(client, RECONCILE, "elsewhere"))
        .as("leases granted in namespace spire only")
        .isEqualTo(new PermissionSelfCheck.Outcome.Missing(RECONCILE.subList(6, 9)));
  }

  @Test
  void namesEveryMissingPermissionAtOnce() {
    standIn.grantOnly(
        List.of(
            ResourceAccess.of("watch", "", "pods", ""),
            ResourceAccess.of("list", "", "nodes", ""),
            ResourceAccess.of("watch", "", "nodes", ""),
            ResourceAccess.of("list", "", "endpoints", ""),
            ResourceAccess.of("watch", "", "endpoints", ""),
            ResourceAccess.of("get", "coordination.k8s.io", "leases", "spire"),
            ResourceAccess.of("update", "coordination.k8s.io", "leases", "spire"),
            // A grant in another namespace does not count.
            ResourceAccess.of("create", "coordination.k8s.io", "leases", "default")));

    assertThatThrownBy(() -> PermissionSelfCheck.requireGranted(client, RECONCILE, "spire", RBAC))
        .isInstanceOf(KubernetesSetupException.class)
        .hasMessage(
            "the registrar's Kubernetes identity lacks 2 permissions its mode needs (checked with"
                + " SelfSubjectAccessReview):\n"
                + "missing permission: list pods (cluster-wide) — see deploy/reconcile/rbac.yaml\n"
                + "missing permission: create leases.coordination.k8s.io (namespace spire) — see"
                + " deploy/reconcile/rbac.yaml");
  }

  @Test
  void namesSubresourcesAndGroups() {
    standIn.authorize(access -> !access.subresource().equals("status"));
    List<Permission> crd =
        List.of(
            Permission.of("update", "spiffeid.spiffe.io", "spiffeids", CLUSTER),
            new Permission("update", "spiffeid.spiffe.io", "spiffeids", "status", CLUSTER));

    assertThatThrownBy(
            () -> PermissionSelfCheck.requireGranted(client, crd, "spire", "deploy/crd/rbac.yaml"))
        .hasMessageEndingWith(
            "lacks 1 permission its mode needs (checked with SelfSubjectAccessReview):\n"
                + "missing permission: update spiffeids.spiffeid.spiffe.io/status (cluster-wide)"
                + " — see deploy/crd/rbac.yaml");
  }

  @Test
  void aForbiddenReviewIsReportedAndStartUpGoesOn() {
    standIn.failRequests(r -> r.resource().equals("selfsubjectaccessreviews"), 403);

    PermissionSelfCheck.Outcome outcome = PermissionSelfCheck.check(client, RECONCILE, "spire");

    assertThat(outcome).isInstanceOf(PermissionSelfCheck.Outcome.Unchecked.class);
    assertThat(((PermissionSelfCheck.Outcome.Unchecked) outcome).reason())
        .startsWith("SelfSubjectAccessReview answered HTTP 403 ");
    assertThatCode(() -> PermissionSelfCheck.requireGranted(client, RECONCILE, "spire", RBAC))
        .as("warns and continues")
        .doesNotThrowAnyException();
    assertThat(standIn.requests().stream().filter(StandInRequest::isResourceRequest))
        .as("gives up after the first refused review")
        .hasSize(2);
  }

  @Test
  void anUnreachableApiServerIsUncheckedNotAStackTrace() {
    standIn.close();

    PermissionSelfCheck.Outcome outcome = PermissionSelfCheck.check(client, RECONCILE, "spire");

    assertThat(outcome).isInstanceOf(PermissionSelfCheck.Outcome.Unchecked.class);
    assertThat(((PermissionSelfCheck.Outcome.Unchecked) outcome).reason())
        .startsWith("SelfSubjectAccessReview failed: ");
  }

  @Test
  void webhookModeNeedsNothingAndAsksNothing() {
    PermissionSelfCheck.requireGranted(client, List.of(), "spire", "deploy/webhook/rbac.yaml");

    assertThat(standIn.requestCount()).isZero();
  }
}
