package org.spireregistrar.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spireregistrar.core.config.CommonConfig;

/**
 * Applies {@code log_level}, {@code log_format} and {@code log_path} to slf4j-simple. Must run
 * before the first logger of the registrar is created: slf4j-simple reads its settings once.
 *
 * <p>{@code log_level} applies to the registrar's own loggers ({@code org.spireregistrar}); library
 * loggers (Jetty, Netty, gRPC, client-java) stay at {@code info} unless a quieter level is asked
 * for, so {@code debug} does not bring thousands of library lines per request.
 *
 * <p>Every log event is one line: slf4j-simple prints an event with one {@code println}, and the
 * stream installed here escapes line breaks and other control characters inside it, so a value
 * taken from a Kubernetes object or a request (a pod annotation with a newline) cannot forge a log
 * line. {@code log_format = "json"} turns every event into one JSON object ({@code time}, {@code
 * level}, {@code logger}, {@code msg}; stack-trace lines as {@code {"level":…,"stack":…}}). {@code
 * log_path} appends to the file (created with mode 0640, as upstream).
 */
final class LoggingSetup {
  private LoggingSetup() {}

  private static final String PREFIX = "org.slf4j.simpleLogger.";

  static void apply(CommonConfig common) throws IOException {
    String level = slf4jLevel(common.logLevel());
    System.setProperty(PREFIX + "defaultLogLevel", libraryLevel(level));
    System.setProperty(PREFIX + "log.org.spireregistrar", level);
    boolean json = common.logFormat().equalsIgnoreCase("json");
    OutputStream target = null;
    if (!common.logPath().isEmpty()) {
      Path path = Path.of(common.logPath());
      if (!Files.exists(path)) {
        try {
          Files.createFile(
              path,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        } catch (UnsupportedOperationException e) {
          Files.createFile(path);
        }
      }
      target = new FileOutputStream(path.toFile(), true);
    }
    OutputStream sink = target != null ? target : new FileOutputStream(FileDescriptor.err);
    System.setErr(json ? new JsonEvents(sink) : new TextEvents(sink));
    System.setProperty(PREFIX + "logFile", "System.err");
    reinitialize();
  }

  /** Libraries log at {@code info}, or quieter when the registrar is asked to be quieter. */
  static String libraryLevel(String level) {
    return level.equals("debug") || level.equals("trace") ? "info" : level;
  }

  /**
   * slf4j-simple reads its settings when the first logger is created, which may already have
   * happened (a library's static logger); re-read them so every logger created from now on follows
   * the configuration.
   */
  private static void reinitialize() {
    try {
      Class<?> simple = Class.forName("org.slf4j.simple.SimpleLogger");
      java.lang.reflect.Method init = simple.getDeclaredMethod("init");
      init.setAccessible(true);
      init.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not slf4j-simple, or a version without init(): settings apply from the next start.
    }
  }

  /** logrus levels to slf4j-simple's: panic and fatal map to error, warning to warn. */
  static String slf4jLevel(String logrus) {
    return switch (logrus.toLowerCase(Locale.ROOT)) {
      case "panic", "fatal", "error" -> "error";
      case "warn", "warning" -> "warn";
      case "debug" -> "debug";
      case "trace" -> "trace";
      default -> "info";
    };
  }

  /**
   * A log event's text with its line breaks and other control characters escaped ({@code \n},
   * {@code \r}, {@code \x1b}, U+2028 as {@code \\u2028}); tabs are kept.
   */
  static String oneLine(String text) {
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String escaped =
          switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> null;
            default ->
                c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)
                    ? String.format(Locale.ROOT, "\\x%02x", (int) c)
                    : c == '\u2028' || c == '\u2029'
                        ? String.format(Locale.ROOT, "\\u%04x", (int) c)
                        : null;
          };
      if (escaped != null && b == null) {
        b = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (b != null) {
        if (escaped != null) {
          b.append(escaped);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? text : b.toString();
  }

  /** Text format: one line per event ({@code println}), control characters escaped. */
  static final class TextEvents extends PrintStream {
    TextEvents(OutputStream out) {
      super(out, true, StandardCharsets.UTF_8);
    }

    @Override
    public void println(String x) {
      String line = oneLine(String.valueOf(x));
      synchronized (this) {
        print(line);
        print('\n');
      }
    }

    @Override
    public void println(Object x) {
      println(String.valueOf(x));
    }
  }

  /**
   * JSON format: one JSON object per event ({@code println}); anything written otherwise (a
   * library's raw {@code print}) is split into JSON lines at its line breaks.
   */
  static final class JsonEvents extends PrintStream {
    private static final Pattern EVENT =
        Pattern.compile("^(\\S+) (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)$", Pattern.DOTALL);
    private final JsonLines raw;

    JsonEvents(OutputStream out) {
      this(new JsonLines(out));
    }

    private JsonEvents(JsonLines raw) {
      super(raw, true, StandardCharsets.UTF_8);
      this.raw = raw;
    }

    @Override
    public void println(String x) {
      synchronized (this) {
        flush();
        raw.record(String.valueOf(x), EVENT);
      }
    }

    @Override
    public void println(Object x) {
      println(String.valueOf(x));
    }
  }

  /** Rewrites slf4j-simple's text lines as JSON lines. */
  /** Rewrites slf4j-simple's text lines as JSON lines. */
  static final class JsonLines extends OutputStream {
    private static final Pattern LINE =
        Pattern.compile("^(\\S+) (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)$");
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    private final OutputStream out;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    private String lastLevel = "info";

    JsonLines(OutputStream out) {
      this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      if (b == '\n') {
        emit();
      } else {
        line.write(b);
      }
    }

    private void emit() throws IOException {
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      if (text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      write(text, LINE);
    }

    /** Writes one event as one JSON object, whatever line breaks its text holds. */
    synchronized void record(String text, Pattern event) {
      try {
        if (line.size() > 0) {
          emit();
        }
        write(text, event);
      } catch (IOException e) {
        // As PrintStream: a failed log write is not the caller's problem.
      }
    }

    private void write(String text, Pattern event) throws IOException {
      StringBuilder json = new StringBuilder(text.length() + 64).append('{');
      Matcher m = event.matcher(text);
      if (m.matches() && LEVELS.contains(m.group(2))) {
        lastLevel = m.group(2).toLowerCase(Locale.ROOT);
        field(json, "time", m.group(1)).append(',');
        field(json, "level", lastLevel).append(',');
        field(json, "logger", m.group(3)).append(',');
        field(json, "msg", m.group(4));
      } else {
        field(json, "level", lastLevel).append(',');
        field(json, "stack", text);
      }
      json.append("}\n");
      out.write(json.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    private static StringBuilder field(StringBuilder b, String key, String value) {
      b.append('"').append(key).append("\":\"");
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (c < 0x20 || c == '\u2028' || c == '\u2029') {
              b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      return b.append('"');
    }

    @Override
    public synchronized void flush() throws IOException {
      out.flush();
    }
  }
}
