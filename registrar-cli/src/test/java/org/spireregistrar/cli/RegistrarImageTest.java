package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Neither the Dockerfile nor Jib can run here (no container engine, no registry): this checks that
 * they agree with the build and with each other — the jar the Dockerfile copies is the one the
 * shade plugin writes, the entrypoint runs that jar, the default arguments are a valid {@code
 * -config}, the user is not root, and Jib's base, flags, main class, arguments and user are the
 * Dockerfile's, with Jib bound to no phase of {@code mvn verify}.
 */
class RegistrarImageTest {

  private static final Path ROOT = Path.of("..");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The last stage of the Dockerfile: what the image is. */
  private record Stage(String from, String name, List<String> instructions) {
    List<String> all(String keyword) {
      List<String> out = new ArrayList<>();
      for (String i : instructions) {
        if (i.startsWith(keyword + " ")) {
          out.add(i.substring(keyword.length() + 1).trim());
        }
      }
      return out;
    }

    String one(String keyword) {
      List<String> all = all(keyword);
      assertThat(all).as("%s in stage %s", keyword, name).hasSize(1);
      return all.get(0);
    }
  }

  private static List<Stage> stages() throws IOException {
    // Instructions with their continuation lines joined; comments dropped.
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
      String t = line.strip();
      if (t.startsWith("#") || t.isEmpty()) {
        continue;
      }
      if (t.endsWith("\\")) {
        current.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      instructions.add(current.append(t).toString().replaceAll("\\s+", " "));
      current.setLength(0);
    }
    List<Stage> stages = new ArrayList<>();
    for (String i : instructions) {
      if (i.startsWith("FROM ")) {
        String[] parts = i.substring(5).trim().split(" ");
        String name = parts.length == 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : "";
        stages.add(new Stage(parts[0], name, new ArrayList<>()));
      } else {
        assertThat(stages).as("instruction before FROM: %s", i).isNotEmpty();
        stages.get(stages.size() - 1).instructions().add(i);
      }
    }
    return stages;
  }

  private static Stage runtime() throws IOException {
    List<Stage> stages = stages();
    return stages.get(stages.size() - 1);
  }

  private static Stage build() throws IOException {
    return stages().stream().filter(s -> s.name().equals("build")).findFirst().orElseThrow();
  }

  private static List<String> jsonArray(String exec) throws IOException {
    return Arrays.asList(JSON.readValue(exec, String[].class));
  }

  private static Document pom(Path path) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(path.toFile());
  }

  /** The {@code <plugin>} with this artifactId under {@code parentTag} (plugins of build). */
  private static Optional<Element> plugin(Document pom, String artifactId, String parentTag) {
    NodeList plugins = pom.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element p = (Element) plugins.item(i);
      Node container = p.getParentNode().getParentNode();
      if (text(p, "artifactId").equals(artifactId)
          && container.getNodeName().equals(parentTag)
          && !inProfile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static boolean inProfile(Node n) {
    for (Node p = n.getParentNode(); p != null; p = p.getParentNode()) {
      if (p.getNodeName().equals("profile")) {
        return true;
      }
    }
    return false;
  }

  private static String text(Element e, String tag) {
    NodeList nodes = e.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
  }

  private static List<String> texts(Element e, String tag) {
    NodeList nodes = e.getElementsByTagName(tag);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent().strip());
    }
    return out;
  }

  private static Element shade() throws Exception {
    return plugin(pom(Path.of("pom.xml")), "maven-shade-plugin", "build").orElseThrow();
  }

  private static Element jib() throws Exception {
    return plugin(pom(Path.of("pom.xml")), "jib-maven-plugin", "pluginManagement").orElseThrow();
  }

  @Test
  void dockerfileCopiesTheJarTheShadePluginWrites() throws Exception {
    String jar = text(shade(), "finalName") + ".jar";
    String workdir = build().one("WORKDIR");
    String[] copy = runtime().one("COPY").split(" ");

    assertThat(jar).isEqualTo("k8s-workload-registrar.jar");
    assertThat(copy).hasSize(3);
    assertThat(copy[0]).isEqualTo("--from=build");
    assertThat(copy[1]).isEqualTo(workdir + "/registrar-cli/target/" + jar);
    assertThat(copy[2]).isEqualTo("/app/" + jar);
    assertThat(build().one("RUN")).contains("package").contains("-pl registrar-cli -am");
  }

  @Test
  void entrypointRunsTheCopiedJar() throws Exception {
    List<String> entrypoint = jsonArray(runtime().one("ENTRYPOINT"));
    String copied = runtime().one("COPY").split(" ")[2];

    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
        .containsExactly("-jar", copied);
    assertThat(entrypoint).contains("-XX:MaxRAMPercentage=75");
  }

  @Test
  void defaultArgumentsAreTheRegistrarsConfigOptionAtUpstreamsPath() throws Exception {
    List<String> cmd = jsonArray(runtime().one("CMD"));

    // Parsed by the real command line: a usage error would throw here.
    ParseResult parsed = new CommandLine(new RootCommand()).parseArgs(cmd.toArray(String[]::new));
    assertThat(parsed.matchedOptionValue("-config", Path.of("unset")))
        .isEqualTo(Path.of("/run/k8s-workload-registrar/config/registrar.conf"));
  }

  @Test
  void runsAsANumericNonRootUser() throws Exception {
    String user = runtime().one("USER");

    assertThat(user).matches("[0-9]+(:[0-9]+)?");
    assertThat(Integer.parseInt(user.split(":")[0])).isPositive();
  }

  @Test
  void jibBuildsTheSameImageAsTheDockerfile() throws Exception {
    Element jib = jib();
    List<String> entrypoint = jsonArray(runtime().one("ENTRYPOINT"));
    // java <flags> -jar <jar>: the flags are the ones between.
    List<String> flags = entrypoint.subList(1, entrypoint.indexOf("-jar"));

    assertThat(text(jib, "skip")).isEqualTo("false");
    assertThat(text((Element) jib.getElementsByTagName("from").item(0), "image"))
        .isEqualTo(runtime().from());
    assertThat(texts(jib, "jvmFlag")).isEqualTo(flags);
    assertThat(text(jib, "mainClass")).isEqualTo(text(shade(), "mainClass"));
    assertThat(texts(jib, "arg")).isEqualTo(jsonArray(runtime().one("CMD")));
    assertThat(text(jib, "user")).isEqualTo(runtime().one("USER"));
    assertThat(text(jib, "workingDirectory")).isEqualTo(runtime().one("WORKDIR"));
  }

  @Test
  void jibRunsOnlyWhenAskedFor() throws Exception {
    // Bound to no phase: no executions, and declared only under pluginManagement.
    assertThat(jib().getElementsByTagName("executions").getLength()).isZero();
    assertThat(plugin(pom(Path.of("pom.xml")), "jib-maven-plugin", "build")).isEmpty();
    Document parent = pom(ROOT.resolve("pom.xml"));
    assertThat(plugin(parent, "jib-maven-plugin", "build")).isEmpty();
    Element managed = plugin(parent, "jib-maven-plugin", "pluginManagement").orElseThrow();
    assertThat(text(managed, "version")).isNotEmpty();
    assertThat(text(managed, "skip")).isEqualTo("true");
  }
}
