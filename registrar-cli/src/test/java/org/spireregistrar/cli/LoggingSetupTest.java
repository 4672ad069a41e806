package org.spireregistrar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoggingSetupTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "panic,error",
    "fatal,error",
    "error,error",
    "warn,warn",
    "warning,warn",
    "WARNING,warn",
    "info,info",
    "debug,debug",
    "trace,trace"
  })
  void mapsLogrusLevels(String logrus, String slf4j) {
    assertThat(LoggingSetup.slf4jLevel(logrus)).isEqualTo(slf4j);
  }

  @Test
  void jsonFormatTurnsEachLogLineIntoAnObject() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out =
        new PrintStream(new LoggingSetup.JsonLines(sink), true, StandardCharsets.UTF_8);
    out.println("2026-11-27T09:47:48.812Z WARN SyncEngine - SPIRE call \"failed\"; retrying");
    out.println("java.lang.IllegalStateException: boom");
    out.println("\tat x.y(Z.java:1)");
    assertThat(sink.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"time\":\"2026-11-27T09:47:48.812Z\",\"level\":\"warn\",\"logger\":\"SyncEngine\","
                + "\"msg\":\"SPIRE call \\\"failed\\\"; retrying\"}\n"
                + "{\"level\":\"warn\",\"stack\":\"java.lang.IllegalStateException: boom\"}\n"
                + "{\"level\":\"warn\",\"stack\":\"\\tat x.y(Z.java:1)\"}\n");
  }

  @ParameterizedTest(name = "{0} -> libraries at {1}")
  @CsvSource({"trace,info", "debug,info", "info,info", "warn,warn", "error,error"})
  void libraryLoggersStayAtInfoUnlessAskedToBeQuieter(String level, String library) {
    assertThat(LoggingSetup.libraryLevel(level)).isEqualTo(library);
  }

  static final String FORGED =
      "Added annotation x\n2026-11-27T09:47:48.812Z INFO SyncEngine - Deleted entry e-1";

  @Test
  void aValueWithALineBreakCannotForgeATextLogLine() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = new LoggingSetup.TextEvents(sink);
    out.println("2026-11-27T09:47:48.000Z INFO PodAdmission - " + FORGED + "\r\u001b[31m\u2028");
    out.println((Object) "java.lang.IllegalStateException: a\nb");
    assertThat(sink.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "2026-11-27T09:47:48.000Z INFO PodAdmission - Added annotation x\\n"
                + "2026-11-27T09:47:48.812Z INFO SyncEngine - Deleted entry e-1\\r\\x1b[31m\\u2028\n"
                + "java.lang.IllegalStateException: a\\nb\n")
        .hasLineCount(2);
  }

  @Test
  void aValueWithALineBreakStaysInsideItsJsonRecord() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = new LoggingSetup.JsonEvents(sink);
    out.println("2026-11-27T09:47:48.000Z INFO PodAdmission - " + FORGED);
    new IllegalStateException("boom\nforged").printStackTrace(out);
    String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines[0])
        .isEqualTo(
            "{\"time\":\"2026-11-27T09:47:48.000Z\",\"level\":\"info\",\"logger\":\"PodAdmission\","
                + "\"msg\":\"Added annotation x\\n2026-11-27T09:47:48.812Z INFO SyncEngine -"
                + " Deleted entry e-1\"}");
    assertThat(lines[1])
        .isEqualTo(
            "{\"level\":\"info\",\"stack\":\"java.lang.IllegalStateException: boom\\nforged\"}");
    assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"));
  }
}
