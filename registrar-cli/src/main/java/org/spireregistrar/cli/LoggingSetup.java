package org.spireregistrar.cli;

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
 * <p>{@code log_format = "json"} turns every log line into one JSON object ({@code time}, {@code
 * level}, {@code logger}, {@code msg}; stack-trace lines as {@code {"level":…,"stack":…}}). {@code
 * log_path} appends to the file (created with mode 0640, as upstream).
 */
final class LoggingSetup {
  private LoggingSetup() {}

  private static final String PREFIX = "org.slf4j.simpleLogger.";

  static void apply(CommonConfig common) throws IOException {
    System.setProperty(PREFIX + "defaultLogLevel", slf4jLevel(common.logLevel()));
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
    if (json || target != null) {
      OutputStream sink =
          target != null ? target : new FileOutputStream(java.io.FileDescriptor.err);
      PrintStream stream =
          new PrintStream(json ? new JsonLines(sink) : sink, true, StandardCharsets.UTF_8);
      System.setErr(stream);
    }
    System.setProperty(PREFIX + "logFile", "System.err");
    reinitialize();
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
      StringBuilder json = new StringBuilder(text.length() + 64).append('{');
      Matcher m = LINE.matcher(text);
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
            if (c < 0x20) {
              b.append(String.format("\\u%04x", (int) c));
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
