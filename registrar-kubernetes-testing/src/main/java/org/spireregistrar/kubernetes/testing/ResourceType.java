package org.spireregistrar.kubernetes.testing;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A kind of object the stand-in serves: where it lives in the API ({@code group}, {@code version},
 * {@code plural}), what it is called ({@code kind}) and how it behaves.
 *
 * @param group API group; {@code ""} for the core group ({@code /api/v1})
 * @param version API version, e.g. {@code v1}
 * @param kind object kind, e.g. {@code Pod}; the list kind is {@code kind + "List"}
 * @param plural resource name in URLs, e.g. {@code pods}
 * @param namespaced whether objects live in a namespace
 * @param statusSubresource whether {@code .../status} exists; if so, writes to the main resource
 *     keep the stored {@code status} and writes to {@code /status} change only {@code status}
 * @param returnsDeletedObject whether DELETE answers with the deleted object (as pods, services and
 *     custom resources do) rather than a {@code Status}
 * @param shortNames short names advertised in discovery (e.g. {@code po}), for kubectl
 * @param fieldLabels fields usable in field selectors besides {@code metadata.name} and {@code
 *     metadata.namespace}, as dotted paths (e.g. {@code spec.nodeName})
 */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    boolean namespaced,
    boolean statusSubresource,
    boolean returnsDeletedObject,
    List<String> shortNames,
    Set<String> fieldLabels) {

  private static final Pattern PLURAL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /** Pods (core/v1, namespaced, status subresource; field labels as the real API server). */
  public static final ResourceType PODS =
      namespaced("v1", "Pod", "pods")
          .withStatusSubresource()
          .returningDeletedObject()
          .withShortNames("po")
          .withFieldLabels(
              "spec.nodeName",
              "spec.restartPolicy",
              "spec.schedulerName",
              "spec.serviceAccountName",
              "spec.hostNetwork",
              "status.phase",
              "status.podIP",
              "status.nominatedNodeName");

  /** Nodes (core/v1, cluster-scoped, status subresource). */
  public static final ResourceType NODES =
      clusterScoped("v1", "Node", "nodes")
          .withStatusSubresource()
          .withShortNames("no")
          .withFieldLabels("spec.unschedulable");

  /** Endpoints (core/v1, namespaced). */
  public static final ResourceType ENDPOINTS =
      namespaced("v1", "Endpoints", "endpoints").withShortNames("ep");

  /** Namespaces (core/v1, cluster-scoped, status subresource). */
  public static final ResourceType NAMESPACES =
      clusterScoped("v1", "Namespace", "namespaces")
          .withStatusSubresource()
          .withShortNames("ns")
          .withFieldLabels("status.phase");

  /** Services (core/v1, namespaced, status subresource). */
  public static final ResourceType SERVICES =
      namespaced("v1", "Service", "services")
          .withStatusSubresource()
          .returningDeletedObject()
          .withShortNames("svc");

  /** ServiceAccounts (core/v1, namespaced). */
  public static final ResourceType SERVICE_ACCOUNTS =
      namespaced("v1", "ServiceAccount", "serviceaccounts").withShortNames("sa");

  /** ConfigMaps (core/v1, namespaced). */
  public static final ResourceType CONFIG_MAPS =
      namespaced("v1", "ConfigMap", "configmaps").withShortNames("cm");

  /** Secrets (core/v1, namespaced). */
  public static final ResourceType SECRETS =
      namespaced("v1", "Secret", "secrets").withFieldLabels("type");

  /** Events (core/v1, namespaced). */
  public static final ResourceType EVENTS =
      namespaced("v1", "Event", "events")
          .withShortNames("ev")
          .withFieldLabels(
              "involvedObject.kind",
              "involvedObject.namespace",
              "involvedObject.name",
              "involvedObject.uid",
              "involvedObject.apiVersion",
              "involvedObject.resourceVersion",
              "involvedObject.fieldPath",
              "reason",
              "reportingComponent",
              "source",
              "type");

  /** Leases (coordination.k8s.io/v1, namespaced), used for leader election. */
  public static final ResourceType LEASES = namespaced("coordination.k8s.io/v1", "Lease", "leases");

  /** The SpiffeID custom resource (spiffeid.spiffe.io/v1beta1, namespaced, status subresource). */
  public static final ResourceType SPIFFEIDS =
      namespaced("spiffeid.spiffe.io/v1beta1", "SpiffeID", "spiffeids")
          .withStatusSubresource()
          .returningDeletedObject();

  /** CustomResourceDefinitions; creating one also starts serving the resource it defines. */
  public static final ResourceType CUSTOM_RESOURCE_DEFINITIONS =
      clusterScoped(
              "apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions")
          .withStatusSubresource()
          .withShortNames("crd", "crds");

  /** Deployments (apps/v1), stored only: no controller acts on them. */
  public static final ResourceType DEPLOYMENTS =
      namespaced("apps/v1", "Deployment", "deployments")
          .withStatusSubresource()
          .withShortNames("deploy");

  /** DaemonSets (apps/v1), stored only. */
  public static final ResourceType DAEMON_SETS =
      namespaced("apps/v1", "DaemonSet", "daemonsets").withStatusSubresource().withShortNames("ds");

  /** StatefulSets (apps/v1), stored only. */
  public static final ResourceType STATEFUL_SETS =
      namespaced("apps/v1", "StatefulSet", "statefulsets")
          .withStatusSubresource()
          .withShortNames("sts");

  /** PodDisruptionBudgets (policy/v1, namespaced, status subresource); stored, not enforced. */
  public static final ResourceType POD_DISRUPTION_BUDGETS =
      namespaced("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets")
          .withStatusSubresource()
          .withShortNames("pdb");

  /** ClusterRoles (rbac.authorization.k8s.io/v1), stored only: nothing is enforced. */
  public static final ResourceType CLUSTER_ROLES =
      clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles");

  /** ClusterRoleBindings (rbac.authorization.k8s.io/v1), stored only. */
  public static final ResourceType CLUSTER_ROLE_BINDINGS =
      clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings");

  /** Roles (rbac.authorization.k8s.io/v1), stored only. */
  public static final ResourceType ROLES =
      namespaced("rbac.authorization.k8s.io/v1", "Role", "roles");

  /** RoleBindings (rbac.authorization.k8s.io/v1), stored only. */
  public static final ResourceType ROLE_BINDINGS =
      namespaced("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings");

  /**
   * ValidatingWebhookConfigurations: defaulted and validated as the API server does, and their
   * webhooks are called on every matching write.
   */
  public static final ResourceType VALIDATING_WEBHOOK_CONFIGURATIONS =
      clusterScoped(
          "admissionregistration.k8s.io/v1",
          "ValidatingWebhookConfiguration",
          "validatingwebhookconfigurations");

  /** MutatingWebhookConfigurations, stored only: the stand-in never calls mutating webhooks. */
  public static final ResourceType MUTATING_WEBHOOK_CONFIGURATIONS =
      clusterScoped(
          "admissionregistration.k8s.io/v1",
          "MutatingWebhookConfiguration",
          "mutatingwebhookconfigurations");

  /**
   * Validates and normalises the components.
   *
   * @throws IllegalArgumentException if a name is blank or the plural is not a lowercase DNS label
   */
  public ResourceType {
    Objects.requireNonNull(group, "group");
    requireNonBlank(version, "version");
    requireNonBlank(kind, "kind");
    requireNonBlank(plural, "plural");
    if (!PLURAL.matcher(plural).matches()) {
      throw new IllegalArgumentException(
          "resource type " + kind + ": plural \"" + plural + "\" is not a lowercase DNS label");
    }
    shortNames = List.copyOf(shortNames);
    fieldLabels = Set.copyOf(fieldLabels);
  }

  /**
   * A namespaced type with no status subresource, short names or extra field labels.
   *
   * @param apiVersion {@code v1} for the core group or {@code group/version}
   */
  public static ResourceType namespaced(String apiVersion, String kind, String plural) {
    return of(apiVersion, kind, plural, true);
  }

  /**
   * A cluster-scoped type with no status subresource, short names or extra field labels.
   *
   * @param apiVersion {@code v1} for the core group or {@code group/version}
   */
  public static ResourceType clusterScoped(String apiVersion, String kind, String plural) {
    return of(apiVersion, kind, plural, false);
  }

  private static ResourceType of(String apiVersion, String kind, String plural, boolean ns) {
    requireNonBlank(apiVersion, "apiVersion");
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    return new ResourceType(group, version, kind, plural, ns, false, false, List.of(), Set.of());
  }

  /** This type with a {@code /status} subresource. */
  public ResourceType withStatusSubresource() {
    return new ResourceType(
        group,
        version,
        kind,
        plural,
        namespaced,
        true,
        returnsDeletedObject,
        shortNames,
        fieldLabels);
  }

  /** This type answering DELETE with the deleted object instead of a {@code Status}. */
  public ResourceType returningDeletedObject() {
    return new ResourceType(
        group, version, kind, plural, namespaced, statusSubresource, true, shortNames, fieldLabels);
  }

  /** This type with the given discovery short names. */
  public ResourceType withShortNames(String... names) {
    return new ResourceType(
        group,
        version,
        kind,
        plural,
        namespaced,
        statusSubresource,
        returnsDeletedObject,
        List.of(names),
        fieldLabels);
  }

  /** This type with extra field-selector labels (dotted paths into the object). */
  public ResourceType withFieldLabels(String... paths) {
    Set<String> all = new LinkedHashSet<>(fieldLabels);
    all.addAll(List.of(paths));
    return new ResourceType(
        group,
        version,
        kind,
        plural,
        namespaced,
        statusSubresource,
        returnsDeletedObject,
        shortNames,
        all);
  }

  /** {@code v1} for the core group, otherwise {@code group/version}. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** {@code Kind + "List"}. */
  public String listKind() {
    return kind + "List";
  }

  /** Lowercase kind, as discovery's {@code singularName}. */
  public String singular() {
    return kind.toLowerCase(Locale.ROOT);
  }

  /** The resource as error messages name it: {@code pods}, {@code leases.coordination.k8s.io}. */
  public String qualifiedResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /** URL prefix of the group version: {@code /api/v1} or {@code /apis/group/version}. */
  public String groupVersionPath() {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }

  /**
   * The collection URL path.
   *
   * @param namespace the namespace for a namespaced type; {@code null} or empty for all namespaces
   *     (or for a cluster-scoped type)
   */
  public String collectionPath(String namespace) {
    if (namespaced && namespace != null && !namespace.isEmpty()) {
      return groupVersionPath() + "/namespaces/" + namespace + "/" + plural;
    }
    return groupVersionPath() + "/" + plural;
  }

  /** The URL path of one object; {@code namespace} is ignored for a cluster-scoped type. */
  public String objectPath(String namespace, String name) {
    return collectionPath(namespace) + "/" + name;
  }

  /**
   * An object of this type as a client sends it: {@code apiVersion}, {@code kind}, {@code metadata}
   * (the name, the namespace when namespaced, and {@code metadata}'s fields) and {@code spec}.
   */
  public Map<String, Object> object(
      String namespace, String name, Map<String, Object> metadata, Map<String, Object> spec) {
    Map<String, Object> meta = new LinkedHashMap<>(metadata);
    meta.put("name", name);
    if (namespaced) {
      meta.put("namespace", namespace);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("apiVersion", apiVersion());
    out.put("kind", kind);
    out.put("metadata", meta);
    out.put("spec", spec);
    return out;
  }

  /** As {@link #object(String, String, Map, Map)} with nothing more in its metadata. */
  public Map<String, Object> object(String namespace, String name, Map<String, Object> spec) {
    return object(namespace, name, Map.of(), spec);
  }

  /** The types every stand-in serves from the start. */
  public static List<ResourceType> builtIns() {
    return List.of(
        PODS,
        NODES,
        ENDPOINTS,
        NAMESPACES,
        SERVICES,
        SERVICE_ACCOUNTS,
        CONFIG_MAPS,
        SECRETS,
        EVENTS,
        LEASES,
        SPIFFEIDS,
        CUSTOM_RESOURCE_DEFINITIONS,
        DEPLOYMENTS,
        DAEMON_SETS,
        STATEFUL_SETS,
        POD_DISRUPTION_BUDGETS,
        CLUSTER_ROLES,
        CLUSTER_ROLE_BINDINGS,
        ROLES,
        ROLE_BINDINGS,
        VALIDATING_WEBHOOK_CONFIGURATIONS,
        MUTATING_WEBHOOK_CONFIGURATIONS);
  }

  private static void requireNonBlank(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("resource type: " + what + " must not be blank");
    }
  }
}
