package org.spireregistrar.kubernetes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
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
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads Kubernetes objects (Pod, Node, Endpoints, SpiffeID) from YAML or JSON files and
 * directories: multi-document files, {@code kind: List} documents (what {@code kubectl get -o json}
 * and {@code -o yaml} write), a top-level array of objects. Objects of other kinds are skipped with
 * a warning; objects are mapped {@link ObjectViews.Strictness#STRICT strictly}, with {@code
 * default} as the namespace of an object without one (as kubectl), and those that cannot be mapped
 * or have no {@code metadata.name} are reported as rejected. A file that cannot be read at all is a
 * {@link ManifestException} naming the file, the document, what is wrong and where ({@code
 * pods.yaml: document 2: undefined alias "*labels" (no "&labels" before it) (line 40, column 13)}).
 *
 * <p>Reading is streamed and linear in the input: a file whose first character (after white space)
 * is <code>{</code> or {@code [} is read by Jackson's JSON parser (falling back to YAML when that
 * fails, for YAML flow style), any other by SnakeYAML through {@link LinearStreamReader}; the items
 * of a {@code List} are mapped one by one, never held as one tree. Empty documents are skipped.
 * YAML anchors, aliases and merge keys are resolved ({@link TreeReader}). Limits ({@link
 * ManifestLimits}): 2 GiB per file, 16 MiB per value, nesting 1,000 deep, alias expansion as
 * kubectl bounds it. Files must be UTF-8.
 */
public final class ManifestReader {

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(ManifestYamlFactory.constraints())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private static final ManifestYamlFactory YAML = new ManifestYamlFactory();

  private final ObjectViews views = new ObjectViews(ObjectViews.Strictness.STRICT, "default");
  private final Sink all = new Sink();

  /** Reads every path (a file, or a directory whose .yaml/.yml/.json files are read in order). */
  public static Result read(List<Path> paths) {
    ManifestReader reader = new ManifestReader();
    for (Path path : paths) {
      reader.readPath(path);
    }
    Sink s = reader.all;
    return new Result(
        new ClusterObjects(s.pods, s.nodes, s.endpoints, s.spiffeIds), s.warnings, s.rejected);
  }

  /** What was read: the objects, warnings (skipped kinds) and objects that could not be mapped. */
  public record Result(
      ClusterObjects objects, List<String> warnings, List<RejectedObjectException> rejected) {
    public Result {
      warnings = List.copyOf(warnings);
      rejected = List.copyOf(rejected);
    }
  }

  /** What one file (or one List document) yields, committed once it is read whole. */
  private static final class Sink {
    final List<String> warnings = new ArrayList<>();
    final List<RejectedObjectException> rejected = new ArrayList<>();
    final List<Workload> pods = new ArrayList<>();
    final List<NodeInfo> nodes = new ArrayList<>();
    final List<EndpointsInfo> endpoints = new ArrayList<>();
    final List<SpiffeIdResource> spiffeIds = new ArrayList<>();

    void addAll(Sink o) {
      warnings.addAll(o.warnings);
      rejected.addAll(o.rejected);
      pods.addAll(o.pods);
      nodes.addAll(o.nodes);
      endpoints.addAll(o.endpoints);
      spiffeIds.addAll(o.spiffeIds);
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
      } catch (IOException | UncheckedIOException e) {
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
    boolean regular = Files.isRegularFile(file);
    if (regular) {
      long size;
      try {
        size = Files.size(file);
      } catch (IOException e) {
        throw new ManifestException(file + ": cannot read: " + reason(e));
      }
      if (size > ManifestLimits.MAX_FILE_BYTES) {
        throw new ManifestException(
            file
                + ": "
                + size
                + " bytes, larger than "
                + ManifestLimits.describeBytes(ManifestLimits.MAX_FILE_BYTES)
                + ", the limit for one file; split it (e.g. one kubectl get per namespace)");
      }
    }
    // A file that fails to read fails the whole read, so only the JSON attempt, which may give
    // way to YAML, collects into a sink of its own.
    Sink sink = new Sink();
    FileRead json;
    try (ManifestInput in = open(file)) {
      if (!in.looksLikeJson()) {
        new FileRead(file, in, false, all).run();
        return;
      }
      json = new FileRead(file, in, true, sink);
      if (json.runUntilSyntaxError()) {
        all.addAll(sink);
        return;
      }
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot read: " + reason(e));
    }
    // Not JSON after all, or broken JSON: YAML flow style (and JSON documents separated by "---")
    // start with "{" too. If YAML cannot read it either, the JSON error is the one to report.
    if (regular) {
      try (ManifestInput in = open(file)) {
        new FileRead(file, in, false, all).run();
        return;
      } catch (ManifestException | IOException e) {
        // fall through to the JSON error
      }
    }
    throw json.syntaxError();
  }

  private static ManifestInput open(Path file) {
    try {
      InputStream in = Files.newInputStream(file);
      return new ManifestInput(in, ManifestLimits.MAX_FILE_BYTES);
    } catch (NoSuchFileException e) {
      throw new ManifestException(file + ": no such file or directory");
    } catch (AccessDeniedException e) {
      throw new ManifestException(file + ": permission denied");
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot read: " + reason(e));
    }
  }

  /** One pass over one file with one parser; documents numbered from 0. */
  private final class FileRead {
    private final Path file;
    private final ManifestInput in;
    private final boolean json;
    private final Sink sink;
    private int index;
    private ManifestException syntaxError;
    private JsonParser parser;

    FileRead(Path file, ManifestInput in, boolean json, Sink sink) {
      this.file = file;
      this.in = in;
      this.json = json;
      this.sink = sink;
    }

    /** Reads the file; every failure is a {@link ManifestException}. */
    void run() {
      if (!runUntilSyntaxError()) {
        throw syntaxError;
      }
    }

    /**
     * Reads the file; false (with {@link #syntaxError}) when the parser refuses the text, every
     * other failure a {@link ManifestException}.
     */
    boolean runUntilSyntaxError() {
      try (JsonParser p = json ? JSON.createParser(in) : YAML.createParser(in)) {
        parser = p;
        documents(p, new TreeReader(p));
        return true;
      } catch (ManifestInput.InputFailure e) {
        throw new ManifestException(
            e.inDocument() ? where() + ": " + e.getMessage() : file + ": " + e.getMessage());
      } catch (StreamConstraintsException e) {
        throw new ManifestException(where() + ": " + limitMessage(e, parser));
      } catch (JsonProcessingException e) {
        syntaxError =
            new ManifestException(
                where() + (json ? ": not valid JSON: " : ": not valid YAML or JSON: ") + syntax(e));
        return false;
      } catch (IOException e) {
        throw new ManifestException(file + ": cannot read: " + reason(e));
      } catch (UncheckedIOException e) {
        throw new ManifestException(file + ": cannot read: " + reason(e.getCause()));
      }
    }

    ManifestException syntaxError() {
      return syntaxError;
    }

    private String where() {
      return file + ": document " + index;
    }

    private void documents(JsonParser p, TreeReader tree) throws IOException {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        tree.newDocument();
        if (t == JsonToken.START_ARRAY && !isAlias(p)) {
          // A top-level array: each element is a document, as Jackson's readValues reads it.
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
              throw tree.failure("unexpected end of input");
            }
            document(p, tree);
          }
        } else {
          document(p, tree);
        }
      }
    }

    private static boolean isAlias(JsonParser p) {
      return p instanceof ManifestYamlFactory.Parser y && y.alias();
    }

    private void document(JsonParser p, TreeReader tree) throws IOException {
      String where = where();
      if (p.currentToken() == JsonToken.START_OBJECT && !isAlias(p)) {
        listOrObject(where, tree);
      } else {
        JsonElement doc = tree.value();
        if (!doc.isJsonNull() && !isEmptyString(doc)) {
          throw new ManifestException(
              where + ": expected a Kubernetes object, got " + TreeReader.describe(doc));
        }
        // else an empty document ("---" followed by nothing), skipped
      }
      index++;
    }

    private static boolean isEmptyString(JsonElement e) {
      return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() && e.getAsString().isEmpty();
    }

    /**
     * A document that is an object: a {@code List} (its items, streamed) or one object. Whether it
     * is a List is known only at its end ({@code kubectl -o json} writes {@code kind} after {@code
     * items}), so items are mapped as they come into a sink of their own, kept if it is.
     */
    private void listOrObject(String where, TreeReader tree) throws IOException {
      Sink items = new Sink();
      int[] count = {0};
      ManifestException[] firstError = {null};
      TreeReader.Root root =
          tree.rootObject(
              "items",
              item -> {
                int i = count[0]++;
                if (firstError[0] == null) {
                  try {
                    readObject(where + ": item " + i, item, items);
                  } catch (ManifestException e) {
                    firstError[0] = e; // reported only if this is a List
                  }
                }
              });
      JsonObject object = root.object();
      String kind = kind(where, object, true);
      boolean hasItems = root.streamed() || object.has("items");
      if (!(kind.equals("List") || kind.endsWith("List") && hasItems)) {
        readObject(where, object, sink);
        return;
      }
      if (root.streamed()) {
        if (firstError[0] != null) {
          throw firstError[0];
        }
        sink.addAll(items);
        return;
      }
      JsonElement list = object.get("items");
      if (list == null || !list.isJsonArray()) {
        throw new ManifestException(where + ": " + kind + " has no items array");
      }
      for (int i = 0; i < list.getAsJsonArray().size(); i++) {
        readObject(where + ": item " + i, list.getAsJsonArray().get(i), sink);
      }
    }

    private void readObject(String where, JsonElement node, Sink into) {
      if (!node.isJsonObject()) {
        throw new ManifestException(
            where + ": expected a Kubernetes object, got " + TreeReader.describe(node));
      }
      JsonObject object = node.getAsJsonObject();
      String kind = kind(where, object, false);
      if (kind.isEmpty()) {
        throw new ManifestException(where + ": object has no kind");
      }
      try {
        switch (kind) {
          case "Pod" -> into.pods.add(views.pod(named(kind, object)));
          case "Node" -> into.nodes.add(views.node(named(kind, object)));
          case "Endpoints" -> into.endpoints.add(views.endpoints(named(kind, object)));
          case "SpiffeID" -> {
            String apiVersion = text(object.get("apiVersion"));
            if (!apiVersion.equals("spiffeid.spiffe.io/v1beta1")) {
              into.warnings.add(
                  where
                      + ": skipping SpiffeID of apiVersion \""
                      + apiVersion
                      + "\" (only spiffeid.spiffe.io/v1beta1 is known)");
            } else {
              into.spiffeIds.add(views.spiffeId(named(kind, object)));
            }
          }
          default -> into.warnings.add(where + ": skipping object of kind " + kind);
        }
      } catch (RejectedObjectException e) {
        into.rejected.add(e);
      }
    }
  }

  /**
   * The object's kind; "" when absent.
   *
   * @param lenient whether a kind that is not a string reads as "" (a document that may be a List)
   * @throws ManifestException {@code kind must be a string, got number}
   */
  private static String kind(String where, JsonObject object, boolean lenient) {
    JsonElement kind = object.get("kind");
    if (kind == null || kind.isJsonNull()) {
      return "";
    }
    if (!kind.isJsonPrimitive() || !kind.getAsJsonPrimitive().isString()) {
      if (lenient) {
        return "";
      }
      throw new ManifestException(
          where + ": kind must be a string, got " + TreeReader.describe(kind));
    }
    return kind.getAsString();
  }

  private static String text(JsonElement e) {
    return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
  }

  /** The object as the mapping reads it; rejected without {@code metadata.name}. */
  private JsonObject named(String kind, JsonObject object) {
    views.requireName(kind, object);
    return object;
  }

  /** A parser's refusal: what and where, on one line. */
  private static String syntax(JsonProcessingException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof MarkedYAMLException m && m.getProblem() != null) {
        String msg = m.getProblem() + at(m.getProblemMark());
        if (m.getContext() != null) {
          msg += ", " + m.getContext() + at(m.getContextMark());
        }
        return msg.replace('\n', ' ');
      }
    }
    String msg = e.getOriginalMessage();
    if (msg == null) {
      msg = e.getClass().getSimpleName();
    }
    // Jackson's messages can run over several lines (a hint on the second): keep the first.
    int nl = msg.indexOf('\n');
    if (nl > 0) {
      msg = msg.substring(0, nl);
    }
    return msg + TreeReader.at(e.getLocation());
  }

  private static String at(Mark mark) {
    return mark == null
        ? ""
        : String.format(
            Locale.ROOT, " (line %d, column %d)", mark.getLine() + 1, mark.getColumn() + 1);
  }

  /** A Jackson limit hit, in the words of {@link ManifestLimits}. */
  private static String limitMessage(StreamConstraintsException e, JsonParser p) {
    String msg = String.valueOf(e.getOriginalMessage());
    String where =
        TreeReader.at(
            e.getLocation() != null || p == null ? e.getLocation() : p.currentTokenLocation());
    if (msg.contains("nesting depth")) {
      return "maps and lists nested deeper than " + ManifestLimits.MAX_DEPTH + " levels" + where;
    }
    if (msg.contains("String value length") || msg.contains("Name length")) {
      return "a value longer than "
          + ManifestLimits.describeBytes(ManifestLimits.MAX_VALUE_CHARS)
          + where;
    }
    return syntax(e);
  }

  private static String reason(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
