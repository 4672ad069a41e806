package org.spireregistrar.core.entry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.CommonConfig;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.config.Mode;
import org.spireregistrar.core.config.ReconcileConfig;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.Workload;

/** Test data builders shared by the dns, policy and entry tests. */
public final class Fixtures {
  private Fixtures() {}

  public static final TrustDomain TD = new TrustDomain("example.org");

  public static SpiffeId id(String uri) {
    return SpiffeId.parse(uri);
  }

  public static List<Selector> selectors(String... texts) {
    return java.util.Arrays.stream(texts).map(Selector::parse).toList();
  }

  public static EntrySpec spec(String spiffeId, String parentId, String... selectors) {
    return EntrySpec.of(id(spiffeId), id(parentId), selectors(selectors));
  }

  public static PodBuilder pod(String namespace, String name) {
    return new PodBuilder(namespace, name);
  }

  public static NodeInfo node(String name, String uid) {
    return new NodeInfo(name, uid, Map.of());
  }

  public static EndpointsInfo.Address address(String ip, String hostname, Workload target) {
    return new EndpointsInfo.Address(
        ip, hostname, "Pod", target.namespace(), target.name(), target.uid());
  }

  public static EndpointsInfo endpoints(
      String namespace,
      String name,
      List<EndpointsInfo.Address> ready,
      List<EndpointsInfo.Address> notReady) {
    return new EndpointsInfo(namespace, name, ready, notReady);
  }

  /** Fluent {@link Workload} builder with sensible defaults (scheduled, SA "default"). */
  public static final class PodBuilder {
    private final String namespace;
    private final String name;
    private String uid;
    private String serviceAccount = "default";
    private String nodeName = "node-1";
    private String hostname = "";
    private String podIp = "";
    private final Map<String, String> labels = new HashMap<>();
    private final Map<String, String> annotations = new HashMap<>();
    private boolean terminating;

    PodBuilder(String namespace, String name) {
      this.namespace = namespace;
      this.name = name;
      this.uid = "uid-" + name;
    }

    public PodBuilder uid(String v) {
      uid = v;
      return this;
    }

    public PodBuilder sa(String v) {
      serviceAccount = v;
      return this;
    }

    public PodBuilder node(String v) {
      nodeName = v;
      return this;
    }

    public PodBuilder unscheduled() {
      nodeName = "";
      return this;
    }

    public PodBuilder hostname(String v) {
      hostname = v;
      return this;
    }

    public PodBuilder ip(String v) {
      podIp = v;
      return this;
    }

    public PodBuilder label(String k, String v) {
      labels.put(k, v);
      return this;
    }

    public PodBuilder annotation(String k, String v) {
      annotations.put(k, v);
      return this;
    }

    public PodBuilder terminating() {
      terminating = true;
      return this;
    }

    public Workload build() {
      return new Workload(
          namespace,
          name,
          uid,
          serviceAccount,
          nodeName,
          hostname,
          podIp,
          labels,
          annotations,
          terminating);
    }
  }

  public static ConfigBuilder config(Mode mode) {
    return new ConfigBuilder(mode);
  }

  /** Fluent {@link RegistrarConfig} builder: trust domain example.org, cluster "prod". */
  public static final class ConfigBuilder {
    private final Mode mode;
    private String cluster = "prod";
    private String podLabel = "";
    private String podAnnotation = "";
    private List<String> disabled = CommonConfig.DEFAULT_DISABLED_NAMESPACES;
    private String controllerName = "spire-k8s-registrar";
    private boolean addPodDnsNames;
    private boolean podController = true;
    private boolean addSvcDnsName = true;
    private String identityTemplate = "";
    private String identityTemplateLabel = "";
    private List<String> dnsNameTemplates = CrdConfig.DEFAULT_DNS_NAME_TEMPLATES;
    private Map<String, String> context = Map.of();

    ConfigBuilder(Mode mode) {
      this.mode = mode;
    }

    public ConfigBuilder cluster(String v) {
      cluster = v;
      return this;
    }

    public ConfigBuilder podLabel(String v) {
      podLabel = v;
      return this;
    }

    public ConfigBuilder podAnnotation(String v) {
      podAnnotation = v;
      return this;
    }

    public ConfigBuilder disabledNamespaces(String... v) {
      disabled = List.of(v);
      return this;
    }

    public ConfigBuilder controllerName(String v) {
      controllerName = v;
      return this;
    }

    public ConfigBuilder addPodDnsNames(boolean v) {
      addPodDnsNames = v;
      return this;
    }

    public ConfigBuilder podController(boolean v) {
      podController = v;
      return this;
    }

    public ConfigBuilder addSvcDnsName(boolean v) {
      addSvcDnsName = v;
      return this;
    }

    public ConfigBuilder identityTemplate(String v) {
      identityTemplate = v;
      return this;
    }

    public ConfigBuilder identityTemplateLabel(String v) {
      identityTemplateLabel = v;
      return this;
    }

    public ConfigBuilder dnsNameTemplates(String... v) {
      dnsNameTemplates = List.of(v);
      return this;
    }

    public ConfigBuilder context(Map<String, String> v) {
      context = v;
      return this;
    }

    public RegistrarConfig build() {
      CommonConfig common =
          new CommonConfig(
              "info",
              "",
              "",
              TD,
              "unix:///tmp/spire-server/private/api.sock",
              "/tmp/spire-server/private/api.sock",
              "",
              cluster,
              podLabel,
              podAnnotation,
              mode,
              disabled);
      ReconcileConfig reconcile =
          new ReconcileConfig(
              ":8080",
              false,
              "leases",
              controllerName,
              addPodDnsNames,
              "cluster.local",
              Duration.ofMinutes(10));
      CrdConfig crd =
          new CrdConfig(
              podController,
              addSvcDnsName,
              false,
              "leases",
              ":8080",
              false,
              "/run/spire/serving-certs",
              9443,
              "k8s-workload-registrar",
              identityTemplate,
              identityTemplateLabel,
              dnsNameTemplates,
              context);
      return new RegistrarConfig(common, WebhookConfig.DEFAULTS, reconcile, crd, List.of());
    }
  }
}
