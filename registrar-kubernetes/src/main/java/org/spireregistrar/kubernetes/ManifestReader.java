package org.spireregistrar.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.entry.ClusterObjects;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.NodeInfo;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.core.model.Workload;

/**
 * Reads Kubernetes objects (Pod, Node, Endpoints, SpiffeID) from YAML or JSON files and
 * directories: multi-document files, {@code kind: List} documents. Objects of other kinds are
 * skipped with a warning; objects are mapped {@link ObjectViews.Strictness#STRICT strictly}, with
 * {@code default} as the namespace of an object without one (as kubectl), and those that cannot be
 * mapped or have no {@code metadata.name} are reported as rejected. A file that cannot be read at
 * all is a {@link ManifestException}.
 */
public final class ManifestReader {

  // Duplicate keys are an error, as in kubectl.
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private final ObjectViews views = new ObjectViews(ObjectViews.Strictness.STRICT, "default");
  private final List<String> warnings = new ArrayList<>();
  private final List<RejectedObjectException> rejected = new ArrayList<>();
  private final List<Workload> pods = new ArrayList<>();
  private final List<NodeInfo> nodes = new ArrayList<>();
  private final List<EndpointsInfo> endpoints = new ArrayList<>();
  private final List<SpiffeIdResource> spiffeIds = new ArrayList<>();

  /** Reads every path (a file, or a directory whose .yaml/.yml/.json files are read in order). */
  public static Result read(List<Path> paths) {
    ManifestReader reader = new ManifestReader();
    for (Path path : paths) {
      reader.readPath(path);
    }
    return new Result(
        new ClusterObjects(reader.pods, reader.nodes, reader.endpoints, reader.spiffeIds),
        reader.warnings,
        reader.rejected);
  }

  /** What was read: the objects, warnings (skipped kinds) and objects that could not be mapped. */
  public record Result(
      ClusterObjects objects, List<String> warnings, List<RejectedObjectException> rejected) {
    public Result {
      warnings = List.copyOf(warnings);
      rejected = List.copyOf(rejected);
    }
  }

  private void readPath(Path path) {
    if (Files.isDirectory(path)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(path)) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(ManifestReader::isManifestFile)
                .sorted(Comparator.comparing(Path::toString))
                .toList();
      } catch (IOException e) {
        throw new ManifestException(path + ": cannot read directory: " + reason(e));
      }
      for (Path file : files) {
        readFile(file);
      }
    } else {
      readFile(path);
    }
  }

  private static boolean isManifestFile(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  private void readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ManifestException(file + ": no such file or directory");
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot read: " + reason(e));
    }
    int index = 0;
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (true) {
        JsonNode doc;
        try {
          if (!docs.hasNextValue()) {
            break;
          }
          doc = docs.nextValue();
        } catch (JsonProcessingException e) {
          throw new ManifestException(
              file + ": document " + index + ": not valid YAML or JSON: " + shortMessage(e));
        }
        readDocument(file, index, doc);
        index++;
      }
    } catch (JsonProcessingException e) {
      throw new ManifestException(
          file + ": document " + index + ": not valid YAML or JSON: " + shortMessage(e));
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot read: " + reason(e));
    }
  }

  private void readDocument(Path file, int index, JsonNode doc) {
    if (doc == null || doc.isNull() || doc.isMissingNode() || "".equals(doc.textValue())) {
      return; // an empty document between two "---" or after a last one (SnakeYAML 2.x reads "")
    }
    String where = file + ": document " + index;
    if (!doc.isObject()) {
      throw new ManifestException(where + ": expected a Kubernetes object, got " + describe(doc));
    }
    String kind = doc.path("kind").asText("");
    if (kind.equals("List") || kind.endsWith("List") && doc.has("items")) {
      JsonNode items = doc.path("items");
      if (!items.isArray()) {
        throw new ManifestException(where + ": " + kind + " has no items array");
      }
      for (int i = 0; i < items.size(); i++) {
        readObject(where + ": item " + i, items.get(i));
      }
      return;
    }
    readObject(where, doc);
  }

  private void readObject(String where, JsonNode node) {
    if (!node.isObject()) {
      throw new ManifestException(where + ": expected a Kubernetes object, got " + describe(node));
    }
    String kind = node.path("kind").asText("");
    String apiVersion = node.path("apiVersion").asText("");
    if (kind.isEmpty()) {
      throw new ManifestException(where + ": object has no kind");
    }
    try {
      switch (kind) {
        case "Pod" -> pods.add(views.pod(named(kind, node)));
        case "Node" -> nodes.add(views.node(named(kind, node)));
        case "Endpoints" -> endpoints.add(views.endpoints(named(kind, node)));
        case "SpiffeID" -> {
          if (!apiVersion.equals("spiffeid.spiffe.io/v1beta1")) {
            warnings.add(
                where
                    + ": skipping SpiffeID of apiVersion \""
                    + apiVersion
                    + "\" (only spiffeid.spiffe.io/v1beta1 is known)");
          } else {
            spiffeIds.add(views.spiffeId(named(kind, node)));
          }
        }
        default -> warnings.add(where + ": skipping object of kind " + kind);
      }
    } catch (RejectedObjectException e) {
      rejected.add(e);
    }
  }

  /** The object as the mapping reads it; rejected without {@code metadata.name}. */
  private JsonObject named(String kind, JsonNode node) {
    JsonObject object = JsonTrees.toGson(node).getAsJsonObject();
    views.requireName(kind, object);
    return object;
  }

  private static String describe(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String shortMessage(JsonProcessingException e) {
    String msg = e.getOriginalMessage();
    if (e.getLocation() != null) {
      msg +=
          " (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")";
    }
    return msg.replace('\n', ' ');
  }

  private static String reason(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
