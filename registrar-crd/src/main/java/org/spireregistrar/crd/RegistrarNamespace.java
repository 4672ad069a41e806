package org.spireregistrar.crd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The namespace crd mode runs in (upstream §6.1 step 6): node SpiffeIDs and the leader-election
 * Lease live there.
 */
public final class RegistrarNamespace {
  /** Where a pod's service account namespace is mounted. */
  public static final Path SERVICE_ACCOUNT_NAMESPACE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  private RegistrarNamespace() {}

  /** {@link #resolve(Map, Path)} for this process. */
  public static String resolve() {
    return resolve(System.getenv(), SERVICE_ACCOUNT_NAMESPACE);
  }

  /**
   * {@code MY_POD_NAMESPACE}, else the trimmed contents of {@code serviceAccountFile}.
   *
   * @throws IllegalStateException {@code unable to get MY_POD_NAMESPACE; ensure downward API is
   *     configured for this pod: <reason>} (upstream's text) when neither gives a namespace
   */
  public static String resolve(Map<String, String> env, Path serviceAccountFile) {
    String v = env.get("MY_POD_NAMESPACE");
    if (v != null && !v.isBlank()) {
      return v.trim();
    }
    String reason;
    try {
      String ns = Files.readString(serviceAccountFile).trim();
      if (!ns.isEmpty()) {
        return ns;
      }
      reason = serviceAccountFile + " is empty";
    } catch (IOException e) {
      reason = "open " + serviceAccountFile + ": " + e.getMessage();
    }
    throw new IllegalStateException(
        "unable to get MY_POD_NAMESPACE; ensure downward API is configured for this pod: "
            + reason);
  }
}
