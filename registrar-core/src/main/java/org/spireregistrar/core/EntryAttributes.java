package org.spireregistrar.core;

import java.util.Objects;

/**
 * Entry fields the registrar never manages: it writes them as zero values on create and never sends
 * them on update, so values set by other tools survive.
 *
 * @param admin whether the entry grants admin rights on the server API
 * @param x509SvidTtl X509-SVID TTL in seconds; 0 = server default
 * @param jwtSvidTtl JWT-SVID TTL in seconds; 0 = server default
 * @param expiresAt entry expiry in seconds since the epoch; 0 = never
 * @param storeSvid whether the SVID is stored by an SVIDStore plugin
 * @param hint a workload hint; empty for none
 * @param revisionNumber the server's revision counter (read only)
 */
public record EntryAttributes(
    boolean admin,
    int x509SvidTtl,
    int jwtSvidTtl,
    long expiresAt,
    boolean storeSvid,
    String hint,
    long revisionNumber) {

  /** All zero: what the registrar writes on create. */
  public static final EntryAttributes NONE = new EntryAttributes(false, 0, 0, 0, false, "", 0);

  public EntryAttributes {
    Objects.requireNonNull(hint, "hint");
  }
}
