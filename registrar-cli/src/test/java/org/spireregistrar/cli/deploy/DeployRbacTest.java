package org.spireregistrar.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.kubernetes.Permission;
import org.spireregistrar.kubernetes.RequiredPermissions;

/**
 * Each base's {@code rbac.yaml} grants the registrar's service account exactly what its mode's code
 * calls for the configuration in the same base ({@link RequiredPermissions}, which the start-up
 * self-check also asks about): nothing missing, nothing more.
 */
class DeployRbacTest {
  static final String RBAC_FILE = "rbac.yaml";

  static List<JsonNode> rbacDocs(DeployBase base) {
    return base.docs().stream()
        .filter(d -> d.file().equals(RBAC_FILE))
        .map(DeployBase.Doc::node)
        .toList();
  }

  static RbacGrants grants(DeployBase base, List<JsonNode> rbac) {
    return RbacGrants.of(rbac, base.namespace() + "/" + base.serviceAccount(), base.namespace());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "webhook", "crd"})
  void rolesGrantExactlyWhatTheModeCalls(String mode) {
    DeployBase base = DeployBase.read(mode);
    RegistrarConfig config = base.config();
    List<Permission> required = RequiredPermissions.forConfig(config);

    RbacGrants grants = grants(base, rbacDocs(base));

    assertThat(grants.differences(required, base.namespace()))
        .as("deploy/%s/rbac.yaml against RequiredPermissions for its registrar.conf", mode)
        .isEmpty();
    assertThat(grants.granted()).containsExactlyInAnyOrderElementsOf(required);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"reconcile", "webhook", "crd"})
  void theRegistrarsRolesAreAllInTheFileTheSelfCheckNames(String mode) {
    DeployBase base = DeployBase.read(mode);
    List<Permission> required = RequiredPermissions.forConfig(base.config());

    assertThat(
            base.docs().stream()
                .filter(d -> d.kind().endsWith("Role") || d.kind().endsWith("RoleBinding"))
                .filter(d -> d.name().equals(DeployBase.REGISTRAR))
                .map(DeployBase.Doc::file))
        .allMatch(RBAC_FILE::equals);
    if (required.isEmpty()) {
      assertThat(base.dir().resolve(RBAC_FILE))
          .as("webhook mode needs no permissions, so it has no rbac.yaml")
          .doesNotExist();
    } else {
      assertThat(RequiredPermissions.rbacFile(base.config().mode()))
          .isEqualTo("deploy/" + mode + "/" + RBAC_FILE);
      assertThat(Files.exists(base.dir().resolve(RBAC_FILE))).isTrue();
    }
  }

  /** What a deploy base's configuration needs, as the self-check names it in namespace spire. */
  private static List<String> described(String base) {
    return RequiredPermissions.forConfig(DeployBase.read(base).config()).stream()
        .map(p -> p.describe("spire"))
        .toList();
  }

  @Test
  void webhookModeNeedsNothingReconcileAndCrdNeedTheirOwnLists() {
    assertThat(RequiredPermissions.forConfig(DeployBase.read("webhook").config())).isEmpty();
    assertThat(described("reconcile"))
        .containsExactly(
            "list pods (cluster-wide)",
            "watch pods (cluster-wide)",
            "list nodes (cluster-wide)",
            "watch nodes (cluster-wide)",
            "get leases.coordination.k8s.io (namespace spire)",
            "create leases.coordination.k8s.io (namespace spire)",
            "update leases.coordination.k8s.io (namespace spire)");
    assertThat(described("crd"))
        .containsExactly(
            "list pods (cluster-wide)",
            "watch pods (cluster-wide)",
            "list nodes (cluster-wide)",
            "watch nodes (cluster-wide)",
            "list endpoints (cluster-wide)",
            "watch endpoints (cluster-wide)",
            "list spiffeids.spiffeid.spiffe.io (cluster-wide)",
            "watch spiffeids.spiffeid.spiffe.io (cluster-wide)",
            "get spiffeids.spiffeid.spiffe.io (cluster-wide)",
            "update spiffeids.spiffeid.spiffe.io (cluster-wide)",
            "create spiffeids.spiffeid.spiffe.io (cluster-wide)",
            "delete spiffeids.spiffeid.spiffe.io (cluster-wide)",
            "update spiffeids.spiffeid.spiffe.io/status (cluster-wide)",
            "get leases.coordination.k8s.io (namespace spire)",
            "create leases.coordination.k8s.io (namespace spire)",
            "update leases.coordination.k8s.io (namespace spire)");
  }

  // ------------------------------------------------ the comparison can fail

  private static List<String> differencesAfter(java.util.function.Consumer<List<JsonNode>> edit) {
    DeployBase base = DeployBase.read("reconcile");
    List<JsonNode> rbac = rbacDocs(base).stream().<JsonNode>map(JsonNode::deepCopy).toList();
    edit.accept(rbac);
    return grants(base, rbac)
        .differences(RequiredPermissions.forConfig(base.config()), base.namespace());
  }

  private static ObjectNode first(List<JsonNode> docs, String kind) {
    return (ObjectNode)
        docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst().orElseThrow();
  }

  @Test
  void aRuleGainedIsReported() {
    assertThat(
            differencesAfter(
                rbac ->
                    ((ArrayNode) first(rbac, "ClusterRole").path("rules").get(0).path("verbs"))
                        .add("get")))
        .containsExactly(
            "not used by the code: get pods (cluster-wide)",
            "not used by the code: get nodes (cluster-wide)");
  }

  @Test
  void aRuleLostIsReported() {
    assertThat(
            differencesAfter(
                rbac ->
                    ((ArrayNode) first(rbac, "Role").path("rules").get(0).path("verbs")).remove(1)))
        .containsExactly("missing: create leases.coordination.k8s.io (namespace spire)");
  }

  @Test
  void aWildcardIsNeverExact() {
    assertThat(
            differencesAfter(
                rbac -> {
                  ArrayNode verbs =
                      (ArrayNode) first(rbac, "ClusterRole").path("rules").get(0).path("verbs");
                  verbs.removeAll();
                  verbs.add("*");
                }))
        .contains(
            "missing: list pods (cluster-wide)", "not used by the code: * pods (cluster-wide)");
  }

  @Test
  void grantsInTheWrongNamespaceOrToAnotherAccountAreReported() {
    assertThat(
            differencesAfter(
                rbac -> {
                  ((ObjectNode) first(rbac, "RoleBinding").path("metadata"))
                      .put("namespace", "default");
                  ((ObjectNode) first(rbac, "Role").path("metadata")).put("namespace", "default");
                }))
        .contains(
            "RoleBinding k8s-workload-registrar grants in namespace default, not the registrar's"
                + " namespace spire");
    assertThat(
            differencesAfter(
                rbac ->
                    ((ObjectNode) first(rbac, "ClusterRoleBinding").path("subjects").get(0))
                        .put("name", "default")))
        .contains(
            "ClusterRoleBinding k8s-workload-registrar does not bind service account"
                + " spire/spire-server",
            "missing: list pods (cluster-wide)",
            "ClusterRole k8s-workload-registrar is bound to nothing");
  }
}
