package org.spireregistrar.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.SplittableRandom;

/**
 * Pods, Nodes and Endpoints as a real API server returns them, for {@code bench --source api}: the
 * shape of a typical Deployment pod from {@code kubectl get pod -o json} on a Kubernetes 1.28+
 * cluster (two containers, the app and a log-shipping sidecar, each with env, ports, probes,
 * resources and volume mounts; a projected service-account token volume; {@code managedFields} of
 * the ReplicaSet controller and the kubelet; an owner reference to the ReplicaSet; status with the
 * five pod conditions, both container statuses and the pod IPs), 6–10 KiB of JSON each. Nodes are
 * shaped like a cloud worker node (labels, addresses, capacity, conditions, images); Endpoints like
 * a headless Service's.
 *
 * <p>Deterministic: every value derives from the seed and the {@link SyntheticCluster.Pod}'s
 * numbers. The fields the registrar reads (namespace, name, service account, node, pod IP, the
 * {@value SyntheticCluster#LABEL} label) are those of {@link SyntheticCluster#workload}, so the
 * entries are the same as with {@code --source memory}. The server assigns {@code uid}, {@code
 * resourceVersion} and {@code creationTimestamp}.
 */
final class RealisticObjects {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String HEX = "0123456789abcdef";
  private static final String ALNUM = "bcdfghjklmnpqrstvwxz2456789";
  private static final String TIME = "2026-11-30T08:00:00Z";

  private final long seed;

  RealisticObjects(long seed) {
    this.seed = seed;
  }

