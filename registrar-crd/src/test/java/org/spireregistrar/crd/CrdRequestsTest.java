package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.kubernetes.Permission;
import org.spireregistrar.kubernetes.RequiredPermissions;
import org.spireregistrar.kubernetes.testing.ResourceType;
import org.spireregistrar.kubernetes.testing.StandInRequest;

/**
 * {@link RequiredPermissions} for crd mode is what crd mode really asks the API server: a run with
 * the pod controller, Service DNS names and leader election that creates SpiffeIDs, sets their
 * status, repairs one and deletes one makes exactly the listed kinds of request.
 */
class CrdRequestsTest extends CrdModeFixture {

  private Set<Permission> observed() {
    List<StandInRequest> requests =
        k8s.requests().stream().filter(StandInRequest::isResourceRequest).toList();
    return requests.stream()
        .map(
            r ->
                new Permission(
                    r.verb(),
                    r.group(),
                    r.resource(),
                    r.subresource(),
                    // Pod SpiffeIDs live in the pods' namespaces: only leases are namespace-scoped.
                    r.resource().equals("leases")
                        ? Permission.Scope.NAMESPACE
                        : Permission.Scope.CLUSTER))
        .collect(Collectors.toSet());
  }

  @Test
  void requestsAreExactlyTheRequiredPermissions() throws Exception {
    startSpire(false);
    node("n1");
    pod("default", "web-0", "n1", Map.of("spire", "true"));
    RegistrarConfig config = config("spire", true);
    CrdMode mode = startMode(config, "a");
    awaitConverged(config);

    // A generated SpiffeID changed by hand is brought back (update).
    k8s.patch(
        ResourceType.SPIFFEIDS.objectPath("default", "web-0"),
        Map.of("spec", Map.of("dnsNames", List.of("changed.example"))));
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                !spiffeId("default", "web-0").at("/spec/dnsNames").toString().contains("changed"));
    // A pod that leaves the policy loses its SpiffeID (delete).
    k8s.patch(
        ResourceType.PODS.objectPath("default", "web-0"),
        Map.of("metadata", Map.of("labels", Map.of("spire", "false"))));
    await().atMost(CONVERGE).until(() -> spiffeId("default", "web-0") == null);
    awaitConverged(config);
    stopMode(mode);

    assertThat(k8s.requests())
        .filteredOn(r -> r.resource().equals("leases"))
        .allSatisfy(r -> assertThat(r.namespace()).isEqualTo(NS));
    assertThat(observed())
        .containsExactlyInAnyOrderElementsOf(RequiredPermissions.forConfig(config));
  }
}
