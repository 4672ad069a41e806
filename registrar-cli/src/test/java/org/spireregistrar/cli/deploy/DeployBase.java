package org.spireregistrar.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.spireregistrar.config.HclConfigLoader;
import org.spireregistrar.core.config.RegistrarConfig;

/**
 * A kustomize base under {@code deploy/}, read as kustomize reads it (the {@code resources} of its
 * {@code kustomization.yaml}, each a multi-document YAML file) but without kubectl: the objects are
 * the documents as written, since the bases use no transformers.
 *
 * @param mode the directory name, which is also the mode its configuration names
 * @param docs every non-empty document of every resource file, in order
 */
record DeployBase(String mode, Path dir, List<Doc> docs) {
  static final Path DEPLOY = Path.of("..", "deploy");
  static final String REGISTRAR = "k8s-workload-registrar";
  static final String CONFIG_KEY = "registrar.conf";
  private static final YAMLMapper YAML = new YAMLMapper();

  /** One document: where it came from and what it says. */
  record Doc(String file, int index, JsonNode node) {
    String kind() {
      return node.path("kind").asText("");
    }

    String name() {
      return node.path("metadata").path("name").asText("");
    }

    String namespace() {
      return node.path("metadata").path("namespace").asText("");
    }

    @Override
    public String toString() {
      return file + " document " + index + " (" + kind() + " " + name() + ")";
    }
  }

  static DeployBase read(String mode) {
    Path dir = DEPLOY.resolve(mode);
    JsonNode kustomization = parse(dir.resolve("kustomization.yaml")).get(0);
    List<Doc> docs = new ArrayList<>();
    for (JsonNode resource : kustomization.path("resources")) {
      Path file = dir.resolve(resource.asText());
      List<JsonNode> nodes = parse(file);
      for (int i = 0; i < nodes.size(); i++) {
        docs.add(new Doc(resource.asText(), i + 1, nodes.get(i)));
      }
    }
    return new DeployBase(mode, dir, List.copyOf(docs));
  }

  static List<JsonNode> parse(Path file) {
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      List<JsonNode> out = new ArrayList<>();
      while (it.hasNextValue()) {
        JsonNode n = it.nextValue();
        if (n != null && !n.isNull() && !n.isMissingNode() && !n.isEmpty()) {
          out.add(n);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  List<Doc> all(String kind) {
    return docs.stream().filter(d -> d.kind().equals(kind)).toList();
  }

  Optional<Doc> find(String kind, String name) {
    return docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).findFirst();
  }

  Doc one(String kind, String name) {
    return find(kind, name)
        .orElseThrow(() -> new AssertionError(mode + ": no " + kind + " named " + name));
  }

  /** The registrar's HCL text, from ConfigMap {@value #REGISTRAR}. */
  String configText() {
    JsonNode text = one("ConfigMap", REGISTRAR).node().path("data").path(CONFIG_KEY);
    if (!text.isTextual()) {
      throw new AssertionError(mode + ": ConfigMap " + REGISTRAR + " has no " + CONFIG_KEY);
    }
    return text.asText();
  }

  /** The registrar's configuration, loaded as {@code validate} loads it. */
  RegistrarConfig config() {
    return HclConfigLoader.parse(configText(), "deploy/" + mode + "/registrar-config.yaml");
  }

  /** The only Deployment. */
  Doc deployment() {
    List<Doc> deployments = all("Deployment");
    if (deployments.size() != 1) {
      throw new AssertionError(mode + ": expected one Deployment, found " + deployments);
    }
    return deployments.get(0);
  }

  JsonNode podSpec() {
    return deployment().node().path("spec").path("template").path("spec");
  }

  JsonNode container(String name) {
    for (JsonNode c : podSpec().path("containers")) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError(mode + ": the Deployment has no container " + name);
  }

  JsonNode registrarContainer() {
    return container(REGISTRAR);
  }

  /** The volume a container mounts at {@code mountPath}. */
  Optional<JsonNode> volumeAt(JsonNode container, String mountPath) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (m.path("mountPath").asText().equals(mountPath)) {
        String volume = m.path("name").asText();
        for (JsonNode v : podSpec().path("volumes")) {
          if (v.path("name").asText().equals(volume)) {
            return Optional.of(v);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** The Deployment's namespace: {@code MY_POD_NAMESPACE}, where namespaced grants must be. */
  String namespace() {
    return deployment().namespace();
  }

  String serviceAccount() {
    return podSpec().path("serviceAccountName").asText("default");
  }
}
