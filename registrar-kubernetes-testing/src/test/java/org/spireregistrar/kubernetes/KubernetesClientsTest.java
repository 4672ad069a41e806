package org.spireregistrar.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;

class KubernetesClientsTest {
  @TempDir Path home;

  @Test
  void explainsWhatWasTriedWhenNothingIsConfigured() {
    assertThatThrownBy(() -> KubernetesClients.create(Map.of(), home))
        .isInstanceOf(KubernetesSetupException.class)
        .hasMessage(
            "no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, or run in"
                + " a pod with a service account token");
  }

  @Test
  void kubeconfigNamingNoFileIsAClearError() {
    String missing = home.resolve("nope").toString();
    assertThatThrownBy(() -> KubernetesClients.create(Map.of("KUBECONFIG", missing), home))
        .isInstanceOf(KubernetesSetupException.class)
        .hasMessage("KUBECONFIG names no readable file: " + missing);
  }

  @Test
  void usesKubeconfigFromTheEnvironmentThenFromHome() throws Exception {
    try (KubernetesApiStandIn standIn = KubernetesApiStandIn.start()) {
      Path file = standIn.writeKubeconfig(home.resolve("kc"));
      ApiClient fromEnv = KubernetesClients.create(Map.of("KUBECONFIG", file.toString()), home);
      assertThat(new CoreV1Api(fromEnv).listNode().execute().getItems()).isEmpty();

      standIn.writeKubeconfig(home.resolve(".kube/config"));
      ApiClient fromHome = KubernetesClients.create(Map.of(), home);
      assertThat(fromHome.getBasePath()).isEqualTo(standIn.url());
      assertThat(fromHome.getHttpClient().readTimeoutMillis())
          .as("watches need no read timeout")
          .isZero();
    }
  }
}
