package org.spireregistrar.core.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.template.CrdTemplates;

/**
 * Turns a decoded configuration ({@link ConfigDocument}) into a validated {@link RegistrarConfig},
 * with the original registrar's keys, defaults, validation order and error texts (upstream
 * §1.1–1.5) and our deliberate divergences (product §2.4, §2.11).
 *
 * <p><b>Decoding (HCL v1 semantics).</b> Keys match case-insensitively. A repeated scalar key: the
 * last one wins. A repeated list key ({@code disabled_namespaces}, {@code dns_name_templates}): the
 * lists are appended, as HCL v1 decodes each occurrence into the same slice. A repeated {@code
 * context} block: the blocks are merged, a later key replacing an earlier one. Every occurrence is
 * type-checked, not just the last. Booleans accept {@code true}/{@code false}, {@code "true"}/
 * {@code "false"}, {@code 1}/{@code 0} and {@code "1"}/{@code "0"}, case-insensitively. String keys
 * accept numbers (their decimal text), as HCL v1 does. Integers accept numeric strings. A list key
 * given {@code []} is empty (its default applies only when the key is absent); a string key given
 * {@code ""} gets its default, as upstream does.
 *
 * <p><b>Keys.</b> A key no mode reads is ignored with a warning and a did-you-mean suggestion in
 * {@link RegistrarConfig#warnings()}, as the original ignored it silently (its own crd quick start
 * has {@code add_svc_dns_names}); a key that only another mode reads is ignored with a warning too.
 * {@code validate --strict} turns warnings into a failure.
 *
 * <p><b>Errors.</b> Decoding errors (wrong type, bad duration) name the line of the key: {@code
 * line 4: key "leader_election" must be a boolean, got string "yes"}. Common-section errors carry
 * the prefix {@code error parsing common config: }; mode-section errors have none. Validation
 * errors keep the upstream texts, in the upstream order; the first failure wins: the common keys'
 * types; the common rules of upstream §1.2 (server address, agent socket, trust domain, cluster,
 * label with annotation, mode), then {@code log_level}, {@code log_format}, the cluster as an ID
 * segment and {@code disabled_namespaces} as namespace names (ours); then the selected mode's key
 * types and rules (webhook: {@code addr} as a listen address; reconcile: lock type when leader
 * election is on, {@code controller_name} as an ID segment, {@code resync_interval} at least 1s,
 * {@code metrics_addr} as a listen address or "0", {@code cluster_dns_zone} as a DNS-1123
 * subdomain; crd: identity template with label or annotation, templates referencing an absent
 * {@code context}, lock type, {@code metrics_bind_addr} as a listen address or "0", then {@link
 * CrdTemplates#validate}). A listen address is checked as {@link ListenAddress} parses it (port 0
 * to 65535), its host without a lookup: {@code error parsing metrics_addr "not an address": address
 * not an address: missing port in address}.
 *
 * <p>Upstream decoded the file twice and so held every list twice in memory; that quirk is not
 * reproduced (it had no visible effect).
 */
public final class ConfigParser {

  /** Prefix of every common-section error, as upstream. */
  public static final String COMMON_PREFIX = "error parsing common config: ";

  /** The only leader-election lock type implemented (a coordination.k8s.io Lease). */
  public static final String LEASES_LOCK = "leases";

  static final Set<String> LOG_LEVELS =
      Set.of("panic", "fatal", "error", "warn", "warning", "info", "debug", "trace");
  static final Set<String> LOG_FORMATS = Set.of("", "text", "json");

  private static final Duration MIN_RESYNC_INTERVAL = Duration.ofSeconds(1);

  /** {@code metrics_addr} / {@code metrics_bind_addr} value that turns the endpoint off. */
  private static final String METRICS_DISABLED = "0";

  private ConfigParser() {}

