package org.spireregistrar.cli;

/** Turns any failure into the one-line message the CLI prints after {@code error: }. */
final class CliErrors {
  private CliErrors() {}

  static String message(Throwable t) {
    if (t instanceof OutOfMemoryError) {
      // The input is released with the stack that failed, so there is memory to say so.
      return "out of memory ("
          + t.getMessage()
          + "); give the JVM more heap (-Xmx) or the command smaller input";
    }
    if (t instanceof StackOverflowError) {
      return "input nested too deeply (stack overflow)";
    }
    String msg = t.getMessage();
    if (msg == null || msg.isBlank()) {
      // An unexpected failure: name it rather than print a stack trace.
      return "unexpected " + t.getClass().getSimpleName();
    }
    return msg;
  }
}
