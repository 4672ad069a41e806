package org.spireregistrar.cli;

import java.nio.file.Path;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.config.RegistrarConfig;
import picocli.CommandLine.Option;

/** The {@code -config} option, shared by every command that reads the configuration. */
final class ConfigOption {
  @Option(
      names = {"-config", "--config"},
      paramLabel = "FILE",
      defaultValue = "k8s-workload-registrar.conf",
      description = "Path to the HCL configuration file (default: ${DEFAULT-VALUE}).")
  Path path;

  ConfigOption() {}

  ConfigOption(Path path) {
    this.path = path;
  }

  RegistrarConfig load() {
    return HclConfigLoader.load(path);
  }
}
