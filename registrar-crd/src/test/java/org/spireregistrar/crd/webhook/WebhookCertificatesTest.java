package org.spireregistrar.crd.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spireregistrar.core.MintedSvid;
import org.spireregistrar.webhook.server.ServerStartException;

/**
 * The webhook certificate minted by the in-memory SPIRE server over a real Unix socket, written to
 * a real directory, rotated on a clock and scheduler the test moves.
 */
class WebhookCertificatesTest {
  static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  /** The in-memory server's default X509-SVID TTL, backdated by 10 s. */
  static final Duration LIFETIME = Duration.ofHours(1).plusSeconds(10);

  @TempDir Path tmp;
  ManualScheduler scheduler;
  SpireFixture fixture;
  Path certDir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final List<String> events = new ArrayList<>();

  @BeforeEach
  void start() {
    scheduler = new ManualScheduler(START);
    fixture = new SpireFixture(tmp.resolve("api.sock"), scheduler.clock);
    certDir = tmp.resolve("run").resolve("serving-certs");
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    fixture.close();
  }

  WebhookCertificates certificates(CertDirProbe probe) {
    WebhookCertificates c =
        new WebhookCertificates(
            SpireFixture.settings(certDir), fixture.minter, scheduler.clock, scheduler, probe);
    c.addListener(
        new WebhookCertificates.Listener() {
          @Override
          public void rotated(MintedSvid svid) {
            events.add("rotated " + svid.leaf().getSerialNumber());
          }

          @Override
          public void rotationFailed(String error, Instant retryAt) {
            events.add("failed " + error);
          }
        });
    closeables.add(c);
    return c;
  }

  WebhookCertificates certificates() {
    return certificates(CertDirProbe.FILE_SYSTEM);
  }