  /**
   * Decodes and validates a configuration.
   *
   * @return the configuration of the selected mode with defaults applied; the other modes' sections
   *     hold their defaults
   * @throws ConfigException with a complete user-facing message on the first problem found
   */
  public static RegistrarConfig parse(ConfigDocument document) {
    Objects.requireNonNull(document, "document");
    Values values = Values.of(document);
    CommonConfig common = parseCommon(values);
    List<String> warnings = values.warnings(common.mode());
    WebhookConfig webhook = WebhookConfig.DEFAULTS;
    ReconcileConfig reconcile = ReconcileConfig.DEFAULTS;
    CrdConfig crd = CrdConfig.DEFAULTS;
    switch (common.mode()) {
      case WEBHOOK -> webhook = parseWebhook(values);
      case RECONCILE -> reconcile = parseReconcile(values);
      case CRD -> crd = parseCrd(values, common);
    }
    return new RegistrarConfig(common, webhook, reconcile, crd, warnings);
  }

  /**
   * The effective configuration with HCL key names, for {@code validate}: every common key, then
   * the selected mode's keys, each in the order of the upstream key tables (§1.2, then §1.5, §1.3 +
   * {@code resync_interval}, or §1.4). Defaults are applied, {@code server_address} is derived,
   * {@code trust_domain} is normalised, {@code mode} is its HCL spelling, {@code resync_interval}
   * is a Go duration string ({@code "10m0s"}), {@code webhook_port} an Integer, {@code context} a
   * map sorted by key; lists stay lists. The map is unmodifiable and iterates in that order.
   */
  public static Map<String, Object> effective(RegistrarConfig config) {
    Map<String, Object> m = new LinkedHashMap<>();
    CommonConfig c = config.common();
    m.put("log_level", c.logLevel());
    m.put("log_format", c.logFormat());
    m.put("log_path", c.logPath());
    m.put("trust_domain", c.trustDomain().name());
    m.put("server_address", c.serverAddress());
    m.put("server_socket_path", c.serverSocketPath());
    m.put("agent_socket_path", c.agentSocketPath());
    m.put("cluster", c.cluster());
    m.put("pod_label", c.podLabel());
    m.put("pod_annotation", c.podAnnotation());
    m.put("mode", c.mode().key());
    m.put("disabled_namespaces", c.disabledNamespaces());
    switch (c.mode()) {
      case WEBHOOK -> {
        WebhookConfig w = config.webhook();
        m.put("addr", w.addr());
        m.put("cert_path", w.certPath());
        m.put("key_path", w.keyPath());
        m.put("cacert_path", w.cacertPath());
        m.put("insecure_skip_client_verification", w.insecureSkipClientVerification());
      }
      case RECONCILE -> {
        ReconcileConfig r = config.reconcile();
        m.put("metrics_addr", r.metricsAddr());
        m.put("leader_election", r.leaderElection());
        m.put("leader_election_resource_lock", r.leaderElectionResourceLock());
        m.put("controller_name", r.controllerName());
        m.put("add_pod_dns_names", r.addPodDnsNames());
        m.put("cluster_dns_zone", r.clusterDnsZone());
        m.put("resync_interval", GoDuration.format(r.resyncInterval()));
      }
      case CRD -> {
        CrdConfig d = config.crd();
        m.put("pod_controller", d.podController());
        m.put("add_svc_dns_name", d.addSvcDnsName());
        m.put("leader_election", d.leaderElection());
        m.put("leader_election_resource_lock", d.leaderElectionResourceLock());
        m.put("metrics_bind_addr", d.metricsBindAddr());
        m.put("webhook_enabled", d.webhookEnabled());
        m.put("webhook_cert_dir", d.webhookCertDir());
        m.put("webhook_port", d.webhookPort());
        m.put("webhook_service_name", d.webhookServiceName());
        m.put("identity_template", d.identityTemplate());
        m.put("identity_template_label", d.identityTemplateLabel());
        m.put("dns_name_templates", d.dnsNameTemplates());
        m.put("context", Collections.unmodifiableMap(new TreeMap<>(d.context())));
      }
    }
    return Collections.unmodifiableMap(m);
  }

