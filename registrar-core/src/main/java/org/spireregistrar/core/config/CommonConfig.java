package org.spireregistrar.core.config;

import java.util.List;
import java.util.Objects;
import org.spireregistrar.core.TrustDomain;

/**
 * Keys every mode reads (upstream §1.2), defaults applied and {@code server_address} derived.
 *
 * @param logLevel lower-cased; one of panic, fatal, error, warn, warning, info, debug, trace
 * @param logFormat "" (text), "text" or "json", lower-cased
 * @param logPath "" for stderr
 * @param trustDomain normalised trust domain
 * @param serverAddress gRPC target; {@code unix://…} for the admin socket
 * @param serverSocketPath as given; "" when unset
 * @param agentSocketPath "" when unset; required for TCP server addresses
 * @param cluster the k8s_psat cluster name
 * @param podLabel "" when unset
 * @param podAnnotation "" when unset
 * @param mode the operating mode
 * @param disabledNamespaces namespaces whose pods are skipped
 */
public record CommonConfig(
    String logLevel,
    String logFormat,
    String logPath,
    TrustDomain trustDomain,
    String serverAddress,
    String serverSocketPath,
    String agentSocketPath,
    String cluster,
    String podLabel,
    String podAnnotation,
    Mode mode,
    List<String> disabledNamespaces) {

  public static final List<String> DEFAULT_DISABLED_NAMESPACES =
      List.of("kube-system", "kube-public");

  public CommonConfig {
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(logFormat, "logFormat");
    Objects.requireNonNull(logPath, "logPath");
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(serverAddress, "serverAddress");
    Objects.requireNonNull(serverSocketPath, "serverSocketPath");
    Objects.requireNonNull(agentSocketPath, "agentSocketPath");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(podLabel, "podLabel");
    Objects.requireNonNull(podAnnotation, "podAnnotation");
    Objects.requireNonNull(mode, "mode");
    disabledNamespaces = List.copyOf(disabledNamespaces);
  }

  public boolean serverIsLocalSocket() {
    return serverAddress.startsWith("unix://");
  }

  public boolean namespaceDisabled(String namespace) {
    return disabledNamespaces.contains(namespace);
  }
}
