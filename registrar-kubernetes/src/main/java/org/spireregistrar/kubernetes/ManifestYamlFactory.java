package org.spireregistrar.kubernetes;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.Reader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.parser.ParserImpl;

/**
 * Jackson's YAML parser over {@link LinearStreamReader} (linear time, characters checked where they
 * are), with {@link ManifestLimits}; duplicate keys are an error, as in kubectl. SnakeYAML's
 * per-document code point limit (3 MiB by default, a few hundred pods) is lifted: the file limit
 * bounds documents instead.
 */
final class ManifestYamlFactory extends YAMLFactory {
  private static final long serialVersionUID = 1L;

  ManifestYamlFactory() {
    super(
        YAMLFactory.builder()
            .loaderOptions(loaderOptions())
            .streamReadConstraints(ManifestYamlFactory.constraints())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION));
  }

  /** The limits both parsers (YAML and JSON) apply. */
  static StreamReadConstraints constraints() {
    return StreamReadConstraints.builder()
        .maxStringLength(ManifestLimits.MAX_VALUE_CHARS)
        .maxNameLength(ManifestLimits.MAX_VALUE_CHARS)
        .maxNestingDepth(ManifestLimits.MAX_DEPTH)
        .build();
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions o = new LoaderOptions();
    o.setCodePointLimit(Integer.MAX_VALUE);
    o.setAllowDuplicateKeys(false);
    o.setNestingDepthLimit(ManifestLimits.MAX_DEPTH);
    return o;
  }

  @Override
  protected YAMLParser _createParser(Reader r, IOContext ctxt) {
    return new Parser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
  }

  /** The parser, telling anchors and aliases (Jackson keeps only those of maps and lists). */
  static final class Parser extends YAMLParser {
    Parser(
        IOContext ctxt,
        int parserFeatures,
        int formatFeatures,
        LoaderOptions options,
        ObjectCodec codec,
        Reader reader) {
      super(
          ctxt,
          parserFeatures,
          formatFeatures,
          codec,
          reader,
          new ParserImpl(
              new LinearStreamReader(reader, ManifestLimits.MAX_VALUE_CHARS + 1024), options));
    }

    /** The anchor ({@code &name}) of the map, list or scalar at the current token, or null. */
    String anchor() {
      Event e = _lastEvent;
      return e instanceof NodeEvent n && !(e instanceof AliasEvent) ? n.getAnchor() : null;
    }

    /** Whether the current token is an alias ({@code *name}; {@link #getText()} is the name). */
    boolean alias() {
      return _lastEvent instanceof AliasEvent;
    }
  }
}
