package org.spireregistrar.spire.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;

/**
 * The in-memory server's certificate authority: one self-signed EC P-256 root for its trust domain,
 * which signs X509-SVIDs (leaf, one URI SAN, {@code digitalSignature}, server and client auth).
 */
final class InMemoryCa {

  /** A leaf certificate with its key pair. */
  record Issued(X509Certificate certificate, KeyPair keyPair) {}

  private final TrustDomain td;
  private final Clock clock;
  private final KeyPair caKeys;
  private final X509Certificate caCert;
  private final SecureRandom random = new SecureRandom();

  InMemoryCa(TrustDomain td, Clock clock) {
    this.td = td;
    this.clock = clock;
    try {
      this.caKeys = newKeyPair();
      Instant now = clock.instant();
      X500Name name = new X500Name("O=SPIFFE,CN=" + td.name() + " in-memory CA");
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  Date.from(now.minusSeconds(60)),
                  Date.from(now.plus(Duration.ofDays(365))),
                  name,
                  caKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(caKeys.getPublic()))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(
                      new GeneralName(GeneralName.uniformResourceIdentifier, td.id().toString())));
      this.caCert = new JcaX509CertificateConverter().getCertificate(b.build(signer()));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create the in-memory CA: " + e.getMessage(), e);
    }
  }

  X509Certificate certificate() {
    return caCert;
  }

  /** A fresh key pair and an SVID for {@code id}. */
  Issued issue(SpiffeId id, List<String> dnsNames, Duration ttl) {
    try {
      KeyPair keys = newKeyPair();
      return new Issued(sign(id, keys.getPublic(), dnsNames, ttl), keys);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue an SVID: " + e.getMessage(), e);
    }
  }

  /** An SVID for {@code id} over {@code publicKey}. */
  X509Certificate sign(SpiffeId id, PublicKey publicKey, List<String> dnsNames, Duration ttl) {
    try {
      Instant now = clock.instant();
      List<GeneralName> sans = new ArrayList<>();
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString()));
      for (String dns : dnsNames) {
        sans.add(new GeneralName(GeneralName.dNSName, dns));
      }
      X500Name subject =
          new X500Name(dnsNames.isEmpty() ? "O=SPIRE,C=US" : "O=SPIRE,C=US,CN=" + dnsNames.get(0));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  caCert,
                  serial(),
                  Date.from(now.minusSeconds(10)),
                  Date.from(now.plus(ttl)),
                  subject,
                  publicKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(
                  Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(sans.toArray(GeneralName[]::new)));
      return new JcaX509CertificateConverter().getCertificate(b.build(signer()));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign an SVID: " + e.getMessage(), e);
    }
  }

  /** The parts of a PKCS#10 CSR that MintX509SVID uses. */
  record Csr(PublicKey publicKey, List<String> uris, List<String> dnsNames) {}

  /**
   * Parses and verifies a DER CSR.
   *
   * @throws IllegalArgumentException with the reason when it is malformed or its signature fails
   */
  static Csr parseCsr(byte[] der) {
    try {
      PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
      PublicKey key =
          publicKey(
              csr.getSubjectPublicKeyInfo().getEncoded(),
              csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm().getId());
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new IllegalArgumentException("failed to verify CSR signature");
      }
      List<String> uris = new ArrayList<>();
      List<String> dns = new ArrayList<>();
      for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
        Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
        GeneralNames names =
            GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        if (names == null) {
          continue;
        }
        for (GeneralName n : names.getNames()) {
          if (n.getTagNo() == GeneralName.uniformResourceIdentifier) {
            uris.add(n.getName().toString());
          } else if (n.getTagNo() == GeneralName.dNSName) {
            dns.add(n.getName().toString());
          }
        }
      }
      return new Csr(key, uris, dns);
    } catch (IOException
        | OperatorCreationException
        | PKCSException
        | GeneralSecurityException
        | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae
          && "failed to verify CSR signature".equals(iae.getMessage())) {
        throw iae;
      }
      throw new IllegalArgumentException("malformed CSR: " + e.getMessage(), e);
    }
  }

  /** The JDK key for a DER SubjectPublicKeyInfo (EC, RSA or Ed25519). */
  private static PublicKey publicKey(byte[] spki, String algorithmOid)
      throws GeneralSecurityException {
    String algorithm =
        switch (algorithmOid) {
          case "1.2.840.10045.2.1" -> "EC";
          case "1.2.840.113549.1.1.1" -> "RSA";
          case "1.3.101.112" -> "Ed25519";
          default ->
              throw new GeneralSecurityException("unsupported key algorithm " + algorithmOid);
        };
    return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
  }

  TrustDomain trustDomain() {
    return td;
  }

  private ContentSigner signer() throws OperatorCreationException {
    return new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
  }

  private BigInteger serial() {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }

  static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }
}