  // ---------------------------------------------------------------------------------------------
  // Sections

  private static CommonConfig parseCommon(Values v) {
    // Upstream step 1: decode every common key (type errors first).
    String logLevel = v.string(ConfigKey.LOG_LEVEL, COMMON_PREFIX).orElse("");
    String logFormat = v.string(ConfigKey.LOG_FORMAT, COMMON_PREFIX).orElse("");
    String logPath = v.string(ConfigKey.LOG_PATH, COMMON_PREFIX).orElse("");
    String trustDomain = v.string(ConfigKey.TRUST_DOMAIN, COMMON_PREFIX).orElse("");
    String serverAddress = v.string(ConfigKey.SERVER_ADDRESS, COMMON_PREFIX).orElse("");
    String serverSocketPath = v.string(ConfigKey.SERVER_SOCKET_PATH, COMMON_PREFIX).orElse("");
    String agentSocketPath = v.string(ConfigKey.AGENT_SOCKET_PATH, COMMON_PREFIX).orElse("");
    String cluster = v.string(ConfigKey.CLUSTER, COMMON_PREFIX).orElse("");
    String podLabel = v.string(ConfigKey.POD_LABEL, COMMON_PREFIX).orElse("");
    String podAnnotation = v.string(ConfigKey.POD_ANNOTATION, COMMON_PREFIX).orElse("");
    // Upstream sets the default before decoding, so an explicit mode = "" is invalid.
    String modeText = v.string(ConfigKey.MODE, COMMON_PREFIX).orElse(Mode.WEBHOOK.key());
    Optional<List<String>> disabled = v.stringList(ConfigKey.DISABLED_NAMESPACES, COMMON_PREFIX);

    // Steps 2-10, in upstream order.
    if (logLevel.isEmpty()) {
      logLevel = "info";
    }
    if (serverAddress.isEmpty()) {
      if (serverSocketPath.isEmpty()) {
        throw common("server_address or server_socket_path must be specified");
      }
      serverAddress = "unix://" + serverSocketPath;
    }
    if (!serverAddress.startsWith("unix://") && agentSocketPath.isEmpty()) {
      throw common("agent_socket_path must be specified if the server is not a local socket");
    }
    if (trustDomain.isEmpty()) {
      throw common("trust_domain must be specified");
    }
    TrustDomain td;
    try {
      td = TrustDomain.parse(trustDomain);
    } catch (IllegalArgumentException e) {
      throw common("malformed trust domain: " + e.getMessage());
    }
    if (cluster.isEmpty()) {
      throw common("cluster must be specified");
    }
    if (!podLabel.isEmpty() && !podAnnotation.isEmpty()) {
      throw common(
          "workload registration mode specification is incorrect, can't specify both pod_label"
              + " and pod_annotation");
    }
    Mode mode =
        Mode.fromKey(modeText)
            .orElseThrow(
                () ->
                    common(
                        "invalid mode \""
                            + modeText
                            + "\", valid values are crd, webhook and reconcile"));
    List<String> disabledNamespaces = disabled.orElse(CommonConfig.DEFAULT_DISABLED_NAMESPACES);

    // Ours (product §2.4): logging settings are checked at validation, in every mode, with the
    // texts upstream gave at Run time.
    String level = logLevel.toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw common("not a valid logrus Level: " + quote(logLevel));
    }
    String format = logFormat.toLowerCase(Locale.ROOT);
    if (!LOG_FORMATS.contains(format)) {
      throw common("unknown logger format: " + quote(logFormat));
    }
    // Ours: the cluster name is a segment of every node and parent ID; upstream only failed
    // later, when building the first ID.
    String clusterProblem = SpiffeId.segmentProblem(cluster);
    if (clusterProblem != null) {
      throw common(
          "cluster "
              + quote(cluster)
              + " is not a valid SPIFFE ID path segment: "
              + clusterProblem);
    }
    // Ours (product §2.4): a namespace name that cannot exist would silently disable nothing.
    for (String ns : disabledNamespaces) {
      String problem = NetworkNames.labelProblem(ns);
      if (problem != null) {
        throw common(
            "disabled_namespaces: " + quote(ns) + " is not a valid namespace name: " + problem);
      }
    }

