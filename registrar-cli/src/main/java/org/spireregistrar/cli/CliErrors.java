package org.spireregistrar.cli;

/** Turns any failure into the one-line message the CLI prints after {@code error: }. */
final class CliErrors {
  private CliErrors() {}

  static String message(Throwable t) {
    String msg = t.getMessage();
    if (msg == null || msg.isBlank()) {
      // An unexpected failure: name it rather than print a stack trace.
      return "unexpected " + t.getClass().getSimpleName();
    }
    return msg;
  }
}
