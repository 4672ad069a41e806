package org.spireregistrar.spire;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** PKCS#10 requests for MintX509SVID in tests. */
public final class TestCsr {
  private TestCsr() {}

  /** A fresh EC P-256 key pair. */
  public static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /** A DER CSR over {@code keys} with the URI SAN {@code uri} and any DNS SANs. */
  public static byte[] csr(KeyPair keys, String uri, String... dnsNames) throws Exception {
    GeneralName[] names = new GeneralName[1 + dnsNames.length];
    names[0] = new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    for (int i = 0; i < dnsNames.length; i++) {
      names[i + 1] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
    }
    ExtensionsGenerator ext = new ExtensionsGenerator();
    ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    return new JcaPKCS10CertificationRequestBuilder(new X500Name("O=SPIRE"), keys.getPublic())
        .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
        .getEncoded();
  }
}
