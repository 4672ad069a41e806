package org.spireregistrar.cli;

import picocli.CommandLine;

/** Entry point of {@code k8s-workload-registrar}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The configured command line, with error handling that never prints stack traces: an exception
   * from a command is {@code error: <message>} and exit 1, and so is an error the JVM raises on
   * hostile input ({@link OutOfMemoryError}, {@link StackOverflowError}), which picocli would let
   * through to the JVM's stack trace.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new RootCommand());
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> fail(commandLine, ex));
    CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
    cl.setExecutionStrategy(
        parseResult -> {
          try {
            return run.execute(parseResult);
          } catch (OutOfMemoryError | StackOverflowError e) {
            return fail(parseResult.commandSpec().commandLine(), e);
          }
        });
    return cl;
  }

  private static int fail(CommandLine commandLine, Throwable t) {
    commandLine.getErr().println("error: " + CliErrors.message(t));
    commandLine.getErr().flush();
    return 1;
  }
}
