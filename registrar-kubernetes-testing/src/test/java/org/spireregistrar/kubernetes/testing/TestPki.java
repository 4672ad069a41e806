package org.spireregistrar.kubernetes.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA that issues EC P-256 server and client certificates, valid for a day around now. */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  /** A key and its certificate. */
  record Issued(KeyPair keys, X509Certificate certificate) {
    PrivateKey key() {
      return keys.getPrivate();
    }
  }

  private final Issued ca;

  private TestPki(Issued ca) {
    this.ca = ca;
  }

  static TestPki create(String name) {
    KeyPair keys = ecKeys();
    return new TestPki(new Issued(keys, sign(keys, null, name, List.of(), Kind.CA)));
  }

  X509Certificate caCertificate() {
    return ca.certificate();
  }

  /** The CA as a webhook {@code caBundle}: PEM, base64-encoded. */
  String caBundle() {
    return Base64.getEncoder()
        .encodeToString(pem(ca.certificate()).getBytes(StandardCharsets.US_ASCII));
  }

  /** A server certificate for these DNS names and IP addresses. */
  Issued server(String... names) {
    KeyPair keys = ecKeys();
    return new Issued(keys, sign(keys, ca, names[0], List.of(names), Kind.SERVER));
  }

  Issued client(String cn) {
    KeyPair keys = ecKeys();
    return new Issued(keys, sign(keys, ca, cn, List.of(), Kind.CLIENT));
  }

  /** A server context presenting {@code server}; requiring a client certificate of this CA. */
  SSLContext serverContext(Issued server) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "server", server.key(), new char[0], new X509Certificate[] {server.certificate()});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private enum Kind {
    CA,
    SERVER,
    CLIENT
  }

  private static X509Certificate sign(
      KeyPair subject, Issued issuer, String cn, List<String> names, Kind kind) {
    try {
      Instant now = Instant.now();
      X500Name subjectName = new X500Name("CN=" + cn);
      X500Name issuerName =
          issuer == null
              ? subjectName
              : new X500Name(issuer.certificate().getSubjectX500Principal().getName());
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuerName,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(1))),
              subjectName,
              subject.getPublic());
      switch (kind) {
        case CA -> {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
          b.addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        }
        case SERVER -> {
          b.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
          List<GeneralName> sans = new ArrayList<>();
          for (String name : names) {
            sans.add(
                new GeneralName(
                    name.matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, name));
          }
          b.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(sans.toArray(new GeneralName[0])));
        }
        case CLIENT ->
            b.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      }
      PrivateKey signer = issuer == null ? subject.getPrivate() : issuer.key();
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue test certificate " + cn, e);
    }
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM text of a certificate or key (keys as PKCS#8 {@code PRIVATE KEY}). */
  static String pem(Object o) {
    try {
      Object value = o instanceof PrivateKey key ? new JcaPKCS8Generator(key, null).generate() : o;
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(value);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
