package org.spireregistrar.core.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Every configuration key any mode reads, with the modes that read it (none = common). */
enum ConfigKey {
  // Common (upstream §1.2), in the table's order.
  LOG_LEVEL("log_level"),
  LOG_FORMAT("log_format"),
  LOG_PATH("log_path"),
  TRUST_DOMAIN("trust_domain"),
  SERVER_ADDRESS("server_address"),
  SERVER_SOCKET_PATH("server_socket_path"),
  AGENT_SOCKET_PATH("agent_socket_path"),
  CLUSTER("cluster"),
  POD_LABEL("pod_label"),
  POD_ANNOTATION("pod_annotation"),
  MODE("mode"),
  DISABLED_NAMESPACES("disabled_namespaces"),
  // Webhook (§1.5).
  ADDR("addr", Mode.WEBHOOK),
  CERT_PATH("cert_path", Mode.WEBHOOK),
  KEY_PATH("key_path", Mode.WEBHOOK),
  CACERT_PATH("cacert_path", Mode.WEBHOOK),
  INSECURE_SKIP_CLIENT_VERIFICATION("insecure_skip_client_verification", Mode.WEBHOOK),
  // Reconcile (§1.3) and crd (§1.4); the two leader-election keys are read by both.
  METRICS_ADDR("metrics_addr", Mode.RECONCILE),
  LEADER_ELECTION("leader_election", Mode.RECONCILE, Mode.CRD),
  LEADER_ELECTION_RESOURCE_LOCK("leader_election_resource_lock", Mode.RECONCILE, Mode.CRD),
  CONTROLLER_NAME("controller_name", Mode.RECONCILE),
  ADD_POD_DNS_NAMES("add_pod_dns_names", Mode.RECONCILE),
  CLUSTER_DNS_ZONE("cluster_dns_zone", Mode.RECONCILE),
  RESYNC_INTERVAL("resync_interval", Mode.RECONCILE),
  POD_CONTROLLER("pod_controller", Mode.CRD),
  ADD_SVC_DNS_NAME("add_svc_dns_name", Mode.CRD),
  METRICS_BIND_ADDR("metrics_bind_addr", Mode.CRD),
  WEBHOOK_ENABLED("webhook_enabled", Mode.CRD),
  WEBHOOK_CERT_DIR("webhook_cert_dir", Mode.CRD),
  WEBHOOK_PORT("webhook_port", Mode.CRD),
  WEBHOOK_SERVICE_NAME("webhook_service_name", Mode.CRD),
  IDENTITY_TEMPLATE("identity_template", Mode.CRD),
  IDENTITY_TEMPLATE_LABEL("identity_template_label", Mode.CRD),
  DNS_NAME_TEMPLATES("dns_name_templates", Mode.CRD),
  CONTEXT("context", Mode.CRD);

  private static final Map<String, ConfigKey> BY_NAME =
      Stream.of(values()).collect(Collectors.toUnmodifiableMap(k -> k.hcl, Function.identity()));

  private final String hcl;
  private final Set<Mode> modes;

  ConfigKey(String hcl, Mode... modes) {
    this.hcl = hcl;
    this.modes = modes.length == 0 ? EnumSet.noneOf(Mode.class) : EnumSet.of(modes[0], modes);
  }

  /** The key as HCL spells it. */
  String hcl() {
    return hcl;
  }

  /** Whether {@code mode} reads this key; common keys are read by every mode. */
  boolean usedIn(Mode mode) {
    return modes.isEmpty() || modes.contains(mode);
  }

  /** "webhook mode", "reconcile and crd modes". */
  String modesText() {
    String names = modes.stream().map(Mode::key).collect(Collectors.joining(" and "));
    return names + (modes.size() == 1 ? " mode" : " modes");
  }

  /** The key a spelling names; HCL v1 matches keys case-insensitively. */
  static Optional<ConfigKey> lookup(String written) {
    return Optional.ofNullable(BY_NAME.get(written.toLowerCase(Locale.ROOT)));
  }
}
