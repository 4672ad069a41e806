package org.spireregistrar.crd.webhook;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** PEM encoding as Go's {@code pem.Encode} writes it: 64-character lines, a final newline. */
public final class Pem {
  private Pem() {}

  private static final Base64.Encoder BASE64 =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  /** Every certificate as a {@code CERTIFICATE} block, in order. */
  public static byte[] certificates(List<X509Certificate> chain)
      throws CertificateEncodingException {
    StringBuilder out = new StringBuilder();
    for (X509Certificate c : chain) {
      block(out, "CERTIFICATE", c.getEncoded());
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The key as a PKCS#8 {@code PRIVATE KEY} block. */
  static byte[] privateKey(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("key is " + key.getFormat() + ", not PKCS#8");
    }
    StringBuilder out = new StringBuilder();
    block(out, "PRIVATE KEY", key.getEncoded());
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static void block(StringBuilder out, String type, byte[] der) {
    out.append("-----BEGIN ").append(type).append("-----\n");
    out.append(BASE64.encodeToString(der)).append('\n');
    out.append("-----END ").append(type).append("-----\n");
  }
}
