package org.spireregistrar.webhook.setup;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Locale;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The key algorithms of upstream's {@code -ca-key-alg}, {@code -server-key-alg} and {@code
 * -client-key-alg}, with the signature algorithm Go's {@code x509.CreateCertificate} picks for a
 * signer of that kind.
 */
public enum KeyAlgorithm {
  RSA_2048("rsa-2048", "RSA", 2048, null, "SHA256withRSA"),
  RSA_4096("rsa-4096", "RSA", 4096, null, "SHA256withRSA"),
  EC_P224("ec-p224", "EC", 224, "secp224r1", "SHA256withECDSA"),
  EC_P256("ec-p256", "EC", 256, "secp256r1", "SHA256withECDSA"),
  EC_P384("ec-p384", "EC", 384, "secp384r1", "SHA384withECDSA"),
  EC_P521("ec-p521", "EC", 521, "secp521r1", "SHA512withECDSA");

  /**
   * Bouncy Castle, used without registering it: the JDK's own EC provider dropped P-224 in Java 16.
   */
  public static final Provider PROVIDER = new BouncyCastleProvider();

  private final String flag;
  private final String keyType;
  private final int bits;
  private final String curve;
  private final String signatureAlgorithm;

  KeyAlgorithm(String flag, String keyType, int bits, String curve, String signatureAlgorithm) {
    this.flag = flag;
    this.keyType = keyType;
    this.bits = bits;
    this.curve = curve;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** The flag value, e.g. {@code ec-p256}. */
  public String flag() {
    return flag;
  }

  /** {@code RSA} or {@code EC}. */
  public String keyType() {
    return keyType;
  }

  /** RSA modulus or EC field size in bits. */
  public int bits() {
    return bits;
  }

  /** The JCA signature algorithm a key of this kind signs certificates with. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /**
   * Whether a Java 17 TLS stack (the registrar's) can use a key of this kind; P-224 is not among
   * the curves it supports.
   */
  public boolean usableForTls() {
    return this != EC_P224;
  }

  /** A new key pair. */
  public KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(keyType, PROVIDER);
      if (curve != null) {
        g.initialize(new ECGenParameterSpec(curve), random);
      } else {
        g.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + flag + " key: " + e.getMessage(), e);
    }
  }

  /**
   * Parses a flag value, case-insensitively as upstream.
   *
   * @throws IllegalArgumentException {@code unsupported key algorithm "<x>"}
   */
  public static KeyAlgorithm parse(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    for (KeyAlgorithm a : values()) {
      if (a.flag.equals(v)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unsupported key algorithm \"" + value + "\"");
  }

  @Override
  public String toString() {
    return flag;
  }

  /** picocli conversion with upstream's error text. */
}
