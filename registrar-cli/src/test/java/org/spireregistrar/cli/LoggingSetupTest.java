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
}
