package org.spireregistrar.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.ConfigParser;
import org.spireregistrar.core.config.RegistrarConfig;

/**
 * Reads the registrar's HCL configuration file: HCL v1 syntax (or its JSON form) checked by {@link
 * HclChecker} (over {@link HclLexer}'s tokens), values decoded by hcl4j alone ({@link
 * Hcl4jDecoder}), then keys, types, defaults and rules checked by {@link ConfigParser}.
 *
 * <p>The syntax check exists because hcl4j (an HCL2 parser) accepts malformed text silently (a
 * stray {@code foo bar baz}, an unclosed list or block, a key without a value) and reads some HCL
 * v1 differently ({@code "${x}"} becomes {@code "x"}, {@code 0x10} becomes {@code x10}, {@code 1e3}
 * becomes {@code e3}, {@code \u00e9} fails). Malformed text fails in the check, before hcl4j runs;
 * a construct hcl4j reads differently fails naming the line and the construct, e.g. {@code line 4:
 * hex numbers are not supported here; write 0x10 as 16}. The check converts no value: every value
 * in the decoded document is hcl4j's.
 *
 * <p>Errors are {@link ConfigException}s with complete messages: {@code unable to load
 * configuration: open x.conf: no such file or directory}, {@code unable to load configuration: read
 * x.conf: larger than 1 MiB, the limit for a configuration file}, {@code unable to load
 * configuration: read x.conf: not UTF-8 text: invalid byte 0xE9 (line 2, column 17)}, {@code unable
 * to decode configuration: line 3: key "trust_domain" has no value}, or the validation messages of
 * {@link ConfigParser}. Nothing is logged or printed (hcl4j's logger is off in {@code
 * simplelogger.properties}).
 */
public final class HclConfigLoader {

  /** The largest configuration file read: 1 MiB (the registrar's files are a few hundred bytes). */
  public static final int MAX_CONFIG_BYTES = 1 << 20;

  private HclConfigLoader() {}

  /**
   * Reads, decodes and validates the configuration file at {@code path} (UTF-8).
   *
   * @throws ConfigException when the file cannot be read, is not valid HCL, or is not a valid
   *     configuration
   */
  public static RegistrarConfig load(Path path) {
    Objects.requireNonNull(path, "path");
    return parse(read(path), path.toString());
  }

  /**
   * Decodes and validates configuration text.
   *
   * @param sourceName names the text (a file name) in the decoded document
   * @throws ConfigException when the text is not valid HCL or not a valid configuration
   */
  public static RegistrarConfig parse(String text, String sourceName) {
    return ConfigParser.parse(decode(text, sourceName));
  }

  /**
   * Decodes configuration text into a document, without validating keys or values.
   *
   * @throws ConfigException {@code unable to decode configuration: line N: …} on a syntax error
   */
  public static ConfigDocument decode(String text, String sourceName) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(sourceName, "sourceName");
    return Hcl4jDecoder.decode(text, sourceName);
  }

  /**
   * The file's text; errors worded like Go's, as upstream printed them. At most {@link
   * #MAX_CONFIG_BYTES} bytes are read, so a huge file or a device ({@code /dev/zero}) fails at once
   * rather than filling the heap.
   */
  private static String read(Path path) {
    if (Files.isDirectory(path)) {
      throw loadError("read " + path + ": is a directory");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw loadError("open " + path + ": no such file or directory");
    } catch (AccessDeniedException e) {
      throw loadError("open " + path + ": permission denied");
    } catch (IOException e) {
      throw loadError("read " + path + ": " + e.getMessage());
    }
    if (bytes.length > MAX_CONFIG_BYTES) {
      throw loadError(
          "read "
              + path
              + ": larger than "
              + (MAX_CONFIG_BYTES >> 20)
              + " MiB, the limit for a configuration file");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in)
          .toString();
    } catch (CharacterCodingException e) {
      throw loadError("read " + path + ": not UTF-8 text: " + invalidByte(bytes));
    }
  }

  /** {@code invalid byte 0xE9 (line 2, column 7)}: the first byte that is not UTF-8. */
  private static String invalidByte(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    decoder.decode(in, out, true); // stops at the first malformed sequence
    int at = in.position();
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < at; i++) {
      if (bytes[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    String before = new String(bytes, lineStart, at - lineStart, StandardCharsets.UTF_8);
    int column = before.codePointCount(0, before.length()) + 1;
    return String.format(
        Locale.ROOT, "invalid byte 0x%02X (line %d, column %d)", bytes[at] & 0xff, line, column);
  }

  private static ConfigException loadError(String reason) {
    return new ConfigException("unable to load configuration: " + reason);
  }
}
