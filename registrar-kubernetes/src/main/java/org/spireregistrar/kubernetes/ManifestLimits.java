package org.spireregistrar.kubernetes;

/**
 * What {@link ManifestReader} accepts, sized for real clusters: {@code kubectl get pods -A -o json}
 * of 100,000 pods (about 1 GiB with managed fields) fits in one file, and every limit is well above
 * what an API server stores in one object (1.5 MiB, etcd's request limit).
 */
final class ManifestLimits {
  private ManifestLimits() {}

  /** Bytes in one file: 2 GiB - 1 (also the most SnakeYAML's int positions can count). */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

  /** Characters in one value (string, key or YAML token): 16 MiB. */
  static final int MAX_VALUE_CHARS = 16 * 1024 * 1024;

  /** Nesting of maps and lists in one document. */
  static final int MAX_DEPTH = 1000;

  /**
   * go-yaml v3's bound on alias expansion (what kubectl applies): a document may take at most this
   * share of its values from aliases once it holds more than 400,000 values: 99% up to 400,000,
   * falling to 10% at 4,000,000. A document with at most 100 values from aliases, or at most 1,000
   * values in all, is always allowed.
   */
  private static double allowedAliasRatio(long decoded) {
    if (decoded <= 400_000) {
      return 0.99;
    }
    if (decoded >= 4_000_000) {
      return 0.10;
    }
    return 0.99 - 0.89 * ((decoded - 400_000) / 3_600_000.0);
  }

  /** Whether {@code aliased} of {@code decoded} values is too much aliasing (go-yaml's rule). */
  static boolean excessiveAliasing(long aliased, long decoded) {
    return aliased > 100
        && decoded > 1000
        && (double) aliased / decoded > allowedAliasRatio(decoded);
  }

  /** {@code 2 GiB}, {@code 16 MiB}, or bytes when not a whole number of KiB. */
  static String describeBytes(long n) {
    long rounded = n + 1; // limits are written as 2^k - 1 or 2^k
    if (n % 1024 != 0 && rounded % 1024 == 0) {
      n = rounded;
    }
    if (n % (1L << 30) == 0) {
      return n / (1L << 30) + " GiB";
    }
    if (n % (1L << 20) == 0) {
      return n / (1L << 20) + " MiB";
    }
    if (n % 1024 == 0) {
      return n / 1024 + " KiB";
    }
    return n + " bytes";
  }
}
