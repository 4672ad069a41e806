package org.spireregistrar.crd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The SpiffeID custom resource (upstream §6.2): its names, and the CustomResourceDefinition
 * manifest crd mode ships ({@value #MANIFEST_RESOURCE} on the classpath, copied byte for byte to
 * {@code deploy/crd/spiffeid.spiffe.io_spiffeids.yaml}).
 */
public final class SpiffeIdCrd {
  private SpiffeIdCrd() {}

  /** The API group. */
  public static final String GROUP = "spiffeid.spiffe.io";

  /** The only version, served and stored. */
  public static final String VERSION = "v1beta1";

  /** {@code spiffeid.spiffe.io/v1beta1}. */
  public static final String API_VERSION = GROUP + "/" + VERSION;

  public static final String KIND = "SpiffeID";

  public static final String LIST_KIND = "SpiffeIDList";

  public static final String PLURAL = "spiffeids";

  public static final String SINGULAR = "spiffeid";

  /** The CustomResourceDefinition's name, {@code spiffeids.spiffeid.spiffe.io}. */
  public static final String NAME = PLURAL + "." + GROUP;

  /** The finalizer on every SpiffeID, which holds it until its entry is deleted. */
  public static final String FINALIZER = "finalizers.spiffeid.spiffe.io";

  /** Where the manifest is on the classpath. */
  public static final String MANIFEST_RESOURCE = "/org/spireregistrar/crd/spiffeid-crd.yaml";

  /**
   * The CustomResourceDefinition as YAML ({@code apiextensions.k8s.io/v1}): namespaced, version
   * {@code v1beta1} served and stored, status subresource, and upstream's schema — {@code
   * spec.parentId}, {@code spec.spiffeId} and {@code spec.selector} required.
   */
  public static String manifest() {
    try (InputStream in = SpiffeIdCrd.class.getResourceAsStream(MANIFEST_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(MANIFEST_RESOURCE + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + MANIFEST_RESOURCE, e);
    }
  }
}
