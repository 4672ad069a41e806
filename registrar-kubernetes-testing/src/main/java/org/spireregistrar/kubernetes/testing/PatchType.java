package org.spireregistrar.kubernetes.testing;

import java.util.Locale;

/** The PATCH content types the API server accepts. */
enum PatchType {
  /** {@code application/merge-patch+json} (RFC 7386). */
  MERGE,
  /** {@code application/strategic-merge-patch+json}, applied as described on {@link Patches}. */
  STRATEGIC,
  /** {@code application/json-patch+json} (RFC 6902). */
  JSON,
  /** {@code application/apply-patch+yaml} (server-side apply), applied as a merge patch. */
  APPLY;

  /**
   * The patch type of a Content-Type header.
   *
   * @throws ApiStatusException 415 for any other media type
   */
  static PatchType of(String contentType) {
    String media = contentType == null ? "" : contentType.split(";")[0].trim();
    return switch (media.toLowerCase(Locale.ROOT)) {
      case "application/merge-patch+json" -> MERGE;
      case "application/strategic-merge-patch+json" -> STRATEGIC;
      case "application/json-patch+json" -> JSON;
      case "application/apply-patch+yaml", "application/apply-patch+json" -> APPLY;
      default ->
          throw new ApiStatusException(
              415,
              "UnsupportedMediaType",
              "the body of the request was in an unknown format - accepted media types include:"
                  + " application/json-patch+json, application/merge-patch+json,"
                  + " application/apply-patch+yaml, application/strategic-merge-patch+json");
    };
  }
}
