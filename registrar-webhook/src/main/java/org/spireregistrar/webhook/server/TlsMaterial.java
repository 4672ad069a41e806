package org.spireregistrar.webhook.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * One loaded generation of a server's TLS files: its certificate chain and key and the client CAs,
 * plus the bytes they were read from (to notice changes on disk).
 */
final class TlsMaterial {

  /** The raw file contents; compared to decide whether to reload. */
  record Source(byte[] certificate, byte[] privateKey, Optional<byte[]> clientCa) {
    boolean sameAs(Source other) {
      return Arrays.equals(certificate, other.certificate)
          && Arrays.equals(privateKey, other.privateKey)
          && clientCa.isPresent() == other.clientCa.isPresent()
          && (clientCa.isEmpty() || Arrays.equals(clientCa.get(), other.clientCa.get()));
    }
  }

  private final Source source;
  private final X509Certificate[] chain;
  private final PrivateKey key;
  private final List<X509Certificate> clientCas;
  private final Set<TrustAnchor> anchors;

  private TlsMaterial(
      Source source, X509Certificate[] chain, PrivateKey key, List<X509Certificate> clientCas) {
    this.source = source;
    this.chain = chain;
    this.key = key;
    this.clientCas = List.copyOf(clientCas);
    Set<TrustAnchor> a = new LinkedHashSet<>();
    for (X509Certificate ca : clientCas) {
      a.add(new TrustAnchor(ca, null));
    }
    this.anchors = Set.copyOf(a);
  }

  /**
   * Reads and parses the files.
   *
   * @throws ServerStartException with upstream's text
   */
  static TlsMaterial load(TlsFiles files) {
    return parse(files, read(files));
  }

  /**
   * Reads the files' bytes.
   *
   * @throws ServerStartException {@code unable to load server keypair: …} or {@code unable to read
   *     cacert file: …}
   */
  static Source read(TlsFiles files) {
    byte[] cert = readFile(files.certificate(), "unable to load server keypair");
    byte[] key = readFile(files.privateKey(), "unable to load server keypair");
    Optional<byte[]> ca =
        files.clientCa().map(path -> readFile(path, "unable to read cacert file"));
    return new Source(cert, key, ca);
  }

  /**
   * Parses bytes read by {@link #read}.
   *
   * @throws ServerStartException with upstream's text
   */
  static TlsMaterial parse(TlsFiles files, Source source) {
    String keypair = "unable to load server keypair: ";
    List<X509Certificate> chain;
    try {
      chain = certificates(source.certificate());
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new ServerStartException(
          keypair + files.certificate() + ": invalid PEM certificate: " + reason(e), e);
    }
    if (chain.isEmpty()) {
      throw new ServerStartException(keypair + files.certificate() + ": no PEM certificate found");
    }
    PrivateKey key;
    try {
      key = privateKey(source.privateKey(), files.privateKey());
    } catch (IOException | RuntimeException e) {
      throw new ServerStartException(
          keypair + files.privateKey() + ": invalid PEM private key: " + reason(e), e);
    }
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new ServerStartException(
          keypair
              + "private key "
              + files.privateKey()
              + " does not match the public key of certificate "
              + files.certificate());
    }
    List<X509Certificate> cas = List.of();
    if (source.clientCa().isPresent()) {
      Path caPath = files.clientCa().orElseThrow();
      try {
        cas = certificates(source.clientCa().get());
      } catch (IOException | CertificateException | RuntimeException e) {
        throw new ServerStartException(
            "unable to parse cacert file: " + caPath + ": " + reason(e), e);
      }
      if (cas.isEmpty()) {
        throw new ServerStartException(
            "unable to parse cacert file: " + caPath + ": no PEM certificate found");
      }
    }
    return new TlsMaterial(source, chain.toArray(new X509Certificate[0]), key, cas);
  }

  Source source() {
    return source;
  }

  X509Certificate[] chain() {
    return chain.clone();
  }

  PrivateKey key() {
    return key;
  }

  List<X509Certificate> clientCas() {
    return clientCas;
  }

  Set<TrustAnchor> anchors() {
    return anchors;
  }

  private static byte[] readFile(Path path, String what) {
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new ServerStartException(what + ": open " + path + ": no such file or directory", e);
    } catch (AccessDeniedException e) {
      throw new ServerStartException(what + ": open " + path + ": permission denied", e);
    } catch (IOException e) {
      throw new ServerStartException(what + ": read " + path + ": " + reason(e), e);
    }
  }

  /** Every CERTIFICATE block, in order; other PEM blocks are skipped (as Go's cert pool does). */
  private static List<X509Certificate> certificates(byte[] pem)
      throws IOException, CertificateException {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = parser(pem)) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(converter.getCertificate(holder));
        }
      }
    }
    return out;
  }

  private static PrivateKey privateKey(byte[] pem, Path path) throws IOException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = parser(pem)) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          // SEC1 keys may omit the public key, so convert only the private part.
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IOException("encrypted private keys are not supported");
        }
      }
    }
    throw new IOException("no PEM private key found in " + path);
  }

  private static PEMParser parser(byte[] pem) {
    return new PEMParser(
        new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII));
  }

  /** Whether {@code key} signs what {@code publicKey} verifies (Go's "does not match" check). */
  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return key.getAlgorithm().equals(publicKey.getAlgorithm());
    }
    try {
      byte[] probe = "k8s-workload-registrar key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String reason(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
