package org.spireregistrar.cli;

/** {@link CliRun} for tests in sub-packages. */
public final class CliRunAccess {
  private CliRunAccess() {}

  /** The exit code and captured output of one run. */
  public record Result(int exitCode, String out, String err) {}

  public static Result run(String... args) {
    CliRun r = CliRun.of(args);
    return new Result(r.exitCode(), r.out(), r.err());
  }
}
