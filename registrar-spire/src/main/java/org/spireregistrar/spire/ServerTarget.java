package org.spireregistrar.spire;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A parsed {@code server_address}: {@code unix:///abs/path} (also {@code unix:/abs/path} and {@code
 * unix:path}) names the admin socket; anything else is a gRPC TCP target such as {@code
 * spire-server:8081} or {@code dns:///spire-server:8081}.
 */
record ServerTarget(String address, Optional<Path> socketPath) {

  static ServerTarget parse(String address) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("server address is empty");
    }
    String a = address.trim();
    if (a.startsWith("unix:")) {
      String rest = a.substring("unix:".length());
      if (rest.startsWith("//")) {
        rest = rest.substring(2);
      }
      if (rest.isEmpty()) {
        throw new IllegalArgumentException("server address " + a + " has no socket path");
      }
      return new ServerTarget(a, Optional.of(Path.of(rest)));
    }
    return new ServerTarget(a, Optional.empty());
  }

  boolean isUnixSocket() {
    return socketPath.isPresent();
  }
}
