package org.spireregistrar.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.webhook.WebhookMode;

/**
 * {@code generate-config -out-dir} plus {@code examples/webhook/registrar.conf}: the registrar
 * serves with the generated files, and a client holding the kubeconfig's credentials and the
 * webhook configuration's caBundle — what the API server holds — gets its pod admitted.
 */
class GeneratedCertificatesServeWebhookModeTest {
  @TempDir Path dir;

  @Test
  void theApiServersCredentialsAreAdmittedByTheRegistrarsFiles() throws Exception {
    GenerateConfigCommandTest.Run generated =
        GenerateConfigCommandTest.runAt(Clock.systemUTC(), "-out-dir", dir.toString());
    assertThat(generated.exitCode()).as(generated.err()).isZero();

    RegistrarConfig example = HclConfigLoader.load(Path.of("../examples/webhook/registrar.conf"));
    WebhookConfig w = example.webhook();
    // The example names the files relative to the working directory; run "there".
    RegistrarConfig config =
        new RegistrarConfig(
            example.common(),
            new WebhookConfig(
                "127.0.0.1:0",
                dir.resolve(w.certPath()).toString(),
                dir.resolve(w.keyPath()).toString(),
                dir.resolve(w.cacertPath()).toString(),
                w.insecureSkipClientVerification()),
            example.reconcile(),
            example.crd(),
            example.warnings());
    assertThat(w.insecureSkipClientVerification()).isFalse();

    InMemoryEntryStore store = new InMemoryEntryStore();
    try (WebhookMode mode = new WebhookMode(config, store)) {
      mode.start();
      String label = example.common().podLabel();
      String review =
          "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{"
              + "\"uid\":\"u-1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
              + "\"operation\":\"CREATE\",\"namespace\":\"default\",\"name\":\"web-0\",\"object\":"
              + "{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"default\",\"labels\":{\""
              + label
              + "\":\"web\"}},\"spec\":{\"serviceAccountName\":\"default\"}}}}";
      String response = post(mode.address(), apiServerContext(generated), review);
      assertThat(response)
          .startsWith("HTTP/1.1 200")
          .endsWith(
              "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\","
                  + "\"response\":{\"uid\":\"u-1\",\"allowed\":true}}");
    }
    assertThat(store.entries())
        .extracting(e -> e.spiffeId().toString())
        .contains("spiffe://example.org/web");
  }

  /** The API server's view: the kubeconfig's client credentials, trusting the caBundle. */
  private static SSLContext apiServerContext(GenerateConfigCommandTest.Run generated)
      throws Exception {
    JsonNode user = generated.document("Config").path("users").get(0).path("user");
    X509Certificate clientCert =
        GenerateConfigCommandTest.certificate(
            GenerateConfigCommandTest.unbase64(user.path("client-certificate-data")));
    PrivateKey clientKey =
        GenerateConfigCommandTest.privateKey(
            GenerateConfigCommandTest.unbase64(user.path("client-key-data")));
    X509Certificate ca =
        GenerateConfigCommandTest.certificate(
            GenerateConfigCommandTest.unbase64(
                generated
                    .document("ValidatingWebhookConfiguration")
                    .path("webhooks")
                    .get(0)
                    .path("clientConfig")
                    .path("caBundle")));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("client", clientKey, new char[0], new X509Certificate[] {clientCert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private static String post(InetSocketAddress server, SSLContext ctx, String body)
      throws Exception {
    try (SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.getPort())) {
      s.setSoTimeout(10_000);
      // Verify the server as the API server does: by the service DNS name in its certificate.
      var params = s.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      params.setServerNames(
          List.of(new javax.net.ssl.SNIHostName("k8s-workload-registrar.spire.svc")));
      s.setSSLParameters(params);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /validate?timeout=10s HTTP/1.1\r\nHost: k8s-workload-registrar.spire.svc\r\n"
                  + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      in.transferTo(response);
      return response.toString(StandardCharsets.UTF_8);
    }
  }
}
