package org.spireregistrar.kubernetes;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A manifest file as text, for the parsers: strictly UTF-8 (an invalid byte is an {@link
 * InputFailure} naming it, its line and column), at most {@link ManifestLimits#MAX_FILE_BYTES}
 * bytes (counted as read, so a device or a pipe without a size is bounded too), without a leading
 * byte-order mark. {@link #looksLikeJson()} peeks at the first character that is not white space.
 *
 * <p>Lines and columns of the characters handed out are counted, so that a failure is reported
 * where it is: characters decoded before an invalid byte are handed out first, the failure comes
 * with the next read.
 */
final class ManifestInput extends Reader {

  private static final int BYTES = 64 * 1024;

  /** Leading white space looked through to tell JSON from YAML; beyond it, YAML is assumed. */
  private static final int PEEK_LIMIT = 1024 * 1024;

  private final InputStream in;
  private final long maxBytes;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(BYTES).flip();
  private long bytesRead;
  private boolean endOfBytes;

  /** Decoded characters not yet handed out: {@code pending[start, end)}. */
  private char[] pending = new char[BYTES];

  private int start;
  private int end;
  private boolean atStart = true;

  /** Thrown once every character before the problem has been handed out. */
  private InputFailure failure;

  private boolean flushed;

  /** Line (1-based) and column (1-based, in characters) of the next character handed out. */
  private long line = 1;

  private long column = 1;
  private boolean afterCr;

  ManifestInput(InputStream in, long maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  /** Whether the first character that is not white space opens a JSON object or array. */
  boolean looksLikeJson() throws IOException {
    int i = 0; // relative to start: decodeMore may move the pending characters
    while (true) {
      for (; start + i < end; i++) {
        char c = pending[start + i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
          return c == '{' || c == '[';
        }
      }
      if (failure != null || flushed || i >= PEEK_LIMIT) {
        return false;
      }
      decodeMore();
    }
  }

  @Override
  public int read(char[] buf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (start == end) {
      if (failure != null) {
        throw failure;
      }
      if (flushed) {
        return -1;
      }
      decodeMore();
    }
    int n = Math.min(len, end - start);
    System.arraycopy(pending, start, buf, off, n);
    count(buf, off, n);
    start += n;
    return n;
  }

  /** Advances the line and column past the characters handed out. */
  private void count(char[] buf, int off, int n) {
    long l = line;
    long c = column;
    boolean cr = afterCr;
    for (int i = off; i < off + n; i++) {
      char ch = buf[i];
      if (ch == '\n') {
        if (!cr) {
          l++;
        }
        c = 1;
        cr = false;
      } else if (ch == '\r') {
        l++;
        c = 1;
        cr = true;
      } else {
        if (!Character.isLowSurrogate(ch)) {
          c++;
        }
        cr = false;
      }
    }
    line = l;
    column = c;
    afterCr = cr;
  }

  /**
   * Decodes more bytes, appending at least one character to {@code pending}, or sets {@code
   * failure} (an invalid byte, too many bytes) or {@code flushed} (the end).
   */
  private void decodeMore() throws IOException {
    if (start == end) {
      start = 0;
      end = 0;
    } else if (pending.length - end < BYTES) {
      if (start >= pending.length / 2) {
        System.arraycopy(pending, start, pending, 0, end - start);
        end -= start;
        start = 0;
      } else {
        pending = Arrays.copyOf(pending, pending.length * 2);
      }
    }
    CharBuffer out = CharBuffer.wrap(pending, end, pending.length - end);
    while (out.position() == end && failure == null && !flushed) {
      CoderResult r = decoder.decode(bytes, out, endOfBytes);
      if (r.isError()) {
        failure = invalidByte(bytes.get(bytes.position()), out.position());
      } else if (r.isUnderflow()) {
        if (endOfBytes) {
          decoder.flush(out);
          flushed = true;
        } else {
          refill();
        }
      }
    }
    int from = end;
    end = out.position();
    if (atStart && end > from) {
      atStart = false;
      if (pending[from] == '\uFEFF') {
        start++; // a byte-order mark: not part of the text
      }
    }
  }

  /** Keeps the bytes not decoded yet (part of a character) and reads more after them. */
  private void refill() throws IOException {
    bytes.compact();
    int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
    if (n < 0) {
      endOfBytes = true;
    } else {
      bytesRead += n;
      bytes.position(bytes.position() + n);
    }
    bytes.flip();
    if (bytesRead > maxBytes) {
      failure =
          new InputFailure(
              "larger than " + ManifestLimits.describeBytes(maxBytes) + ", the limit for one file",
              false);
    }
  }

  /** The problem at {@code bytes}' position; the decoded characters before it are pending. */
  private InputFailure invalidByte(byte b, int decodedEnd) {
    long l = line;
    long c = column;
    boolean cr = afterCr;
    // Where the byte is: past the pending characters not yet handed out.
    for (int i = start; i < decodedEnd; i++) {
      char ch = pending[i];
      if (ch == '\n') {
        l += cr ? 0 : 1;
        c = 1;
        cr = false;
      } else if (ch == '\r') {
        l++;
        c = 1;
        cr = true;
      } else {
        c += Character.isLowSurrogate(ch) ? 0 : 1;
        cr = false;
      }
    }
    return new InputFailure(
        String.format(
            Locale.ROOT,
            "not UTF-8 text: invalid byte 0x%02X (line %d, column %d); save the file as UTF-8",
            b & 0xff,
            l,
            c),
        false);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /**
   * Input that cannot be read as a manifest: not UTF-8, too large, a character YAML forbids, a
   * value too long, an undefined alias. The message says what and where (line and column), without
   * the file name or document.
   */
  static final class InputFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Whether the problem is in a document (worth naming it), not in the file's bytes. */
    private final boolean inDocument;

    InputFailure(String message) {
      this(message, true);
    }

    InputFailure(String message, boolean inDocument) {
      super(message);
      this.inDocument = inDocument;
    }

    boolean inDocument() {
      return inDocument;
    }
  }
}