    return new CommonConfig(
        level,
        format,
        logPath,
        td,
        serverAddress,
        serverSocketPath,
        agentSocketPath,
        cluster,
        podLabel,
        podAnnotation,
        mode,
        disabledNamespaces);
  }

  private static WebhookConfig parseWebhook(Values v) {
    WebhookConfig d = WebhookConfig.DEFAULTS;
    String addr = v.stringOrDefault(ConfigKey.ADDR, d.addr());
    checkListenAddress(ConfigKey.ADDR, addr);
    return new WebhookConfig(
        addr,
        v.stringOrDefault(ConfigKey.CERT_PATH, d.certPath()),
        v.stringOrDefault(ConfigKey.KEY_PATH, d.keyPath()),
        v.stringOrDefault(ConfigKey.CACERT_PATH, d.cacertPath()),
        v.bool(ConfigKey.INSECURE_SKIP_CLIENT_VERIFICATION, "")
            .orElse(d.insecureSkipClientVerification()));
  }

  private static ReconcileConfig parseReconcile(Values v) {
    ReconcileConfig d = ReconcileConfig.DEFAULTS;
    String metricsAddr = v.stringOrDefault(ConfigKey.METRICS_ADDR, d.metricsAddr());
    boolean leaderElection = v.bool(ConfigKey.LEADER_ELECTION, "").orElse(d.leaderElection());
    String lock =
        v.stringOrDefault(ConfigKey.LEADER_ELECTION_RESOURCE_LOCK, d.leaderElectionResourceLock());
    String controllerName = v.stringOrDefault(ConfigKey.CONTROLLER_NAME, d.controllerName());
    boolean addPodDnsNames = v.bool(ConfigKey.ADD_POD_DNS_NAMES, "").orElse(d.addPodDnsNames());
    String clusterDnsZone = v.stringOrDefault(ConfigKey.CLUSTER_DNS_ZONE, d.clusterDnsZone());
    Duration resync = v.duration(ConfigKey.RESYNC_INTERVAL).orElse(d.resyncInterval());

    if (leaderElection) {
      checkLock(lock);
    }
    // The node IDs are spiffe://<td>/<controller_name>/<cluster>/node (upstream §5.1); upstream
    // failed at start-up with the same go-spiffe text.
    String nameProblem = SpiffeId.segmentProblem(controllerName);
    if (nameProblem != null) {
      throw new ConfigException(
          "controller_name "
              + quote(controllerName)
              + " is not a valid SPIFFE ID path segment: "
              + nameProblem);
    }
    if (resync.compareTo(MIN_RESYNC_INTERVAL) < 0) {
      throw new ConfigException(
          "resync_interval must be at least 1s, got " + quote(GoDuration.format(resync)));
    }
    // Ours (product §2.4): upstream failed only at start, when binding or building names.
    if (!metricsAddr.equals(METRICS_DISABLED)) {
      checkListenAddress(ConfigKey.METRICS_ADDR, metricsAddr);
    }
    String zoneProblem = NetworkNames.subdomainProblem(clusterDnsZone);
    if (zoneProblem != null) {
      throw new ConfigException(
          "error parsing cluster_dns_zone " + quote(clusterDnsZone) + ": " + zoneProblem);
    }
    return new ReconcileConfig(
        metricsAddr, leaderElection, lock, controllerName, addPodDnsNames, clusterDnsZone, resync);
  }

  private static CrdConfig parseCrd(Values v, CommonConfig common) {
    CrdConfig d = CrdConfig.DEFAULTS;
    boolean podController = v.bool(ConfigKey.POD_CONTROLLER, "").orElse(d.podController());
    boolean addSvcDnsName = v.bool(ConfigKey.ADD_SVC_DNS_NAME, "").orElse(d.addSvcDnsName());
    boolean leaderElection = v.bool(ConfigKey.LEADER_ELECTION, "").orElse(d.leaderElection());
    String lock =
        v.stringOrDefault(ConfigKey.LEADER_ELECTION_RESOURCE_LOCK, d.leaderElectionResourceLock());
    String metricsBindAddr = v.stringOrDefault(ConfigKey.METRICS_BIND_ADDR, d.metricsBindAddr());
    boolean webhookEnabled = v.bool(ConfigKey.WEBHOOK_ENABLED, "").orElse(d.webhookEnabled());
    String webhookCertDir = v.stringOrDefault(ConfigKey.WEBHOOK_CERT_DIR, d.webhookCertDir());
    int webhookPort = v.port(ConfigKey.WEBHOOK_PORT).orElse(0);
    String webhookServiceName =
        v.stringOrDefault(ConfigKey.WEBHOOK_SERVICE_NAME, d.webhookServiceName());
    String identityTemplate = v.string(ConfigKey.IDENTITY_TEMPLATE, "").orElse("");
    String identityTemplateLabel = v.string(ConfigKey.IDENTITY_TEMPLATE_LABEL, "").orElse("");
    Optional<List<String>> dnsNameTemplates = v.stringList(ConfigKey.DNS_NAME_TEMPLATES, "");
    Optional<Map<String, String>> context = v.stringMap(ConfigKey.CONTEXT, "");

    if (webhookPort == 0) {
      webhookPort = d.webhookPort(); // upstream: 0 means unset
    }
    if (!identityTemplate.isEmpty()
        && (!common.podAnnotation().isEmpty() || !common.podLabel().isEmpty())) {
      throw new ConfigException(
          "workload registration configuration is incorrect, can only use one of"
              + " identity_template, pod_annotation, or pod_label");
    }
    if (context.isEmpty()) {
      if (referencesContext(identityTemplate)) {
        throw new ConfigException("identity_template references non-existing context");
      }
      for (String t : dnsNameTemplates.orElse(List.of())) {
        if (referencesContext(t)) {
          throw new ConfigException("dns_name_template references non-existing context");
        }
      }
    }
    if (leaderElection) {
      checkLock(lock);
    }
    if (!metricsBindAddr.equals(METRICS_DISABLED)) {
      checkListenAddress(ConfigKey.METRICS_BIND_ADDR, metricsBindAddr);
    }
    CrdConfig crd =
        new CrdConfig(
            podController,
            addSvcDnsName,
            leaderElection,
            lock,
            metricsBindAddr,
            webhookEnabled,
            webhookCertDir,
            webhookPort,
            webhookServiceName,
            identityTemplate,
            identityTemplateLabel,
            dnsNameTemplates.orElse(CrdConfig.DEFAULT_DNS_NAME_TEMPLATES),
            context.orElse(Map.of()));
    // Upstream checked the templates at start-up (parse, render against dummy data, validate the
    // output); we do it at validation so `validate` reports it.
    CrdTemplates.validate(crd);
    return crd;
  }

  /** Upstream's check: spaces removed, then a literal {@code {{.Context.}} reference. */
  private static boolean referencesContext(String template) {
    return template.replace(" ", "").contains("{{.Context.");
  }

  /**
   * Only Lease locks are implemented. Texts: upstream's for {@code configmaps}, client-go's for
   * {@code endpoints} and unknown types, each followed by what to use instead.
   */
  private static void checkLock(String lock) {
    switch (lock) {
      case LEASES_LOCK:
        return;
      case "configmaps":
        throw new ConfigException(
            "the \"configmaps\" leader election resource lock type is no longer supported");
      case "endpoints":
        throw new ConfigException(
            "endpoints lock is removed, migrate to endpointsleases; this registrar supports only"
                + " the \"leases\" lock type");
      case "endpointsleases":
      case "configmapsleases":
        throw new ConfigException(
            "the \""
                + lock
                + "\" leader election resource lock type is not supported (migration locks are"
                + " not implemented); use \"leases\"");
      default:
        throw new ConfigException(
            "Invalid lock-type "
                + quote(lock)
                + " in leader_election_resource_lock; the supported type is \"leases\"");
    }
  }

  /**
   * A listen address as the servers read it ({@link ListenAddress}), its host checked without a
   * lookup: {@code error parsing metrics_addr "x": address x: missing port in address}.
   */
  private static void checkListenAddress(ConfigKey key, String addr) {
    String problem;
    try {
      ListenAddress a = ListenAddress.parse(addr);
      problem =
          NetworkNames.isHost(a.host())
              ? null
              : quote(a.host()) + " is not an IP address or host name";
    } catch (IllegalArgumentException e) {
      problem = e.getMessage();
    }
    if (problem != null) {
      throw new ConfigException("error parsing " + key.hcl() + " " + quote(addr) + ": " + problem);
    }
  }

  private static ConfigException common(String message) {
    return new ConfigException(COMMON_PREFIX + message);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers shared with ConfigDocument and GoDuration

  /** Quoted as Go quotes; past 256 characters cut with "…" (a key or value may be 1 MiB long). */
  static String quote(String s) {
    return GoQuote.quoteCut(s, 256);
  }

  /** {@code "line N: "}, or "" when the line is unknown (0). */
  static String at(int line) {
    return line > 0 ? "line " + line + ": " : "";
  }

  /** Damerau (optimal string alignment) edit distance. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length()][b.length()];
  }

  /** The known key a misspelling most likely means, if any is close enough. */
  static Optional<String> suggest(String written) {
    if (written.length() > 64) {
      return Optional.empty(); // no key is near, and the distance table would be large
    }
    String key = written.toLowerCase(Locale.ROOT);
    int threshold = Math.max(2, key.length() / 4);
    Optional<ConfigKey> close =
        Stream.of(ConfigKey.values())
            .filter(k -> editDistance(key, k.hcl()) <= threshold)
            .min(Comparator.comparingInt(k -> editDistance(key, k.hcl())));
    if (close.isPresent()) {
      return close.map(ConfigKey::hcl);
    }
    if (key.length() < 4) {
      return Optional.empty();
    }
    // A fragment or an extension of a real key, e.g. "svc_dns_name" or "cluster_name".
    return Stream.of(ConfigKey.values())
        .map(ConfigKey::hcl)
        .filter(k -> k.contains(key) || key.contains(k))
        .min(Comparator.comparingInt(k -> Math.abs(k.length() - key.length())));
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /** The document's items grouped by known key; unknown keys rejected on construction. */
  private static final class Values {
    private final ConfigDocument document;
    private final Map<ConfigKey, List<ConfigDocument.Entry>> byKey = new EnumMap<>(ConfigKey.class);

    private Values(ConfigDocument document) {
      this.document = document;
    }

    static Values of(ConfigDocument document) {
      Values v = new Values(document);
      for (ConfigDocument.Entry e : document.entries()) {
        ConfigKey.lookup(e.key())
            .ifPresent(key -> v.byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(e));
      }
      return v;
    }

    /**
     * The warnings, in file order, one per key at its first occurrence: a key no mode reads ({@code
     * unknown key "add_svc_dns_names"; did you mean "add_svc_dns_name"?}), a key {@code mode} does
     * not read ({@code key "addr" is only used in webhook mode; ignored}).
     */
    List<String> warnings(Mode mode) {
      List<String> warnings = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (ConfigDocument.Entry e : document.entries()) {
        if (!seen.add(e.key().toLowerCase(Locale.ROOT))) {
          continue;
        }
        Optional<ConfigKey> key = ConfigKey.lookup(e.key());
        if (key.isEmpty()) {
          String msg = at(e.line()) + "unknown key " + quote(e.key());
          warnings.add(
              suggest(e.key()).map(s -> msg + "; did you mean " + quote(s) + "?").orElse(msg));
        } else if (!key.get().usedIn(mode)) {
          warnings.add(
              at(e.line())
                  + "key "
                  + quote(e.key())
                  + " is only used in "
                  + key.get().modesText()
                  + "; ignored");
        }
      }
      return warnings;
    }

    private List<ConfigDocument.Entry> all(ConfigKey key) {
      return byKey.getOrDefault(key, List.of());
    }

    Optional<String> string(ConfigKey key, String prefix) {
      String result = null;
      for (ConfigDocument.Entry e : all(key)) {
        result = asString(e.value());
        if (result == null) {
          throw typeError(prefix, e.line(), e.key(), "a string", e.value());
        }
      }
      return Optional.ofNullable(result);
    }

    /** A string key whose empty value means the default, as upstream. */
    String stringOrDefault(ConfigKey key, String dflt) {
      return string(key, "").filter(s -> !s.isEmpty()).orElse(dflt);
    }

    Optional<Boolean> bool(ConfigKey key, String prefix) {
      Boolean result = null;
      for (ConfigDocument.Entry e : all(key)) {
        result = asBoolean(e.value());
        if (result == null) {
          throw typeError(prefix, e.line(), e.key(), "a boolean", e.value());
        }
      }
      return Optional.ofNullable(result);
    }

    /** A port number; 0 (unset) is allowed and left to the caller. */
    Optional<Integer> port(ConfigKey key) {
      Integer result = null;
      for (ConfigDocument.Entry e : all(key)) {
        Long n = asInteger(e.value());
        if (n == null) {
          throw typeError("", e.line(), e.key(), "an integer", e.value());
        }
        if (n < 0 || n > 65535) {
          throw new ConfigException(
              at(e.line())
                  + "key "
                  + quote(e.key())
                  + " must be a port number from 1 to 65535, got "
                  + n);
        }
        result = n.intValue();
      }
      return Optional.ofNullable(result);
    }

    Optional<Duration> duration(ConfigKey key) {
      Duration result = null;
      for (ConfigDocument.Entry e : all(key)) {
        if (!(e.value() instanceof String text)) {
          throw typeError("", e.line(), e.key(), "a duration string such as \"10m\"", e.value());
        }
        if (text.isEmpty()) {
          result = null; // empty means the default, as for other string keys
          continue;
        }
        try {
          result = GoDuration.parse(text);
        } catch (IllegalArgumentException ex) {
          throw new ConfigException(
              at(e.line())
                  + "key "
                  + quote(e.key())
                  + " is not a valid duration: "
                  + ex.getMessage());
        }
      }
      return Optional.ofNullable(result);
    }

    /** Every occurrence's list, appended. */
    Optional<List<String>> stringList(ConfigKey key, String prefix) {
      List<String> result = null;
      for (ConfigDocument.Entry e : all(key)) {
        if (!(e.value() instanceof List<?> list)) {
          throw typeError(prefix, e.line(), e.key(), "a list of strings", e.value());
        }
        if (result == null) {
          result = new ArrayList<>();
        }
        for (int i = 0; i < list.size(); i++) {
          String s = asString(list.get(i));
          if (s == null) {
            throw new ConfigException(
                prefix
                    + at(e.line())
                    + "key "
                    + quote(e.key())
                    + " must be a list of strings, got "
                    + describe(list.get(i))
                    + " at index "
                    + i);
          }
          result.add(s);
        }
      }
      return Optional.ofNullable(result).map(List::copyOf);
    }

    /** Every occurrence's block, merged; inner keys keep their case. */
    Optional<Map<String, String>> stringMap(ConfigKey key, String prefix) {
      Map<String, String> result = null;
      for (ConfigDocument.Entry e : all(key)) {
        if (!(e.value() instanceof ConfigDocument block)) {
          throw typeError(prefix, e.line(), e.key(), "a block of strings", e.value());
        }
        if (result == null) {
          result = new LinkedHashMap<>();
        }
        for (ConfigDocument.Entry inner : block.entries()) {
          String s = asString(inner.value());
          if (s == null) {
            throw typeError(
                prefix,
                inner.line() > 0 ? inner.line() : e.line(),
                e.key() + "." + inner.key(),
                "a string",
                inner.value());
          }
          result.put(inner.key(), s);
        }
      }
      return Optional.ofNullable(result);
    }
  }

  private static ConfigException typeError(
      String prefix, int line, String key, String expected, Object found) {
    return new ConfigException(
        prefix
            + at(line)
            + "key "
            + quote(key)
            + " must be "
            + expected
            + ", got "
            + describe(found));
  }

  /** "string \"yes\"", "number 3", "boolean true", "list", "block". */
  static String describe(Object value) {
    if (value instanceof String s) {
      return "string " + quote(s);
    }
    if (value instanceof Boolean b) {
      return "boolean " + b;
    }
    if (value instanceof Number n) {
      return "number " + numberText(n);
    }
    if (value instanceof List<?>) {
      return "list";
    }
    return "block";
  }

  /** Strings as they are; numbers as their decimal text (HCL v1 decodes both into strings). */
  private static String asString(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Number n) {
      return numberText(n);
    }
    return null;
  }

  /** HCL v1's decodeBool: true/false, "true"/"false", 1/0, "1"/"0", any case. */
  private static Boolean asBoolean(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    String text = null;
    if (value instanceof String s) {
      text = s.toLowerCase(Locale.ROOT);
    } else if (value instanceof Number n) {
      text = numberText(n);
    }
    if ("true".equals(text) || "1".equals(text)) {
      return Boolean.TRUE;
    }
    if ("false".equals(text) || "0".equals(text)) {
      return Boolean.FALSE;
    }
    return null;
  }

  /** Integral numbers, and strings Go's {@code strconv.ParseInt(s, 0, 64)} accepts. */
  private static Long asInteger(Object value) {
    if (value instanceof Number n) {
      BigDecimal d = toBigDecimal(n);
      if (d == null) {
        return null;
      }
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }
    if (value instanceof String s) {
      return parseGoInt(s);
    }
    return null;
  }

  private static Long parseGoInt(String s) {
    String t = s;
    boolean neg = false;
    if (!t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-')) {
      neg = t.charAt(0) == '-';
      t = t.substring(1);
    }
    int radix = 10;
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.startsWith("0x")) {
      radix = 16;
      t = t.substring(2);
    } else if (lower.startsWith("0o")) {
      radix = 8;
      t = t.substring(2);
    } else if (lower.startsWith("0b")) {
      radix = 2;
      t = t.substring(2);
    } else if (t.length() > 1 && t.charAt(0) == '0') {
      radix = 8;
      t = t.substring(1);
    }
    t = t.replace("_", "");
    if (t.isEmpty()) {
      return null;
    }
    for (int i = 0; i < t.length(); i++) {
      if (Character.digit(t.charAt(i), radix) < 0) {
        return null;
      }
    }
    try {
      long v = Long.parseLong(t, radix);
      return neg ? -v : v;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static BigDecimal toBigDecimal(Number n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (n instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
    }
    return BigDecimal.valueOf(n.longValue());
  }

  /** Integral values without a fraction ("3", not "3.0"); others as Java prints them. */
  static String numberText(Number n) {
    BigDecimal d = toBigDecimal(n);
    if (d == null) {
      return n.toString();
    }
    BigDecimal stripped = d.stripTrailingZeros();
    if (stripped.scale() <= 0) {
      return stripped.toBigInteger().toString();
    }
    return stripped.toPlainString();
  }
}
