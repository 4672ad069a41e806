package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.InMemoryEntryStore;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.crd.CrdMode;
import org.spireregistrar.reconcile.ReconcileMode;
import org.spireregistrar.reconcile.SyncListener;

/**
 * Every metric family a mode exports on {@code /metrics} is documented in {@code
 * docs/operations.md}, with its Prometheus type: the modes are built as the CLI builds them (not
 * started: every series is registered at construction) and their registries scraped.
 */
class MetricsDocumentationTest {

  private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");

  /** Family name → Prometheus type, from a scrape in the text format. */
  private static Map<String, String> families(String scrape) {
    Map<String, String> out = new TreeMap<>();
    Matcher m = TYPE.matcher(scrape);
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  /** A client as the CLI makes it for informers (no read timeout); never connected here. */
  private static ApiClient watchClient() {
    return new ApiClient().setReadTimeout(0);
  }

  private static String operationsDoc() throws IOException {
    return Files.readString(Path.of("../docs/operations.md"));
  }

  /** A row of the metrics reference: {@code | `name` | type | …}. */
  private static void assertDocumented(Map<String, String> families, String doc, String mode) {
    assertThat(families).as("%s mode exports metrics", mode).isNotEmpty();
    for (Map.Entry<String, String> f : families.entrySet()) {
      String row = "| `" + f.getKey() + "` | " + f.getValue() + " |";
      assertThat(doc)
          .as(
              "docs/operations.md documents %s (%s, %s mode) as a table row",
              f.getKey(), f.getValue(), mode)
          .contains(row);
    }
  }

  @Test
  void everyReconcileModeSeriesIsDocumented() throws IOException {
    RegistrarConfig config = HclConfigLoader.load(Path.of("../examples/reconcile/registrar.conf"));
    try (ReconcileMode mode =
        new ReconcileMode(
            config,
            watchClient(),
            new InMemoryEntryStore(),
            ReconcileMode.Runtime.of("spire"),
            SyncListener.NONE)) {

      Map<String, String> families = families(mode.registry().scrape());

      assertThat(families).containsKeys("registrar_entries_current", "jvm_memory_used_bytes");
      assertDocumented(families, operationsDoc(), "reconcile");
    }
  }

  @Test
  void everyCrdModeSeriesIsDocumented() throws IOException {
    RegistrarConfig config = HclConfigLoader.load(Path.of("../examples/crd/registrar.conf"));
    try (CrdMode mode =
        new CrdMode(config, watchClient(), new InMemoryEntryStore(), CrdMode.Runtime.of("spire"))) {

      Map<String, String> families = families(mode.registry().scrape());

      assertThat(families).containsKeys("registrar_spiffeids", "jvm_memory_used_bytes");
      assertDocumented(families, operationsDoc(), "crd");
    }
  }
}
