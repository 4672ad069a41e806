package org.spireregistrar.webhook;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for tests: a CA, servers and clients it signs, written as PEM files. */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  /** A key and its certificate. */
  public record Issued(KeyPair keys, X509Certificate certificate) {

    /** Writes {@code <name>.pem} and {@code <name>-key.pem} (PKCS#8) into {@code dir}. */
    public Issued writeTo(Path dir, String certFile, String keyFile) {
      write(dir.resolve(certFile), pem(certificate));
      write(dir.resolve(keyFile), pem(keys.getPrivate()));
      return this;
    }

    /** An SSLContext presenting this certificate and trusting {@code serverCa}. */
    public SSLContext clientContext(X509Certificate serverCa) {
      return TestPki.clientContext(this, serverCa);
    }
  }

  private final Issued ca;

  private TestPki(Issued ca) {
    this.ca = ca;
  }

  /** A new self-signed EC P-256 CA valid for a day around now. */
  public static TestPki create(String name) {
    KeyPair keys = ecKeys();
    Instant now = Instant.now();
    return new TestPki(
        new Issued(
            keys,
            sign(
                keys,
                null,
                name,
                now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(1)),
                Kind.CA)));
  }

  public X509Certificate caCertificate() {
    return ca.certificate();
  }

  public Issued ca() {
    return ca;
  }

  /** Writes the CA certificate as {@code file} in {@code dir}. */
  public Path writeCa(Path dir, String file) {
    Path p = dir.resolve(file);
    write(p, pem(ca.certificate()));
    return p;
  }

  /** A server certificate for {@code localhost} and 127.0.0.1. */
  public Issued server(String cn) {
    Instant now = Instant.now();
    return issue(cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), Kind.SERVER);
  }

  /** A client certificate (EKU clientAuth) valid for a day around now. */
  public Issued client(String cn) {
    Instant now = Instant.now();
    return issue(cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), Kind.CLIENT);
  }

  /** A client certificate valid between the two instants. */
  public Issued client(String cn, Instant notBefore, Instant notAfter) {
    return issue(cn, notBefore, notAfter, Kind.CLIENT);
  }

  private Issued issue(String cn, Instant notBefore, Instant notAfter, Kind kind) {
    KeyPair keys = ecKeys();
    return new Issued(keys, sign(keys, ca, cn, notBefore, notAfter, kind));
  }

  private enum Kind {
    CA,
    SERVER,
    CLIENT
  }

  private static X509Certificate sign(
      KeyPair subject, Issued issuer, String cn, Instant notBefore, Instant notAfter, Kind kind) {
    try {
      X500Name subjectName = new X500Name("CN=" + cn);
      X500Name issuerName =
          issuer == null
              ? subjectName
              : new X500Name(issuer.certificate().getSubjectX500Principal().getName());
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuerName,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(notBefore),
              Date.from(notAfter),
              subjectName,
              subject.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          ext.createSubjectKeyIdentifier(subject.getPublic()));
      switch (kind) {
        case CA -> {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
          b.addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        }
        case SERVER -> {
          b.addExtension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
          b.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
          b.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(
                  new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(
                        GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())
                  }));
        }
        case CLIENT -> {
          b.addExtension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
          b.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        }
      }
      if (issuer != null) {
        b.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            ext.createAuthorityKeyIdentifier(issuer.certificate()));
      }
      PrivateKey signer = issuer == null ? subject.getPrivate() : issuer.keys().getPrivate();
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
  public static String pem(Object o) {
    try {
      Object value =
          o instanceof PrivateKey key
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate()
              : o;
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(value);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(Path path, String text) {
    try {
      Files.writeString(path, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Map<List<Object>, SSLContext> CONTEXTS = new ConcurrentHashMap<>();

  /**
   * A client context presenting {@code client} (none when null) and trusting {@code serverCa};
   * cached, since building one costs tens of milliseconds.
   */
  public static SSLContext clientContext(Issued client, X509Certificate serverCa) {
    List<Object> key = Arrays.asList(client == null ? null : client.certificate(), serverCa);
    return CONTEXTS.computeIfAbsent(key, k -> newClientContext(client, serverCa));
  }

  private static SSLContext newClientContext(Issued client, X509Certificate serverCa) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", serverCa);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (client != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
            "client",
            client.keys().getPrivate(),
            new char[0],
            new X509Certificate[] {client.certificate()});
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