  private SplittableRandom random(long salt) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + salt);
  }

  private static String hex(SplittableRandom r, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(HEX.charAt(r.nextInt(16)));
    }
    return sb.toString();
  }

  private static String alnum(SplittableRandom r, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
    }
    return sb.toString();
  }

  /** The pod template hash of a deployment (the ReplicaSet name's suffix). */
  private String templateHash(int namespace, int deployment) {
    return alnum(random(31L * namespace + deployment + 7_000_000L), 10);
  }

  /** A fake but well-formed UID (the ReplicaSet's; the stand-in serves no ReplicaSets). */
  private static String uid(SplittableRandom r) {
    return hex(r, 8) + "-" + hex(r, 4) + "-4" + hex(r, 3) + "-a" + hex(r, 3) + "-" + hex(r, 12);
  }

  /** A Pod as the API server returns it. */
  ObjectNode pod(SyntheticCluster.Pod p) {
    SplittableRandom r = random(p.id());
    String ns = SyntheticCluster.namespace(p);
    String app = SyntheticCluster.appName(p.deployment());
    String hash = templateHash(p.namespace(), p.deployment());
    String rsName = app + "-" + hash;
    String podIp = SyntheticCluster.workload(p).podIp();
    String nodeName = SyntheticCluster.nodeName(p.node());
    String hostIp = nodeIp(p.node());
    String tokenVolume = "kube-api-access-" + alnum(r, 5);
    int port = 8080 + r.nextInt(10);

    ObjectNode pod = F.objectNode();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata");
    ObjectNode ann = meta.putObject("annotations");
    ann.put("kubectl.kubernetes.io/restartedAt", "2026-11-29T17:42:11Z");
    ann.put("prometheus.io/scrape", "true");
    ann.put("prometheus.io/port", Integer.toString(port + 1000));
    ann.put("prometheus.io/path", "/metrics");
    ann.put("cni.projectcalico.org/containerID", hex(r, 64));
    ann.put("cni.projectcalico.org/podIP", podIp + "/32");
    ann.put("cni.projectcalico.org/podIPs", podIp + "/32");
    meta.put("generateName", rsName + "-");
    ObjectNode labels = meta.putObject("labels");
    labels.put("app", app);
    labels.put("app.kubernetes.io/name", app);
    labels.put("app.kubernetes.io/part-of", "team-" + p.namespace() + "-platform");
    labels.put("app.kubernetes.io/version", "1." + (p.deployment() % 17) + ".3");
    labels.put("pod-template-hash", hash);
    labels.put(SyntheticCluster.LABEL, SyntheticCluster.appName(p.label()));
    meta.set("managedFields", podManagedFields(app, labels, r));
    meta.put("name", SyntheticCluster.podName(p));
    meta.put("namespace", ns);
    ArrayNode owners = meta.putArray("ownerReferences");
    ObjectNode owner = owners.addObject();
    owner.put("apiVersion", "apps/v1");
    owner.put("blockOwnerDeletion", true);
    owner.put("controller", true);
    owner.put("kind", "ReplicaSet");
    owner.put("name", rsName);
    owner.put("uid", uid(random(31L * p.namespace() + p.deployment() + 9_000_000L)));

    ObjectNode spec = pod.putObject("spec");
    ArrayNode containers = spec.putArray("containers");
    containers.add(appContainer(app, port, tokenVolume, r));
    containers.add(sidecarContainer(tokenVolume));
    spec.put("dnsPolicy", "ClusterFirst");
    spec.put("enableServiceLinks", true);
    spec.put("nodeName", nodeName);
    spec.put("preemptionPolicy", "PreemptLowerPriority");
    spec.put("priority", 0);
    spec.put("restartPolicy", "Always");
    spec.put("schedulerName", "default-scheduler");
    ObjectNode psc = spec.putObject("securityContext");
    psc.put("fsGroup", 2000);
    psc.put("runAsNonRoot", true);
    psc.putObject("seccompProfile").put("type", "RuntimeDefault");
    spec.put("serviceAccount", "sa-" + app);
    spec.put("serviceAccountName", "sa-" + app);
    spec.put("terminationGracePeriodSeconds", 30);
    ArrayNode tolerations = spec.putArray("tolerations");
    for (String key : new String[] {"not-ready", "unreachable"}) {
      ObjectNode t = tolerations.addObject();
      t.put("effect", "NoExecute");
      t.put("key", "node.kubernetes.io/" + key);
      t.put("operator", "Exists");
      t.put("tolerationSeconds", 300);
    }
    ArrayNode volumes = spec.putArray("volumes");
    ObjectNode config = volumes.addObject();
    config.putObject("configMap").put("defaultMode", 420).put("name", app + "-config");
    config.put("name", "config");
    volumes.addObject().put("name", "tmp").putObject("emptyDir").put("sizeLimit", "256Mi");
    volumes.add(projectedTokenVolume(tokenVolume));

    ObjectNode status = pod.putObject("status");
    ArrayNode conditions = status.putArray("conditions");
    for (String type :
        new String[] {
          "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"
        }) {
      ObjectNode c = conditions.addObject();
      c.putNull("lastProbeTime");
      c.put("lastTransitionTime", TIME);
      c.put("status", "True");
      c.put("type", type);
    }
    ArrayNode statuses = status.putArray("containerStatuses");
    statuses.add(containerStatus(app, "registry.example.com/team/" + app + ":1.4.2", r));
    statuses.add(containerStatus("log-shipper", "docker.io/fluent/fluent-bit:3.1.9", r));
    status.put("hostIP", hostIp);
    status.putArray("hostIPs").addObject().put("ip", hostIp);
    status.put("phase", "Running");
    status.put("podIP", podIp);
    status.putArray("podIPs").addObject().put("ip", podIp);
    status.put("qosClass", "Burstable");
    status.put("startTime", TIME);
    return pod;
  }

  private static ObjectNode appContainer(
      String app, int port, String tokenVolume, SplittableRandom r) {
    ObjectNode c = F.objectNode();
    c.putArray("args").add("--config=/etc/" + app + "/config.yaml").add("--log-format=json");
    ArrayNode env = c.putArray("env");
    env.addObject().put("name", "APP_NAME").put("value", app);
    env.addObject().put("name", "LOG_LEVEL").put("value", "info");
    env.addObject().put("name", "HTTP_PORT").put("value", Integer.toString(port));
    env.addObject()
        .put("name", "OTEL_EXPORTER_OTLP_ENDPOINT")
        .put("value", "http://otel-collector.observability.svc:4317");
    env.addObject().put("name", "FEATURE_FLAGS").put("value", "payments-v2,async-ledger");
    fieldEnv(env, "POD_NAME", "metadata.name");
    fieldEnv(env, "POD_NAMESPACE", "metadata.namespace");
    fieldEnv(env, "POD_IP", "status.podIP");
    fieldEnv(env, "NODE_NAME", "spec.nodeName");
    ObjectNode secretEnv = env.addObject().put("name", "DB_PASSWORD");
    secretEnv
        .putObject("valueFrom")
        .putObject("secretKeyRef")
        .put("key", "password")
        .put("name", app + "-db");
    c.put("image", "registry.example.com/team/" + app + ":1.4.2");
    c.put("imagePullPolicy", "IfNotPresent");
    c.set("livenessProbe", probe("/healthz", "http", 3, 10));
    c.put("name", app);
    ArrayNode ports = c.putArray("ports");
    ports.addObject().put("containerPort", port).put("name", "http").put("protocol", "TCP");
    ports
        .addObject()
        .put("containerPort", port + 1000)
        .put("name", "metrics")
        .put("protocol", "TCP");
    c.set("readinessProbe", probe("/readyz", "http", 1, 5));
    ObjectNode res = c.putObject("resources");
    res.putObject("limits").put("cpu", "1").put("memory", (256 + r.nextInt(4) * 128) + "Mi");
    res.putObject("requests").put("cpu", "100m").put("memory", "128Mi");
    ObjectNode sc = c.putObject("securityContext");
    sc.put("allowPrivilegeEscalation", false);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    sc.put("readOnlyRootFilesystem", true);
    sc.put("runAsUser", 1000);
    c.put("terminationMessagePath", "/dev/termination-log");
    c.put("terminationMessagePolicy", "File");
    ArrayNode mounts = c.putArray("volumeMounts");
    mounts.addObject().put("mountPath", "/etc/" + app).put("name", "config").put("readOnly", true);
    mounts.addObject().put("mountPath", "/tmp").put("name", "tmp");
    mounts
        .addObject()
        .put("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount")
        .put("name", tokenVolume)
        .put("readOnly", true);
    return c;
  }

  private static ObjectNode sidecarContainer(String tokenVolume) {
    ObjectNode c = F.objectNode();
    ArrayNode env = c.putArray("env");
    env.addObject().put("name", "FLUENT_BIT_LOG_LEVEL").put("value", "warn");
    env.addObject().put("name", "OUTPUT_HOST").put("value", "logs.observability.svc");
    fieldEnv(env, "POD_NAME", "metadata.name");
    fieldEnv(env, "POD_NAMESPACE", "metadata.namespace");
    c.put("image", "docker.io/fluent/fluent-bit:3.1.9");
    c.put("imagePullPolicy", "IfNotPresent");
    c.set("livenessProbe", probe("/api/v1/health", "sidecar-http", 3, 30));
    c.put("name", "log-shipper");
    c.putArray("ports")
        .addObject()
        .put("containerPort", 2020)
        .put("name", "sidecar-http")
        .put("protocol", "TCP");
    ObjectNode res = c.putObject("resources");
    res.putObject("limits").put("cpu", "200m").put("memory", "64Mi");
    res.putObject("requests").put("cpu", "20m").put("memory", "32Mi");
    c.put("terminationMessagePath", "/dev/termination-log");
    c.put("terminationMessagePolicy", "File");
    ArrayNode mounts = c.putArray("volumeMounts");
    mounts.addObject().put("mountPath", "/tmp").put("name", "tmp");
    mounts
        .addObject()
        .put("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount")
        .put("name", tokenVolume)
        .put("readOnly", true);
    return c;
  }

  private static void fieldEnv(ArrayNode env, String name, String fieldPath) {
    env.addObject()
        .put("name", name)
        .putObject("valueFrom")
        .putObject("fieldRef")
        .put("apiVersion", "v1")
        .put("fieldPath", fieldPath);
  }

  private static ObjectNode probe(String path, String port, int failures, int period) {
    ObjectNode p = F.objectNode();
    p.put("failureThreshold", failures);
    p.putObject("httpGet").put("path", path).put("port", port).put("scheme", "HTTP");
    p.put("initialDelaySeconds", 5);
    p.put("periodSeconds", period);
    p.put("successThreshold", 1);
    p.put("timeoutSeconds", 1);
    return p;
  }

  private static ObjectNode projectedTokenVolume(String name) {
    ObjectNode v = F.objectNode();
    v.put("name", name);
    ObjectNode projected = v.putObject("projected");
    projected.put("defaultMode", 420);
    ArrayNode sources = projected.putArray("sources");
    sources
        .addObject()
        .putObject("serviceAccountToken")
        .put("expirationSeconds", 3607)
        .put("path", "token");
    ObjectNode ca = sources.addObject().putObject("configMap");
    ca.putArray("items").addObject().put("key", "ca.crt").put("path", "ca.crt");
    ca.put("name", "kube-root-ca.crt");
    ObjectNode downward = sources.addObject().putObject("downwardAPI");
    ObjectNode item = downward.putArray("items").addObject();
    item.putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", "metadata.namespace");
    item.put("path", "namespace");
    return v;
  }

  private static ObjectNode containerStatus(String name, String image, SplittableRandom r) {
    ObjectNode s = F.objectNode();
    s.put("containerID", "containerd://" + hex(r, 64));
    s.put("image", image);
    s.put("imageID", image.substring(0, image.indexOf(':')) + "@sha256:" + hex(r, 64));
    s.putObject("lastState");
    s.put("name", name);
    s.put("ready", true);
    s.put("restartCount", 0);
    s.put("started", true);
    s.putObject("state").putObject("running").put("startedAt", TIME);
    return s;
  }

  /** The {@code managedFields} of a ReplicaSet-created pod: the controller's and the kubelet's. */
  private static ArrayNode podManagedFields(String app, ObjectNode labels, SplittableRandom r) {
    ArrayNode mf = F.arrayNode();
    ObjectNode kcm = mf.addObject();
    kcm.put("apiVersion", "v1");
    kcm.put("fieldsType", "FieldsV1");
    ObjectNode f = kcm.putObject("fieldsV1");
    ObjectNode fm = f.putObject("f:metadata");
    ObjectNode fa = fm.putObject("f:annotations");
    fa.putObject(".");
    for (String a :
        new String[] {
          "kubectl.kubernetes.io/restartedAt",
          "prometheus.io/path",
          "prometheus.io/port",
          "prometheus.io/scrape"
        }) {
      fa.putObject("f:" + a);
    }
    fm.putObject("f:generateName");
    ObjectNode fl = fm.putObject("f:labels");
    fl.putObject(".");
    labels.fieldNames().forEachRemaining(n -> fl.putObject("f:" + n));
    fm.putObject("f:ownerReferences").putObject(".").putObject("k:{\"uid\":\"" + uid(r) + "\"}");
    ObjectNode fs = f.putObject("f:spec");
    ObjectNode fc = fs.putObject("f:containers");
    for (String c : new String[] {app, "log-shipper"}) {
      ObjectNode k = fc.putObject("k:{\"name\":\"" + c + "\"}");
      k.putObject(".");
      for (String field :
          new String[] {
            "f:env",
            "f:image",
            "f:imagePullPolicy",
            "f:livenessProbe",
            "f:name",
            "f:ports",
            "f:resources",
            "f:terminationMessagePath",
            "f:terminationMessagePolicy",
            "f:volumeMounts"
          }) {
        k.putObject(field);
      }
    }
    for (String field :
        new String[] {
          "f:dnsPolicy",
          "f:enableServiceLinks",
          "f:restartPolicy",
          "f:schedulerName",
          "f:securityContext",
          "f:serviceAccount",
          "f:serviceAccountName",
          "f:terminationGracePeriodSeconds",
          "f:volumes"
        }) {
      fs.putObject(field);
    }
    kcm.put("manager", "kube-controller-manager");
    kcm.put("operation", "Update");
    kcm.put("time", TIME);

    ObjectNode kubelet = mf.addObject();
    kubelet.put("apiVersion", "v1");
    kubelet.put("fieldsType", "FieldsV1");
    ObjectNode st = kubelet.putObject("fieldsV1").putObject("f:status");
    ObjectNode conds = st.putObject("f:conditions");
    for (String type :
        new String[] {
          "ContainersReady", "Initialized", "PodReadyToStartContainers", "PodScheduled", "Ready"
        }) {
      ObjectNode k = conds.putObject("k:{\"type\":\"" + type + "\"}");
      k.putObject(".");
      k.putObject("f:lastProbeTime");
      k.putObject("f:lastTransitionTime");
      k.putObject("f:status");
      k.putObject("f:type");
    }
    for (String field :
        new String[] {
          "f:containerStatuses",
          "f:hostIP",
          "f:hostIPs",
          "f:phase",
          "f:podIP",
          "f:podIPs",
          "f:startTime"
        }) {
      st.putObject(field);
    }
    kubelet.put("manager", "kubelet");
    kubelet.put("operation", "Update");
    kubelet.put("subresource", "status");
    kubelet.put("time", TIME);
    return mf;
  }

  static String nodeIp(int node) {
    return "172.20." + (node >> 8 & 255) + "." + (node & 255);
  }

  /** A Node as the API server returns it (a cloud worker). */
  ObjectNode node(int i) {
    SplittableRandom r = random(-1L - i);
    String name = SyntheticCluster.nodeName(i);
    ObjectNode node = F.objectNode();
    node.put("apiVersion", "v1");
    node.put("kind", "Node");
    ObjectNode meta = node.putObject("metadata");
    ObjectNode ann = meta.putObject("annotations");
    ann.put("node.alpha.kubernetes.io/ttl", "0");
    ann.put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
    ann.put("csi.volume.kubernetes.io/nodeid", "{\"ebs.csi.aws.com\":\"i-" + hex(r, 17) + "\"}");
    ObjectNode labels = meta.putObject("labels");
    labels.put("beta.kubernetes.io/arch", "amd64");
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("node.kubernetes.io/instance-type", "m6i.2xlarge");
    labels.put("topology.kubernetes.io/region", "eu-west-1");
    labels.put("topology.kubernetes.io/zone", "eu-west-1" + "abc".charAt(i % 3));
    meta.put("name", name);
    ObjectNode spec = node.putObject("spec");
    spec.put("podCIDR", "10." + (i >> 8 & 255) + "." + (i & 255) + ".0/24");
    spec.put("providerID", "aws:///eu-west-1a/i-" + hex(r, 17));
    ObjectNode status = node.putObject("status");
    ArrayNode addresses = status.putArray("addresses");
    addresses.addObject().put("address", nodeIp(i)).put("type", "InternalIP");
    addresses.addObject().put("address", name).put("type", "Hostname");
    ObjectNode cap = F.objectNode();
    cap.put("cpu", "8").put("ephemeral-storage", "104845292Ki").put("memory", "32386524Ki");
    cap.put("pods", "110");
    status.set("allocatable", cap.deepCopy());
    status.set("capacity", cap);
    ArrayNode conditions = status.putArray("conditions");
    for (String[] c :
        new String[][] {
          {"MemoryPressure", "False", "KubeletHasSufficientMemory"},
          {"DiskPressure", "False", "KubeletHasNoDiskPressure"},
          {"PIDPressure", "False", "KubeletHasSufficientPID"},
          {"Ready", "True", "KubeletReady"}
        }) {
      ObjectNode cond = conditions.addObject();
      cond.put("lastHeartbeatTime", TIME);
      cond.put("lastTransitionTime", TIME);
      cond.put("message", "kubelet status: " + c[2]);
      cond.put("reason", c[2]);
      cond.put("status", c[1]);
      cond.put("type", c[0]);
    }
    ObjectNode info = status.putObject("nodeInfo");
    info.put("architecture", "amd64");
    info.put("bootID", uid(r));
    info.put("containerRuntimeVersion", "containerd://1.7.22");
    info.put("kernelVersion", "6.1.112-124.190.amzn2023.x86_64");
    info.put("kubeProxyVersion", "v1.30.4");
    info.put("kubeletVersion", "v1.30.4");
    info.put("machineID", hex(r, 32));
    info.put("operatingSystem", "linux");
    info.put("osImage", "Amazon Linux 2023.6.20241010");
    info.put("systemUUID", uid(r));
    ArrayNode images = status.putArray("images");
    for (int k = 0; k < 8; k++) {
      ObjectNode img = images.addObject();
      img.putArray("names")
          .add("registry.example.com/team/app-" + k + "@sha256:" + hex(r, 64))
          .add("registry.example.com/team/app-" + k + ":1.4.2");
      img.put("sizeBytes", 20_000_000 + r.nextInt(200_000_000));
    }
    return node;
  }

  /**
   * The Endpoints of a headless Service in a namespace, addressing pods of a StatefulSet that is
   * not part of the benchmark (so the entries do not change): informers list and watch them as they
   * would in a cluster.
   */
  ObjectNode endpoints(int namespace) {
    SplittableRandom r = random(-1_000_000L - namespace);
    String ns = "team-" + namespace;
    ObjectNode ep = F.objectNode();
    ep.put("apiVersion", "v1");
    ep.put("kind", "Endpoints");
    ObjectNode meta = ep.putObject("metadata");
    meta.putObject("annotations")
        .put("endpoints.kubernetes.io/last-change-trigger-time", "2026-11-30T08:00:00Z");
    meta.putObject("labels")
        .put("app", "cache")
        .put("service.kubernetes.io/headless", "")
        .put("app.kubernetes.io/name", "cache");
    meta.put("name", "cache");
    meta.put("namespace", ns);
    ObjectNode subset = ep.putArray("subsets").addObject();
    ArrayNode addresses = subset.putArray("addresses");
    for (int k = 0; k < 3; k++) {
      ObjectNode a = addresses.addObject();
      a.put("hostname", "cache-" + k);
      a.put("ip", "10.250." + (namespace & 255) + "." + (k + 1));
      a.put("nodeName", SyntheticCluster.nodeName(k));
      ObjectNode t = a.putObject("targetRef");
      t.put("kind", "Pod");
      t.put("name", "cache-" + k);
      t.put("namespace", ns);
      t.put("uid", uid(r));
    }
    subset
        .putArray("ports")
        .addObject()
        .put("name", "redis")
        .put("port", 6379)
        .put("protocol", "TCP");
    return ep;
  }

  /** The merge patch a relabel sends: the workload label only. */
  static ObjectNode relabelPatch(SyntheticCluster.Pod p) {
    ObjectNode patch = F.objectNode();
    patch
        .putObject("metadata")
        .putObject("labels")
        .put(SyntheticCluster.LABEL, SyntheticCluster.appName(p.label()));
    return patch;
  }
}
