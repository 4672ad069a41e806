package org.spireregistrar.cli;

import picocli.CommandLine;

/** Entry point of {@code k8s-workload-registrar}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, with error handling that never prints stack traces. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new RootCommand());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + CliErrors.message(ex));
          commandLine.getErr().flush();
          return 1;
        });
    return cl;
  }
}
