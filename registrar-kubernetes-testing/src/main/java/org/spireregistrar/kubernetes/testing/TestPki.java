package org.spireregistrar.kubernetes.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for tests: a CA (EC P-256) and the servers and clients it signs, valid for a day
 * around now unless told otherwise, as objects, PEM files, webhook {@code caBundle}s or {@link
 * SSLContext}s. Shared by the webhook tests and the stand-in's own.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1000);
  private static final Map<List<Object>, SSLContext> CONTEXTS = new ConcurrentHashMap<>();

  /** A key and its certificate. */
  public record Issued(KeyPair keys, X509Certificate certificate) {

    public PrivateKey key() {
      return keys.getPrivate();
    }

    /** Writes the certificate as {@code certFile} and the key (PKCS#8) as {@code keyFile}. */
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

  /** A new self-signed CA valid for a day around now. */
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
                List.of(),
                now.minus(Duration.ofHours(1)),
                dayAfter(now),
                Kind.CA)));
  }

  public Issued ca() {
    return ca;
  }

  public X509Certificate caCertificate() {
    return ca.certificate();
  }

  /** The CA as a webhook {@code caBundle}: PEM, base64-encoded. */
  public String caBundle() {
    return Base64.getEncoder()
        .encodeToString(pem(ca.certificate()).getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes the CA certificate as {@code file} in {@code dir}. */
  public Path writeCa(Path dir, String file) {
    Path p = dir.resolve(file);
    write(p, pem(ca.certificate()));
    return p;
  }

  /**
   * A server certificate with common name {@code names[0]} for exactly these DNS names and IP
   * addresses.
   */
  public Issued server(String... names) {
    return issue(names[0], List.of(names), Instant.now(), Kind.SERVER);
  }

  /** A server certificate with common name {@code cn}, for {@code localhost} and loopback. */
  public Issued localServer(String cn) {
    return issue(
        cn,
        List.of("localhost", InetAddress.getLoopbackAddress().getHostAddress()),
        Instant.now(),
        Kind.SERVER);
  }

  /** A client certificate (EKU clientAuth) valid for a day around now. */
  public Issued client(String cn) {
    return issue(cn, List.of(), Instant.now(), Kind.CLIENT);
  }

  /** A client certificate valid between the two instants. */
  public Issued client(String cn, Instant notBefore, Instant notAfter) {
    KeyPair keys = ecKeys();
    return new Issued(keys, sign(keys, ca, cn, List.of(), notBefore, notAfter, Kind.CLIENT));
  }

  private Issued issue(String cn, List<String> names, Instant now, Kind kind) {
    KeyPair keys = ecKeys();
    return new Issued(
        keys, sign(keys, ca, cn, names, now.minus(Duration.ofHours(1)), dayAfter(now), kind));
  }

  private static Instant dayAfter(Instant now) {
    return now.plus(Duration.ofDays(1));
  }

  /** A server context presenting {@code server} and requiring a client certificate of this CA. */
  public SSLContext serverContext(Issued server) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "server", server.key(), new char[0], new X509Certificate[] {server.certificate()});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), trusting(ca.certificate()).getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

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
      KeyManagerFactory kmf = null;
      if (client != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
            "client", client.key(), new char[0], new X509Certificate[] {client.certificate()});
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(
          kmf == null ? null : kmf.getKeyManagers(), trusting(serverCa).getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TrustManagerFactory trusting(X509Certificate ca)
      throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return tmf;
  }

  private enum Kind {
    CA,
    SERVER,
    CLIENT
  }

  private static X509Certificate sign(
      KeyPair subject,
      Issued issuer,
      String cn,
      List<String> names,
      Instant notBefore,
      Instant notAfter,
      Kind kind) {
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
      KeyUsage leafUsage = new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
      switch (kind) {
        case CA -> {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
          b.addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        }
        case SERVER -> {
          b.addExtension(Extension.keyUsage, true, leafUsage);
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
        case CLIENT -> {
          b.addExtension(Extension.keyUsage, true, leafUsage);
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
  public static String pem(Object o) {
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

  /** Writes {@code text} to {@code path}. */
  public static void write(Path path, String text) {
    try {
      Files.writeString(path, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
