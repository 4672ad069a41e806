package org.spireregistrar.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spireregistrar.cli.CliRunAccess;
import org.spireregistrar.core.config.ListenAddress;
import org.spireregistrar.core.config.WebhookConfig;
import org.spireregistrar.webhook.WebhookMode;
import org.spireregistrar.webhook.setup.WebhookManifests;

/**
 * {@code deploy/webhook} and {@code generate-config} (with its default {@code -namespace} and
 * {@code -service}) describe the same registrar: the generated ValidatingWebhookConfiguration
 * reaches the base's Service and port, and the base mounts the generated ConfigMap and Secret where
 * its configuration reads the certificate, key and CA.
 */
class DeployWebhookTest {

  @Test
  void generateConfigsObjectsFitTheBase() throws Exception {
    DeployBase base = DeployBase.read("webhook");
    WebhookConfig config = base.config().webhook();
    List<JsonNode> generated = generateConfig();

    JsonNode hookConfiguration = kind(generated, "ValidatingWebhookConfiguration");
    JsonNode hook = hookConfiguration.at("/webhooks/0");
    assertThat(hook.at("/clientConfig/service/namespace").asText()).isEqualTo(base.namespace());
    assertThat(hook.at("/clientConfig/service/path").asText()).isEqualTo(WebhookMode.PATH);
    DeployManifestsTest.assertServiceReaches(
        base,
        hook.at("/clientConfig/service/name").asText(),
        hook,
        ListenAddress.parse(config.addr()).port());

    JsonNode certs = kind(generated, "ConfigMap");
    JsonNode secret = kind(generated, "Secret");
    assertThat(certs.at("/metadata/name").asText()).isEqualTo(WebhookManifests.CONFIG_MAP);
    assertThat(secret.at("/metadata/name").asText()).isEqualTo(WebhookManifests.SECRET);
    assertThat(certs.at("/metadata/namespace").asText()).isEqualTo(base.namespace());
    assertThat(secret.at("/metadata/namespace").asText()).isEqualTo(base.namespace());

    assertMountedFrom(base, config.certPath(), "configMap", "name", certs);
    assertMountedFrom(base, config.cacertPath(), "configMap", "name", certs);
    assertMountedFrom(base, config.keyPath(), "secret", "secretName", secret);
    assertThat(base.all("ValidatingWebhookConfiguration"))
        .as("the webhook configuration carries generate-config's CA, so it comes from there")
        .isEmpty();
  }

  /** {@code path} is a key of {@code source}, mounted from a volume of that kind and name. */
  private static void assertMountedFrom(
      DeployBase base, String path, String volumeKind, String nameField, JsonNode source) {
    String dir = path.substring(0, path.lastIndexOf('/'));
    String file = path.substring(path.lastIndexOf('/') + 1);
    JsonNode volume =
        base.volumeAt(base.registrarContainer(), dir)
            .orElseThrow(() -> new AssertionError("nothing mounted at " + dir + " for " + path));
    assertThat(volume.path(volumeKind).path(nameField).asText())
        .as(path)
        .isEqualTo(source.at("/metadata/name").asText());
    assertThat(source.path("data").has(file))
        .as(file + " in " + source.at("/metadata/name"))
        .isTrue();
  }

  private static List<JsonNode> generateConfig() throws Exception {
    CliRunAccess.Result run = CliRunAccess.run("generate-config");
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        new YAMLMapper().readerFor(JsonNode.class).readValues(run.out())) {
      while (it.hasNextValue()) {
        docs.add(it.nextValue());
      }
    }
    return docs;
  }

  private static JsonNode kind(List<JsonNode> docs, String kind) {
    return docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind))
        .findFirst()
        .orElseThrow(() -> new AssertionError("generate-config wrote no " + kind));
  }
}
