package org.spireregistrar.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.kubernetes.KubernetesClients;
import org.spireregistrar.kubernetes.testing.KubernetesApiStandIn;
import org.spireregistrar.reconcile.ObjectKey;

/**
 * The cluster of {@code --source api}: a {@link KubernetesApiStandIn} holding the {@link
 * SyntheticCluster} as {@linkplain RealisticObjects realistic objects}, and the churn sent to it
 * over HTTP as a controller and the kubelet would send it.
 *
 * <p>Seeding writes straight into the stand-in's store (as etcd would hold the objects before the
 * registrar starts); churn goes over HTTP: a create is the ReplicaSet controller's POST of the pod
 * (already bound to its node, without status) followed by the kubelet's status PATCH that gives it
 * its IP; a relabel is a JSON merge PATCH of the label; a delete a DELETE. Each request is noted in
 * the {@link EventTimes} just before it is sent, so latencies include the watch.
 */
final class ApiCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesApiStandIn standIn;
  private final RealisticObjects objects;
  private final Path kubeconfig;
  private final HttpClient http;

  ApiCluster(long seed) {
    this.standIn = KubernetesApiStandIn.builder().historySize(20_000).start();
    this.objects = new RealisticObjects(seed);
    try {
      this.kubeconfig =
          standIn.writeKubeconfig(
              Files.createTempDirectory("registrar-bench").resolve("kubeconfig"));
    } catch (IOException e) {
      standIn.close();
      throw new UncheckedIOException("cannot write the stand-in's kubeconfig", e);
    }
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  /** Stores every node, namespace, Endpoints object and pod of {@code cluster}. */
  void seed(SyntheticCluster cluster, int nodes) {
    for (int i = 0; i < nodes; i++) {
      standIn.create("/api/v1/nodes", objects.node(i));
    }
    for (int ns = 0; ns < SyntheticCluster.NAMESPACES; ns++) {
      ObjectNode namespace = JSON.createObjectNode();
      namespace.put("apiVersion", "v1").put("kind", "Namespace");
      namespace.putObject("metadata").put("name", "team-" + ns);
      standIn.create("/api/v1/namespaces", namespace);
      standIn.create("/api/v1/namespaces/team-" + ns + "/endpoints", objects.endpoints(ns));
    }
    for (SyntheticCluster.Pod p : cluster.pods()) {
      standIn.create(collection(p), objects.pod(p));
    }
  }

  private static String collection(SyntheticCluster.Pod p) {
    return "/api/v1/namespaces/" + SyntheticCluster.namespace(p) + "/pods";
  }

  private static String path(SyntheticCluster.Pod p) {
    return collection(p) + "/" + SyntheticCluster.podName(p);
  }

  /**
   * A client as the registrar's composition root builds one from a kubeconfig ({@link
   * KubernetesClients#fromKubeconfig}, read timeout off for watches).
   */
  ApiClient client() {
    try {
      ApiClient client = KubernetesClients.fromKubeconfig(kubeconfig);
      client.setHttpClient(
          client.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
      return client;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the stand-in's kubeconfig", e);
    }
  }

  /** Sends one churn event's requests, noting each in {@code times} just before it goes. */
  void send(SyntheticCluster.Event e, EventTimes times) {
    SyntheticCluster.Pod p = e.pod();
    ObjectKey key = new ObjectKey.Pod(SyntheticCluster.namespace(p), SyntheticCluster.podName(p));
    switch (e.op()) {
      case CREATE -> {
        ObjectNode pod = objects.pod(p);
        ObjectNode status = (ObjectNode) pod.remove("status");
        times.sent(key, System.nanoTime());
        request("POST", collection(p), "application/json", pod, 201);
        ObjectNode patch = JSON.createObjectNode();
        patch.set("status", status);
        times.sent(key, System.nanoTime());
        request("PATCH", path(p) + "/status", "application/merge-patch+json", patch, 200);
      }
      case RELABEL -> {
        times.sent(key, System.nanoTime());
        request(
            "PATCH",
            path(p),
            "application/merge-patch+json",
            RealisticObjects.relabelPatch(p),
            200);
      }
      case DELETE -> {
        times.sent(key, System.nanoTime());
        request("DELETE", path(p), "application/json", null, 200);
      }
    }
  }

  private void request(String method, String path, String contentType, ObjectNode body, int ok) {
    try {
      HttpRequest.BodyPublisher publisher =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(standIn.url() + path))
              .method(method, publisher)
              .header("Content-Type", contentType)
              .timeout(Duration.ofSeconds(30))
              .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != ok) {
        String answer = response.body();
        throw new IllegalStateException(
            method
                + " "
                + path
                + ": HTTP "
                + response.statusCode()
                + ": "
                + GoQuote.quote(answer.length() > 500 ? answer.substring(0, 500) + "..." : answer));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    standIn.close();
    try {
      Files.deleteIfExists(kubeconfig);
      Files.deleteIfExists(kubeconfig.getParent());
    } catch (IOException e) {
      // a leftover temp file is harmless
    }
  }
}
