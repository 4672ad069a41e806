package org.spireregistrar.webhook.setup;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Webhook mode's PKI as upstream's {@code generate-config.go} makes it: a self-signed CA, a server
 * certificate for the service DNS name, and a client certificate for the API server, all signed by
 * the CA.
 *
 * <table>
 *   <caption>Certificates</caption>
 *   <tr><th>Cert</th><th>Subject CN</th><th>Key usage</th><th>EKU</th><th>SAN</th></tr>
 *   <tr><td>CA</td><td>{@value #CA_CN}</td><td>CertSign, CRLSign</td><td>—</td><td>—</td></tr>
 *   <tr><td>server</td><td>{@value #SERVER_CN}</td><td>KeyEncipherment, KeyAgreement,
 *       DigitalSignature</td><td>ServerAuth</td><td>DNS: the service name</td></tr>
 *   <tr><td>client</td><td>{@value #CLIENT_CN}</td><td>same</td><td>ClientAuth</td><td>—</td></tr>
 * </table>
 *
 * <p>Serials are random positive 63-bit numbers; NotBefore is now (whole seconds); NotAfter is now
 * + TTL, or 9999-12-31T23:59:59Z for a zero TTL; the subject key ID is the SHA-1 of the public key
 * bits and the authority key ID the CA's subject key ID.
 *
 * @param ca the CA
 * @param server the server certificate and key
 * @param client the client certificate and key
 */
public record WebhookPki(Issued ca, Issued server, Issued client) {

  public static final String CA_CN = "K8S WORKLOAD REGISTRAR CA";
  public static final String SERVER_CN = "K8S WORKLOAD REGISTRAR SERVER";
  public static final String CLIENT_CN = "K8S WORKLOAD REGISTRAR CLIENT";

  /** NotAfter for a zero TTL (Go's "no well-defined expiration date"). */
  public static final Instant NO_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

  /**
   * A key pair and its certificate.
   *
   * @param keys the key pair
   * @param certificate the certificate
   */
  public record Issued(KeyPair keys, X509Certificate certificate) {
    public Issued {
      Objects.requireNonNull(keys, "keys");
      Objects.requireNonNull(certificate, "certificate");
    }

    /** The certificate as PEM {@code CERTIFICATE}. */
    public String certificatePem() {
      return pem(certificate);
    }

    /** The private key as PEM {@code PRIVATE KEY} (PKCS#8). */
    public String keyPem() {
      try {
        return pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The algorithms, DNS name and lifetime of a PKI to generate. */
  public record Spec(
      KeyAlgorithm caKey,
      KeyAlgorithm serverKey,
      KeyAlgorithm clientKey,
      String serviceDnsName,
      Duration ttl) {
    public Spec {
      Objects.requireNonNull(caKey, "caKey");
      Objects.requireNonNull(serverKey, "serverKey");
      Objects.requireNonNull(clientKey, "clientKey");
      Objects.requireNonNull(serviceDnsName, "serviceDnsName");
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("ttl must not be negative: " + ttl);
      }
    }
  }

  /** Generates the three key pairs and certificates, valid from {@code now}. */
  public static WebhookPki generate(Spec spec, Instant now, SecureRandom random) {
    Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = spec.ttl().isZero() ? NO_EXPIRY : notBefore.plus(spec.ttl());

    KeyPair caKeys = spec.caKey().generate(random);
    X509v3CertificateBuilder ca =
        builder(CA_CN, null, caKeys.getPublic(), notBefore, notAfter, random);
    addKeyIds(ca, caKeys.getPublic(), null);
    add(ca, Extension.basicConstraints, true, new BasicConstraints(true));
    add(ca, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    Issued caIssued = new Issued(caKeys, sign(ca, caKeys, spec.caKey().signatureAlgorithm()));

    Issued server =
        leaf(
            SERVER_CN,
            spec.serverKey(),
            caIssued,
            spec.caKey(),
            KeyPurposeId.id_kp_serverAuth,
            spec.serviceDnsName(),
            notBefore,
            notAfter,
            random);
    Issued client =
        leaf(
            CLIENT_CN,
            spec.clientKey(),
            caIssued,
            spec.caKey(),
            KeyPurposeId.id_kp_clientAuth,
            null,
            notBefore,
            notAfter,
            random);
    return new WebhookPki(caIssued, server, client);
  }

  private static Issued leaf(
      String cn,
      KeyAlgorithm algorithm,
      Issued ca,
      KeyAlgorithm caAlgorithm,
      KeyPurposeId purpose,
      String dnsName,
      Instant notBefore,
      Instant notAfter,
      SecureRandom random) {
    KeyPair keys = algorithm.generate(random);
    X509v3CertificateBuilder b =
        builder(cn, ca.certificate(), keys.getPublic(), notBefore, notAfter, random);
    addKeyIds(b, keys.getPublic(), ca.keys().getPublic());
    add(
        b,
        Extension.keyUsage,
        true,
        new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.keyAgreement | KeyUsage.digitalSignature));
    add(b, Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    if (dnsName != null) {
      add(
          b,
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    }
    return new Issued(keys, sign(b, ca.keys(), caAlgorithm.signatureAlgorithm()));
  }

  private static X509v3CertificateBuilder builder(
      String cn,
      X509Certificate issuer,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter,
      SecureRandom random) {
    X500Name subject = new X500Name("CN=" + cn);
    X500Name issuerName =
        issuer == null
            ? subject
            : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    return new JcaX509v3CertificateBuilder(
        issuerName, serial(random), Date.from(notBefore), Date.from(notAfter), subject, subjectKey);
  }

  /** A random positive 63-bit serial, as upstream. */
  private static BigInteger serial(SecureRandom random) {
    BigInteger serial;
    do {
      serial = new BigInteger(63, random);
    } while (serial.signum() == 0);
    return serial;
  }

  private static void addKeyIds(
      X509v3CertificateBuilder b, PublicKey subjectKey, PublicKey issuerKey) {
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils(); // SHA-1 of the key bits
      SubjectKeyIdentifier skid = utils.createSubjectKeyIdentifier(subjectKey);
      add(b, Extension.subjectKeyIdentifier, false, skid);
      if (issuerKey != null) {
        // Only the key identifier, as Go writes it (no issuer name and serial).
        byte[] issuerSkid = utils.createSubjectKeyIdentifier(issuerKey).getKeyIdentifier();
        add(b, Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuerSkid));
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available", e);
    }
  }

  private static void add(
      X509v3CertificateBuilder b,
      org.bouncycastle.asn1.ASN1ObjectIdentifier oid,
      boolean critical,
      org.bouncycastle.asn1.ASN1Encodable value) {
    try {
      b.addExtension(oid, critical, value);
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot encode extension " + oid, e);
    }
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder b, KeyPair issuer, String signatureAlgorithm) {
    try {
      return new JcaX509CertificateConverter()
          .setProvider(KeyAlgorithm.PROVIDER)
          .getCertificate(
              b.build(
                  new JcaContentSignerBuilder(signatureAlgorithm)
                      .setProvider(KeyAlgorithm.PROVIDER)
                      .build(issuer.getPrivate())));
    } catch (OperatorCreationException | CertificateException e) {
      throw new IllegalStateException("cannot sign certificate: " + e.getMessage(), e);
    }
  }

  static String pem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
