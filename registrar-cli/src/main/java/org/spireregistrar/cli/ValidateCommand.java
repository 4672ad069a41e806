package org.spireregistrar.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.spireregistrar.cli.plan.EntryJson;
import org.spireregistrar.core.config.ConfigParser;
import org.spireregistrar.core.config.RegistrarConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code validate -config FILE}: parses, validates and prints the effective configuration. */
@Command(
    name = "validate",
    sortOptions = false,
    usageHelpAutoWidth = false,
    description = {
      "Parse and validate the configuration and print the effective configuration (defaults"
          + " applied, server_address derived) as JSON.",
      "Warnings go to stderr. Exit 0 when valid, 1 with \"error: <message>\" otherwise."
    })
final class ValidateCommand implements Callable<Integer> {

  @Mixin ConfigOption config;

  @Mixin HelpOption help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RegistrarConfig cfg = config.load();
    PrintWriter err = spec.commandLine().getErr();
    for (String w : cfg.warnings()) {
      err.println("warning: " + w);
    }
    err.flush();
    PrintWriter out = spec.commandLine().getOut();
    out.print(EntryJson.pretty(ConfigParser.effective(cfg)));
    out.flush();
    return 0;
  }
}
