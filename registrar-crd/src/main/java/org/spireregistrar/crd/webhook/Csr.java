package org.spireregistrar.crd.webhook;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.spireregistrar.core.SpiffeId;

/** The webhook's key and certification request (upstream §6.8 step 4). */
final class Csr {
  private Csr() {}

  /** A fresh ECDSA P-256 key pair. */
  static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /**
   * A DER PKCS#10 request with no subject, the URI SAN {@code id} and the DNS SAN {@code dnsName},
   * signed with SHA-256/ECDSA by {@code keys}.
   */
  static byte[] of(KeyPair keys, SpiffeId id, String dnsName) throws GeneralSecurityException {
    try {
      GeneralNames names =
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.uniformResourceIdentifier, id.toString()),
                new GeneralName(GeneralName.dNSName, dnsName)
              });
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      // Critical, as RFC 5280 asks of the names of a certificate with an empty subject.
      extensions.addExtension(Extension.subjectAlternativeName, true, names);
      return new JcaPKCS10CertificationRequestBuilder(new X500Name(new RDN[0]), keys.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
          .getEncoded();
    } catch (IOException | OperatorCreationException e) {
      throw new GeneralSecurityException("unable to generate CSR: " + e.getMessage(), e);
    }
  }
}
