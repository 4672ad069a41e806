package org.spireregistrar.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.webhook.setup.KeyAlgorithm;
import picocli.CommandLine;

class GenerateConfigCommandTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {
    List<JsonNode> documents() {
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(out)) {
        List<JsonNode> docs = new ArrayList<>();
        while (it.hasNext()) {
          docs.add(it.next());
        }
        return docs;
      } catch (IOException e) {
        throw new AssertionError("output is not valid YAML: " + e.getMessage() + "\n" + out, e);
      }
    }

    JsonNode document(String kind) {
      return documents().stream()
          .filter(d -> d.path("kind").asText().equals(kind))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " document"));
    }
  }

  static Run run(String... args) {
    return runAt(Clock.fixed(NOW, ZoneOffset.UTC), args);
  }

  static Run runAt(Clock clock, String... args) {
    CommandLine cl =
        new CommandLine(new GenerateConfigCommand(clock, new java.security.SecureRandom()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static X509Certificate certificate(String pem) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new AssertionError("not a PEM certificate: " + pem, e);
    }
  }

  static PrivateKey privateKey(String pem) {
    try (PEMParser p = new PEMParser(new java.io.StringReader(pem))) {
      Object o = p.readObject();
      assertThat(o).isInstanceOf(PrivateKeyInfo.class); // PKCS#8 "PRIVATE KEY"
      return new JcaPEMKeyConverter()
          .setProvider(KeyAlgorithm.PROVIDER)
          .getPrivateKey((PrivateKeyInfo) o);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static String unbase64(JsonNode node) {
    return new String(Base64.getDecoder().decode(node.asText()), StandardCharsets.US_ASCII);
  }

  static boolean keyMatches(PrivateKey key, PublicKey pub) throws Exception {
    String alg = key.getAlgorithm().startsWith("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    Signature s = Signature.getInstance(alg, KeyAlgorithm.PROVIDER);
    s.initSign(key);
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    Signature v = Signature.getInstance(alg, KeyAlgorithm.PROVIDER);
    v.initVerify(pub);
    v.update(new byte[] {1, 2, 3});
    return v.verify(sig);
  }

  static byte[] skid(X509Certificate c) {
    return SubjectKeyIdentifier.getInstance(
            ASN1OctetString.getInstance(c.getExtensionValue(Extension.subjectKeyIdentifier.getId()))
                .getOctets())
        .getKeyIdentifier();
  }

  static byte[] akid(X509Certificate c) {
    return AuthorityKeyIdentifier.getInstance(
            ASN1OctetString.getInstance(
                    c.getExtensionValue(Extension.authorityKeyIdentifier.getId()))
                .getOctets())
        .getKeyIdentifierOctets();
  }

  // --- documents ---

  @Test
  void printsFiveValidYamlDocumentsWithUpstreamsNames() {
    Run r = run();
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).doesNotContain("\t").startsWith("---\n#");
    assertThat(r.documents())
        .extracting(d -> d.path("kind").asText() + " " + d.path("metadata").path("name").asText(""))
        .containsExactly(
            "ConfigMap k8s-workload-registrar-certs",
            "Secret k8s-workload-registrar-secret",
            "Config ",
            "ValidatingWebhookConfiguration k8s-workload-registrar-webhook",
            "AdmissionConfiguration ");
  }

  @Test
  void namespacesTheConfigMapAndTheSecret() {
    Run r = run("-namespace", "security");
    assertThat(r.document("ConfigMap").path("metadata").path("namespace").asText())
        .isEqualTo("security");
    assertThat(r.document("Secret").path("metadata").path("namespace").asText())
        .isEqualTo("security");
    assertThat(r.document("Secret").path("type").asText()).isEqualTo("Opaque");
  }

  @Test
  void writesTheWebhookConfigurationInFull() {
    Run r = run("-namespace", "ns1", "-service", "reg");
    JsonNode hook = r.document("ValidatingWebhookConfiguration").path("webhooks").get(0);
    assertThat(hook.path("name").asText()).isEqualTo("reg.ns1.svc");
    assertThat(hook.path("clientConfig").path("service").path("name").asText()).isEqualTo("reg");
    assertThat(hook.path("clientConfig").path("service").path("namespace").asText())
        .isEqualTo("ns1");
    assertThat(hook.path("clientConfig").path("service").path("path").asText())
        .isEqualTo("/validate");
    assertThat(unbase64(hook.path("clientConfig").path("caBundle")))
        .isEqualTo(r.document("ConfigMap").path("data").path("cacert.pem").asText());
    assertThat(hook.path("admissionReviewVersions").toString()).isEqualTo("[\"v1\",\"v1beta1\"]");
    assertThat(hook.path("sideEffects").asText()).isEqualTo("NoneOnDryRun");
    assertThat(hook.path("failurePolicy").asText()).isEqualTo("Fail");
    assertThat(hook.path("timeoutSeconds").asInt()).isEqualTo(10);
    JsonNode rule = hook.path("rules").get(0);
    assertThat(rule.path("apiGroups").toString()).isEqualTo("[\"\"]");
    assertThat(rule.path("apiVersions").toString()).isEqualTo("[\"v1\"]");
    assertThat(rule.path("operations").toString()).isEqualTo("[\"CREATE\",\"DELETE\"]");
    assertThat(rule.path("resources").toString()).isEqualTo("[\"pods\"]");
    assertThat(rule.path("scope").asText()).isEqualTo("Namespaced");
  }

  @Test
  void pointsTheAdmissionConfigurationAtTheKubeconfig() {
    Run r = run("-kubeconfig-path", "/etc/k/admission.yaml");
    JsonNode plugin = r.document("AdmissionConfiguration").path("plugins").get(0);
    assertThat(r.document("AdmissionConfiguration").path("apiVersion").asText())
        .isEqualTo("apiserver.config.k8s.io/v1");
    assertThat(plugin.path("name").asText()).isEqualTo("ValidatingAdmissionWebhook");
    assertThat(plugin.path("configuration").path("kind").asText())
        .isEqualTo("WebhookAdmissionConfiguration");
    assertThat(plugin.path("configuration").path("kubeConfigFile").asText())
        .isEqualTo("/etc/k/admission.yaml");
    assertThat(r.out()).contains("# Save this document as /etc/k/admission.yaml");
  }

  @Test
  void namesTheKubeconfigUserAfterTheServiceDnsName() {
    JsonNode users = run().document("Config").path("users");
    assertThat(users).hasSize(1);
    assertThat(users.get(0).path("name").asText()).isEqualTo("k8s-workload-registrar.spire.svc");
  }

  // --- certificates ---

  @Test
  void issuesCertificatesThatChainWithTheRightNamesAndUsages() throws Exception {
    Run r = run();
    JsonNode data = r.document("ConfigMap").path("data");
    X509Certificate ca = certificate(data.path("cacert.pem").asText());
    X509Certificate server = certificate(data.path("server-cert.pem").asText());
    JsonNode user = r.document("Config").path("users").get(0).path("user");
    X509Certificate client = certificate(unbase64(user.path("client-certificate-data")));

    // CA: self-signed, CertSign + CRLSign, a CA.
    ca.verify(ca.getPublicKey());
    assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=K8S WORKLOAD REGISTRAR CA");
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(ca.getKeyUsage())
        .containsExactly(false, false, false, false, false, true, true, false, false);
    assertThat(ca.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");

    // Server: signed by the CA, serverAuth, the service DNS name.
    server.verify(ca.getPublicKey());
    assertThat(server.getSubjectX500Principal().getName())
        .isEqualTo("CN=K8S WORKLOAD REGISTRAR SERVER");
    assertThat(server.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(server.getSubjectAlternativeNames())
        .containsExactly(List.of(2, "k8s-workload-registrar.spire.svc"));
    // digitalSignature, keyEncipherment, keyAgreement
    assertThat(server.getKeyUsage())
        .containsExactly(true, false, true, false, true, false, false, false, false);
    assertThat(server.getBasicConstraints()).isEqualTo(-1);

    // Client: signed by the CA, clientAuth, no SAN.
    client.verify(ca.getPublicKey());
    assertThat(client.getSubjectX500Principal().getName())
        .isEqualTo("CN=K8S WORKLOAD REGISTRAR CLIENT");
    assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(client.getSubjectAlternativeNames()).isNull();
    assertThat(client.getKeyUsage()).isEqualTo(server.getKeyUsage());

    // Key IDs: each leaf's authority key ID is the CA's subject key ID.
    assertThat(akid(server)).isEqualTo(skid(ca));
    assertThat(akid(client)).isEqualTo(skid(ca));
    assertThat(skid(server)).isNotEqualTo(skid(ca));

    for (X509Certificate c : List.of(ca, server, client)) {
      assertThat(c.getSerialNumber().signum()).isPositive();
      assertThat(c.getSerialNumber().bitLength()).isLessThanOrEqualTo(63);
      assertThat(c.getNotBefore().toInstant()).isEqualTo(NOW);
      assertThat(c.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(8760)));
    }
  }

  @Test
  void shipsKeysThatMatchTheirCertificates() throws Exception {
    Run r = run();
    X509Certificate server =
        certificate(r.document("ConfigMap").path("data").path("server-cert.pem").asText());
    PrivateKey serverKey =
        privateKey(unbase64(r.document("Secret").path("data").path("server-key.pem")));
    JsonNode user = r.document("Config").path("users").get(0).path("user");
    X509Certificate client = certificate(unbase64(user.path("client-certificate-data")));
    PrivateKey clientKey = privateKey(unbase64(user.path("client-key-data")));
    assertThat(keyMatches(serverKey, server.getPublicKey())).isTrue();
    assertThat(keyMatches(clientKey, client.getPublicKey())).isTrue();
    assertThat(keyMatches(clientKey, server.getPublicKey())).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      textBlock =
          """
          rsa-2048, RSA, 2048
          rsa-4096, RSA, 4096
          ec-p224,  EC,  224
          ec-p256,  EC,  256
          ec-p384,  EC,  384
          ec-p521,  EC,  521
          EC-P256,  EC,  256
          """)
  void generatesServerKeysOfEachAlgorithm(String alg, String type, int bits) {
    Run r = run("-server-key-alg", alg);
    assertThat(r.exitCode()).as(r.err()).isZero();
    PublicKey key =
        certificate(r.document("ConfigMap").path("data").path("server-cert.pem").asText())
            .getPublicKey();
    assertThat(key.getAlgorithm()).isIn(type, type.equals("EC") ? "ECDSA" : "RSA");
    int size =
        key instanceof RSAPublicKey rsa
            ? rsa.getModulus().bitLength()
            : ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
    assertThat(size).isEqualTo(bits);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      textBlock =
          """
          rsa-2048, SHA256withRSA
          ec-p256,  SHA256withECDSA
          ec-p384,  SHA384withECDSA
          ec-p521,  SHA512withECDSA
          """)
  void signsWithTheCaKeysAlgorithmAsGoDoes(String caAlg, String signature) {
    Run r = run("-ca-key-alg", caAlg, "-client-key-alg", "ec-p384");
    X509Certificate client =
        certificate(
            unbase64(
                r.document("Config")
                    .path("users")
                    .get(0)
                    .path("user")
                    .path("client-certificate-data")));
    assertThat(client.getSigAlgName()).isEqualToIgnoringCase(signature);
    assertThat(
            ((ECPublicKey) client.getPublicKey()).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(384);
  }

  @Test
  void warnsThatP224KeysCannotBeUsedForTls() {
    Run r = run("-client-key-alg", "ec-p224");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).startsWith("warning: -client-key-alg ec-p224: ");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      textBlock =
          """
          1h30m, 5400
          1s,    1
          """)
  void appliesTheTtl(String ttl, long seconds) {
    X509Certificate ca =
        certificate(
            run("-ttl", ttl).document("ConfigMap").path("data").path("cacert.pem").asText());
    assertThat(ca.getNotAfter().toInstant()).isEqualTo(NOW.plusSeconds(seconds));
  }

  @Test
  void makesAZeroTtlNeverExpire() {
    Run r = run("-ttl", "0");
    for (String field : List.of("cacert.pem", "server-cert.pem")) {
      X509Certificate c = certificate(r.document("ConfigMap").path("data").path(field).asText());
      assertThat(c.getNotAfter().toInstant()).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
    }
  }

  // --- usage errors ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          unknown algorithm | -ca-key-alg     | dsa-1024 | unsupported key algorithm "dsa-1024"
          unknown server    | -server-key-alg | ed25519  | unsupported key algorithm "ed25519"
          bad duration unit | -ttl            | 1d       | time: unknown unit "d" in duration "1d"
          negative ttl      | -ttl            | -1h      | ttl must not be negative: "-1h"
          """)
  void rejectsBadFlagsAsUsageErrors(String name, String flag, String value, String message) {
    Run r = run(flag, value);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(message);
    assertThat(r.out()).isEmpty();
  }

  // --- -out-dir ---

  @Test
  void writesThePemFilesTheRegistrarReads() throws Exception {
    Path out = dir.resolve("certs");
    Run r = run("-out-dir", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode data = r.document("ConfigMap").path("data");
    assertThat(Files.readString(out.resolve("cert.pem")))
        .isEqualTo(data.path("server-cert.pem").asText());
    assertThat(Files.readString(out.resolve("cacert.pem")))
        .isEqualTo(data.path("cacert.pem").asText());
    assertThat(Files.readString(out.resolve("key.pem")))
        .isEqualTo(unbase64(r.document("Secret").path("data").path("server-key.pem")));
    JsonNode user = r.document("Config").path("users").get(0).path("user");
    assertThat(Files.readString(out.resolve("client-cert.pem")))
        .isEqualTo(unbase64(user.path("client-certificate-data")));
    assertThat(Files.readString(out.resolve("client-key.pem")))
        .isEqualTo(unbase64(user.path("client-key-data")));
    assertThat(YAML.readTree(out.resolve("kubeconfig.yaml").toFile()))
        .isEqualTo(r.document("Config"));
    assertThat(YAML.readTree(out.resolve("admission-configuration.yaml").toFile()))
        .isEqualTo(r.document("AdmissionConfiguration"));
    List<JsonNode> applied = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        YAML.readerFor(JsonNode.class).readValues(out.resolve("manifests.yaml").toFile())) {
      it.forEachRemaining(applied::add);
    }
    assertThat(applied)
        .containsExactly(
            r.document("ConfigMap"),
            r.document("Secret"),
            r.document("ValidatingWebhookConfiguration"));
    for (String key : List.of("key.pem", "client-key.pem", "kubeconfig.yaml", "manifests.yaml")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(key))))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void reportsAnOutDirThatCannotBeWritten() throws IOException {
    Path file = Files.writeString(dir.resolve("taken"), "x");
    Run r = run("-out-dir", file.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: cannot write " + file + ": a file is in the way\n");
    assertThat(r.out()).isEmpty();
  }
}
