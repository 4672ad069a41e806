package org.spireregistrar.bench;

import java.io.IOException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/** Runs the JMH suite (the {@code *Benchmark} classes of this package) in this JVM. */
public final class JmhSuite {

  private JmhSuite() {}

  /**
   * Runs JMH with its own command-line arguments ({@code -f 1 EntryDiffBenchmark}); forks use this
   * JVM's class path.
   *
   * @return the exit code: 0
   * @throws IllegalArgumentException when JMH rejects the arguments
   * @throws IllegalStateException when a benchmark fails to run
   */
  public static int run(String args) throws IOException {
    String[] argv = args.isBlank() ? new String[0] : args.trim().split("\\s+");
    CommandLineOptions options;
    try {
      options = new CommandLineOptions(argv);
    } catch (CommandLineOptionException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (options.shouldHelp()) {
      options.showHelp();
      return 0;
    }
    if (options.shouldList()) {
      new Runner(options).list();
      return 0;
    }
    try {
      new Runner(options).run();
    } catch (RunnerException e) {
      throw new IllegalStateException("JMH: " + e.getMessage(), e);
    }
    return 0;
  }
}
