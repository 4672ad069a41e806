package org.spireregistrar.kubernetes;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.scanner.Constant;

/**
 * SnakeYAML's character window over the input, in linear time. SnakeYAML's own {@link StreamReader}
 * reads 1,024 characters at a time and copies the whole unconsumed window on each read, so scanning
 * one long token (a value without spaces) costs its length squared over 1,024: an 8 MB value took
 * 20 s, 50 MB never ended. This window grows by doubling and is compacted only when at least half
 * of it is consumed, so each character is copied a bounded number of times.
 *
 * <p>Same contract as SnakeYAML's (the scanner calls only these public methods): {@code peek}
 * beyond the end reads {@code '\0'}; lines and columns are 0-based and counted as SnakeYAML counts
 * them. Besides, a character YAML does not allow (a NUL, a control character) fails with its own
 * line and column, and a token longer than {@link ManifestLimits#MAX_VALUE_CHARS} fails rather than
 * growing the window without bound; both as {@link ManifestInput.InputFailure}.
 */
final class LinearStreamReader extends StreamReader {

  private static final int CHUNK = 8192;

  private final Reader in;
  private final int maxToken;
  private final char[] chunk = new char[CHUNK];

  /** Code points {@code window[pointer, length)} are read and not yet consumed. */
  private int[] window = new int[4 * CHUNK];

  private int length;
  private int pointer;
  private boolean eof;

  /** A high surrogate that ended the last chunk, or -1. */
  private int carry = -1;

  // Position of the next code point to consume, as SnakeYAML counts (0-based).
  private int index;
  private int documentIndex;
  private int line;
  private int column;

  // Position of the next code point to load (1-based), for messages about what is loaded.
  private long loadLine = 1;
  private long loadColumn = 1;
  private boolean loadAfterCr;

  LinearStreamReader(Reader in, int maxToken) {
    super(Reader.nullReader()); // SnakeYAML's window is not used
    this.in = in;
    this.maxToken = maxToken;
  }

  @Override
  public Mark getMark() {
    return new Mark("'reader'", index, line, column, window, pointer);
  }

  @Override
  public void forward() {
    forward(1);
  }

  @Override
  public void forward(int n) {
    for (int i = 0; i < n && ensure(0); i++) {
      int c = window[pointer++];
      index++;
      documentIndex++;
      if (Constant.LINEBR.has(c) || (c == '\r' && ensure(0) && window[pointer] != '\n')) {
        line++;
        column = 0;
      } else if (c != 0xFEFF) {
        column++;
      }
    }
  }

  @Override
  public int peek() {
    return ensure(0) ? window[pointer] : '\0';
  }

  @Override
  public int peek(int offset) {
    return ensure(offset) ? window[pointer + offset] : '\0';
  }

  @Override
  public String prefix(int n) {
    if (n == 0) {
      return "";
    }
    return ensure(n)
        ? new String(window, pointer, n)
        : new String(window, pointer, Math.min(n, length - pointer));
  }

  @Override
  public String prefixForward(int n) {
    String s = prefix(n);
    pointer += n;
    index += n;
    documentIndex += n;
    column += n;
    return s;
  }

  @Override
  public int getColumn() {
    return column;
  }

  @Override
  public int getDocumentIndex() {
    return documentIndex;
  }

  @Override
  public void resetDocumentIndex() {
    documentIndex = 0;
  }

  @Override
  public int getIndex() {
    return index;
  }

  @Override
  public int getLine() {
    return line;
  }

  /** Whether the code point at {@code pointer + offset} is loaded (loading what is needed). */
  private boolean ensure(int offset) {
    while (!eof && pointer + offset >= length) {
      load();
    }
    return pointer + offset < length;
  }

  /** Appends the next chunk of input to the window. */
  private void load() {
    int live = length - pointer;
    if (live > maxToken) {
      throw new ManifestInput.InputFailure(
          String.format(
              Locale.ROOT,
              "a value or line longer than %s (line %d, column %d)",
              ManifestLimits.describeBytes(ManifestLimits.MAX_VALUE_CHARS),
              line + 1,
              column + 1));
    }
    if (length + CHUNK > window.length) {
      int capacity = window.length;
      while (live + CHUNK > capacity / 2) {
        capacity *= 2;
      }
      // A new array, not a copy in place: earlier Marks keep the text they point into.
      int[] next = new int[capacity];
      System.arraycopy(window, pointer, next, 0, live);
      window = next;
      length = live;
      pointer = 0;
    }
    int n;
    try {
      n = in.read(chunk, 0, CHUNK);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (n < 0) {
      eof = true;
      if (carry >= 0) {
        append(carry); // a lone high surrogate: refused as not printable
        carry = -1;
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      char ch = chunk[i];
      if (carry >= 0) {
        int high = carry;
        carry = -1;
        if (Character.isLowSurrogate(ch)) {
          append(Character.toCodePoint((char) high, ch));
          continue;
        }
        append(high);
      }
      if (Character.isHighSurrogate(ch)) {
        carry = ch;
      } else {
        append(ch);
      }
    }
  }

  private void append(int c) {
    if (!StreamReader.isPrintable(c)) {
      throw new ManifestInput.InputFailure(
          String.format(
              Locale.ROOT,
              "character %s is not allowed in YAML (line %d, column %d)",
              describe(c),
              loadLine,
              loadColumn));
    }
    window[length++] = c;
    if (c == '\n' && loadAfterCr) {
      loadAfterCr = false;
    } else if (Constant.LINEBR.has(c) || c == '\r') {
      loadLine++;
      loadColumn = 1;
      loadAfterCr = c == '\r';
    } else {
      loadColumn++;
      loadAfterCr = false;
    }
  }

  /** {@code U+0000 (NUL)}, {@code U+0007 (a control character)}, {@code U+D800}. */
  private static String describe(int c) {
    String what =
        c == 0 ? " (NUL)" : c < 0x20 || (c >= 0x7f && c < 0xa0) ? " (a control character)" : "";
    return String.format(Locale.ROOT, "U+%04X", c) + what;
  }
}