  @Test
  void mintsIntoANewDirectoryWithUpstreamsFilesAndModes() throws Exception {
    WebhookCertificates certs = certificates();

    assertThat(certs.start()).isEqualTo(WebhookCertificates.Source.MINTED);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certDir)))
        .isEqualTo("rwx------");
    Path crt = certDir.resolve("tls.crt");
    Path key = certDir.resolve("tls.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(crt)))
        .isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(certDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file is left")
          .containsExactlyInAnyOrder("tls.crt", "tls.key");
    }
    assertThat(certs.tlsFiles().certificate()).isEqualTo(crt);
    assertThat(certs.tlsFiles().privateKey()).isEqualTo(key);
    assertThat(certs.tlsFiles().verifiesClients()).isFalse();

    List<X509Certificate> chain = readChain(crt);
    assertThat(Files.readString(crt)).startsWith("-----BEGIN CERTIFICATE-----\n");
    X509Certificate leaf = chain.get(0);
    leaf.verify(fixture.spire.bundle().get(0).getPublicKey());
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(6, SpireFixture.WEBHOOK_ID), List.of(2, SpireFixture.DNS_NAME));
    assertThat(leaf).isEqualTo(certs.current().orElseThrow().leaf());

    String keyPem = Files.readString(key, StandardCharsets.US_ASCII);
    assertThat(keyPem)
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    PrivateKey privateKey = readKey(keyPem);
    assertThat(signsFor(privateKey, leaf)).as("tls.key is the key of tls.crt").isTrue();
    assertThat(((ECPublicKey) leaf.getPublicKey()).getParams().getCurve().getField().getFieldSize())
        .as("ECDSA P-256")
        .isEqualTo(256);
  }

  @Test
  void theRequestHasNoSubjectAndTheWebhooksNames() throws Exception {
    certificates().start();

    JcaPKCS10CertificationRequest csr =
        new JcaPKCS10CertificationRequest(fixture.minter.csrs.get(0));
    assertThat(csr.getSubject().getRDNs()).isEmpty();
    assertThat(csr.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(
            csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getPublicKey())))
        .isTrue();
    Extensions extensions =
        Extensions.getInstance(
            csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0]
                .getAttrValues()
                .getObjectAt(0));
    Extension san = extensions.getExtension(Extension.subjectAlternativeName);
    assertThat(san.isCritical()).as("critical: the subject is empty").isTrue();
    GeneralName[] names = GeneralNames.getInstance(san.getParsedValue()).getNames();
    assertThat(names).hasSize(2);
    assertThat(names[0].getTagNo()).isEqualTo(GeneralName.uniformResourceIdentifier);
    assertThat(names[0].getName().toString()).isEqualTo(SpireFixture.WEBHOOK_ID);
    assertThat(names[1].getTagNo()).isEqualTo(GeneralName.dNSName);
    assertThat(names[1].getName().toString()).isEqualTo(SpireFixture.DNS_NAME);
  }

  @Test
  void rotatesAtHalfLife() throws Exception {
    WebhookCertificates certs = certificates();
    certs.start();
    MintedSvid first = certs.current().orElseThrow();
    byte[] firstKey = Files.readAllBytes(certDir.resolve("tls.key"));
    Instant halfLife = first.halfLife();
    assertThat(halfLife).isEqualTo(START.minusSeconds(10).plus(LIFETIME.dividedBy(2)));
    assertThat(scheduler.nextDue()).isEqualTo(halfLife);

    scheduler.advanceTo(halfLife.minusMillis(1));
    assertThat(fixture.minter.calls()).isEqualTo(1);

    scheduler.advanceTo(halfLife);
    assertThat(fixture.minter.calls()).isEqualTo(2);
    MintedSvid second = certs.current().orElseThrow();
    assertThat(second.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
    assertThat(readChain(certDir.resolve("tls.crt")).get(0)).isEqualTo(second.leaf());
    assertThat(Files.readAllBytes(certDir.resolve("tls.key")))
        .as("a fresh key each time")
        .isNotEqualTo(firstKey);
    assertThat(signsFor(readKey(Files.readString(certDir.resolve("tls.key"))), second.leaf()))
        .isTrue();
    assertThat(events).containsExactly("rotated " + second.leaf().getSerialNumber());
    assertThat(scheduler.nextDue()).isEqualTo(second.halfLife());
    assertThat(certs.certificateValid(scheduler.clock.instant())).isTrue();

    scheduler.advanceTo(second.halfLife());
    assertThat(fixture.minter.calls()).isEqualTo(3);
  }

  @Test
  void aFailedRotationIsRetriedAndReadinessTurnsFalseBeforeExpiry() throws Exception {
    WebhookCertificates certs = certificates();
    certs.start();
    MintedSvid first = certs.current().orElseThrow();
    byte[] servedCert = Files.readAllBytes(certDir.resolve("tls.crt"));
    fixture.spire.setUnavailable(true);

    scheduler.advanceTo(first.halfLife());

    assertThat(certs.lastFailure())
        .hasValueSatisfying(
            f ->
                assertThat(f)
                    .startsWith(
                        "failed rotating webhook certificate: unable to mint SVID: unable to make"
                            + " Mint SVID Request: SPIRE server unix://")
                    .contains("UNAVAILABLE"));
    assertThat(events).hasSize(1).allSatisfy(e -> assertThat(e).startsWith("failed "));
    assertThat(Files.readAllBytes(certDir.resolve("tls.crt")))
        .as("the current pair keeps being served")
        .isEqualTo(servedCert);
    assertThat(scheduler.pending()).as("a retry is scheduled, the process lives on").isEqualTo(1);
    assertThat(Duration.between(scheduler.clock.instant(), scheduler.nextDue()))
        .isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(certs.certificateValid(scheduler.clock.instant())).isTrue();

    // Retries back off up to 30 s apart, for as long as the server fails.
    Instant cutoff = first.notAfter().minus(LIFETIME.dividedBy(10));
    scheduler.advanceTo(cutoff.minusMillis(1));
    int failedSoFar = events.size();
    assertThat(failedSoFar).isGreaterThan(50);
    assertThat(certs.certificateValid(scheduler.clock.instant())).isTrue();
    scheduler.advanceTo(cutoff);
    assertThat(certs.certificateValid(scheduler.clock.instant()))
        .as("not ready in the last tenth of the lifetime")
        .isFalse();

    scheduler.advanceTo(first.notAfter().plusSeconds(60));
    assertThat(events.size()).as("still retrying after expiry").isGreaterThan(failedSoFar);
    assertThat(certs.certificateValid(scheduler.clock.instant())).isFalse();

    fixture.spire.setUnavailable(false);
    scheduler.advance(Duration.ofSeconds(30));

    MintedSvid renewed = certs.current().orElseThrow();
    assertThat(renewed.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
    assertThat(certs.certificateValid(scheduler.clock.instant())).isTrue();
    assertThat(certs.lastFailure()).isEmpty();
    assertThat(readChain(certDir.resolve("tls.crt")).get(0)).isEqualTo(renewed.leaf());
    assertThat(events.get(events.size() - 1))
        .isEqualTo("rotated " + renewed.leaf().getSerialNumber());
    assertThat(scheduler.nextDue()).isEqualTo(renewed.halfLife());
  }

  @Test
  void aReadOnlyDirectoryMeansStaticCertificates() throws Exception {
    Files.createDirectories(certDir);
    // What a deployment would mount: a certificate from the same CA, valid for an hour.
    WebhookCertificates minted = certificates();
    minted.start();
    minted.close();
    int minted0 = fixture.minter.calls();

    WebhookCertificates certs = certificates(dir -> CertDirProbe.Access.READ_ONLY_FILE_SYSTEM);

    assertThat(certs.start()).isEqualTo(WebhookCertificates.Source.STATIC);
    assertThat(fixture.minter.calls()).as("nothing minted").isEqualTo(minted0);
    assertThat(scheduler.pending()).as("nothing to rotate").isZero();
    assertThat(certs.current()).isEmpty();
    assertThat(certs.tlsFiles().certificate()).isEqualTo(certDir.resolve("tls.crt"));
    assertThat(certs.certificateValid(START)).isTrue();
    assertThat(certs.certificateValid(START.plus(Duration.ofMinutes(55)))).isFalse();

    Files.delete(certDir.resolve("tls.crt"));
    assertThat(certs.certificateValid(START)).as("an unreadable mount is not valid").isFalse();
  }

  @Test
  void anyOtherDirectoryProblemFailsStartUpWithUpstreamsText() {
    WebhookCertificates certs =
        certificates(
            dir -> {
              throw new AccessDeniedException(dir.toString(), null, "permission denied");
            });

    assertThatThrownBy(certs::start)
        .isInstanceOf(ServerStartException.class)
        .hasMessage(
            "checking webhook certificate directory permissions: access "
                + certDir
                + ": permission denied");
    assertThat(fixture.minter.calls()).isZero();
  }

  @Test
  void theFileSystemProbeTellsMissingWritableAndNotADirectory() throws Exception {
    assertThat(CertDirProbe.FILE_SYSTEM.probe(tmp.resolve("absent")))
        .isEqualTo(CertDirProbe.Access.MISSING);
    assertThat(CertDirProbe.FILE_SYSTEM.probe(tmp)).isEqualTo(CertDirProbe.Access.WRITABLE);
    Path file = Files.writeString(tmp.resolve("file"), "x");
    certDir = file;

    assertThatThrownBy(certificates()::start)
        .isInstanceOf(ServerStartException.class)
        .hasMessage(
            "checking webhook certificate directory permissions: " + file + ": not a directory");
  }

  @Test
  void aStartUpMintFailureFailsStartUpWithTheMintersText() {
    fixture.spire.setUnavailable(true);

    assertThatThrownBy(certificates()::start)
        .isInstanceOf(ServerStartException.class)
        .hasMessageStartingWith("unable to make Mint SVID Request: SPIRE server unix://")
        .hasMessageContaining("UNAVAILABLE");
    assertThat(certDir.resolve("tls.crt")).doesNotExist();
  }

  @Test
  void aClusterThatCannotBeAnIdSegmentFailsStartUp() {
    WebhookCertificates certs =
        new WebhookCertificates(
            new WebhookCertificates.Settings(
                certDir, SpireFixture.TD, "a b", SpireFixture.SERVICE, SpireFixture.NAMESPACE),
            fixture.minter,
            scheduler.clock,
            scheduler);

    assertThatThrownBy(certs::start)
        .isInstanceOf(ServerStartException.class)
        .hasMessage(
            "unable to generate SPIFFE ID: path segment characters are limited to letters,"
                + " numbers, dots, dashes, and underscores");
  }

  @Test
  void leftoversOfACrashAreRemovedAndAnExistingPairReplaced() throws Exception {
    Files.createDirectories(certDir);
    Files.writeString(certDir.resolve(".tls.key.123.tmp"), "half a key");
    Files.writeString(certDir.resolve("tls.crt"), "old");
    Files.writeString(certDir.resolve("tls.key"), "old");

    certificates().start();

    try (Stream<Path> files = Files.list(certDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("tls.crt", "tls.key");
    }
    assertThat(readChain(certDir.resolve("tls.crt"))).hasSize(1);
  }

  @Test
  void closeCancelsThePendingRotation() {
    WebhookCertificates certs = certificates();
    certs.start();
    MintedSvid first = certs.current().orElseThrow();

    certs.close();
    scheduler.advanceTo(first.notAfter());

    assertThat(fixture.minter.calls()).isEqualTo(1);
    assertThatThrownBy(certs::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void notValidBeforeStart() {
    assertThat(certificates().certificateValid(START)).isFalse();
  }

  static List<X509Certificate> readChain(Path pem) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  static PrivateKey readKey(String pem) throws Exception {
    String base64 =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  static boolean signsFor(PrivateKey key, X509Certificate cert) throws Exception {
    byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(cert.getPublicKey());
    verifier.update(probe);
    return verifier.verify(signature);
  }
}
