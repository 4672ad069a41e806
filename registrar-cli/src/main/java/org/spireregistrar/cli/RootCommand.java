package org.spireregistrar.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.spireregistrar.cli.generate.GenerateConfigCommand;
import org.spireregistrar.core.config.RegistrarConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code k8s-workload-registrar [-config FILE]}: runs the mode the configuration names. */
@Command(
    name = "k8s-workload-registrar",
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = false,
    description = {
      "Keeps a SPIRE server's registration entries in step with the pods and nodes of a"
          + " Kubernetes cluster.",
      "Without a subcommand, runs the mode the configuration names (webhook, reconcile or crd)"
          + " until SIGTERM."
    },
    subcommands = {
      ValidateCommand.class,
      PlanCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      GenerateConfigCommand.class
    })
public final class RootCommand implements Callable<Integer> {

  @Mixin ConfigOption config;

  @Mixin HelpOption help;

  @Option(
      names = {"-version", "--version"},
      versionHelp = true,
      description = "Print the version and exit.")
  boolean version;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException, java.io.IOException {
    RegistrarConfig cfg = config.load();
    PrintWriter err = spec.commandLine().getErr();
    for (String w : cfg.warnings()) {
      err.println("warning: " + w);
    }
    err.flush();
    LoggingSetup.apply(cfg.common());
    return ModeRunner.run(cfg);
  }
}
