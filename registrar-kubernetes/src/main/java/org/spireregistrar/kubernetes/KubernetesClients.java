package org.spireregistrar.kubernetes;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Creates the Kubernetes API client: from {@code KUBECONFIG}, else {@code ~/.kube/config}, else the
 * in-cluster service account. Watches need unbounded reads, so the read timeout is off.
 */
public final class KubernetesClients {
  static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private KubernetesClients() {}

  /**
   * The client for this environment.
   *
   * @throws KubernetesSetupException naming what was tried when no configuration works
   */
  public static ApiClient create() {
    return create(System.getenv(), Path.of(System.getProperty("user.home", "/")));
  }

  static ApiClient create(Map<String, String> env, Path home) {
    ApiClient client;
    String kubeconfig = env.get("KUBECONFIG");
    try {
      if (kubeconfig != null && !kubeconfig.isBlank()) {
        // KUBECONFIG may list several files; the first one that exists is used.
        Path file =
            firstExisting(kubeconfig)
                .orElseThrow(
                    () ->
                        new KubernetesSetupException(
                            "KUBECONFIG names no readable file: " + kubeconfig));
        client = fromKubeconfig(file);
      } else if (Files.isReadable(home.resolve(".kube/config"))) {
        client = fromKubeconfig(home.resolve(".kube/config"));
      } else if (env.containsKey("KUBERNETES_SERVICE_HOST")
          && Files.isReadable(SERVICE_ACCOUNT_DIR.resolve("token"))) {
        client = ClientBuilder.cluster().build();
      } else {
        throw new KubernetesSetupException(
            "no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, or run in"
                + " a pod with a service account token");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof KubernetesSetupException k) {
        throw k;
      }
      throw new KubernetesSetupException(
          "unable to set up the Kubernetes client: " + e.getMessage());
    }
    client.setHttpClient(
        client.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
    return client;
  }

  /** A client for the kubeconfig file {@code file}. */
  public static ApiClient fromKubeconfig(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file)) {
      KubeConfig config = KubeConfig.loadKubeConfig(r);
      config.setFile(file.toFile());
      return ClientBuilder.kubeconfig(config).build();
    }
  }

  private static Optional<Path> firstExisting(String list) {
    for (String part : list.split(java.io.File.pathSeparator)) {
      if (!part.isBlank() && Files.isReadable(Path.of(part))) {
        return Optional.of(Path.of(part));
      }
    }
    return Optional.empty();
  }

  /**
   * The namespace this registrar runs in: {@code MY_POD_NAMESPACE} or {@code POD_NAMESPACE}, else
   * the service account's namespace file, else {@code default}.
   */
  public static String ownNamespace() {
    for (String var : new String[] {"MY_POD_NAMESPACE", "POD_NAMESPACE"}) {
      String v = System.getenv(var);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    try {
      Path f = SERVICE_ACCOUNT_DIR.resolve("namespace");
      if (Files.isReadable(f)) {
        String ns = Files.readString(f).trim();
        if (!ns.isEmpty()) {
          return ns;
        }
      }
    } catch (IOException e) {
      // fall through to the default
    }
    return "default";
  }
}
