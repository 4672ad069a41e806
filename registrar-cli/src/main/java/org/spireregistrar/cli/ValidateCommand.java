package org.spireregistrar.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.spireregistrar.cli.plan.EntryJson;
import org.spireregistrar.core.config.ConfigParser;
import org.spireregistrar.core.config.RegistrarConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code validate -config FILE [--strict]}: parses, validates and prints the effective config. */
@Command(
    name = "validate",
    sortOptions = false,
    usageHelpAutoWidth = false,
    description = {
      "Parse and validate the configuration and print the effective configuration (defaults"
          + " applied, server_address derived) as JSON.",
      "Warnings (an unknown key, a key another mode reads) go to stderr as \"warning: ...\"."
          + " Exit 0 when valid, 1 with \"error: <message>\" otherwise."
    })
final class ValidateCommand implements Callable<Integer> {

  @Mixin ConfigOption config;

  @Option(
      names = {"--strict", "-strict"},
      description =
          "Treat every warning as an error: exit 1 after printing them, without the"
              + " configuration (for CI).")
  boolean strict;

  @Mixin HelpOption help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RegistrarConfig cfg = config.load();
    PrintWriter err = spec.commandLine().getErr();
    List<String> warnings = cfg.warnings();
    for (String w : warnings) {
      err.println("warning: " + w);
    }
    if (strict && !warnings.isEmpty()) {
      err.println(
          "error: "
              + warnings.size()
              + (warnings.size() == 1 ? " warning" : " warnings")
              + " with --strict");
      err.flush();
      return 1;
    }
    err.flush();
    PrintWriter out = spec.commandLine().getOut();
    out.print(EntryJson.pretty(ConfigParser.effective(cfg)));
    out.flush();
    return 0;
  }
}
