package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistrarNamespaceTest {
  @TempDir Path dir;

  @Test
  void prefersMyPodNamespace() throws Exception {
    Path file = Files.writeString(dir.resolve("namespace"), "from-file");

    assertThat(RegistrarNamespace.resolve(Map.of("MY_POD_NAMESPACE", " spire \n"), file))
        .isEqualTo("spire");
  }

  @Test
  void fallsBackToTheServiceAccountNamespaceFile() throws Exception {
    Path file = Files.writeString(dir.resolve("namespace"), "spire-system\n");

    assertThat(RegistrarNamespace.resolve(Map.of("MY_POD_NAMESPACE", " "), file))
        .isEqualTo("spire-system");
  }

  @Test
  void failsWithUpstreamsMessageWhenNeitherGivesANamespace() throws Exception {
    Path missing = dir.resolve("missing");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");

    assertThatThrownBy(() -> RegistrarNamespace.resolve(Map.of(), missing))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "unable to get MY_POD_NAMESPACE; ensure downward API is configured for this pod: open "
                + missing);
    assertThatThrownBy(() -> RegistrarNamespace.resolve(Map.of(), empty))
        .hasMessage(
            "unable to get MY_POD_NAMESPACE; ensure downward API is configured for this pod: "
                + empty
                + " is empty");
  }
}
