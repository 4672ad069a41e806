package org.spireregistrar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.spireregistrar.cli.plan.EntryJson;
import org.spireregistrar.cli.plan.EntryTable;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.PlanResult;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.kubernetes.ManifestReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code plan -config FILE -f PATH…}: the entries the configured mode would keep, offline. */
@Command(
    name = "plan",
    sortOptions = false,
    usageHelpAutoWidth = false,
    description = {
      "Offline: read Kubernetes objects (Pod, Node, Endpoints, SpiffeID; YAML or JSON,"
          + " multi-document files, kind: List, directories) and print the registration entries"
          + " the configured mode would keep in SPIRE. No server is contacted.",
      "Rejected objects are reported on stderr as \"<kind> <namespace>/<name>: <reason>\" and"
          + " make the exit code 1; warnings are printed as \"warning: ...\"."
    })
final class PlanCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    json,
    table
  }

  @Mixin ConfigOption config;

  @Option(
      names = {"-f", "--filename"},
      paramLabel = "PATH",
      required = true,
      arity = "1..*",
      description = "Files or directories of Kubernetes objects (repeatable).")
  List<Path> paths = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "json",
      description =
          "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). json is the"
              + " format of 'spire-server entry create -data'.")
  Format output;

  @Mixin HelpOption help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RegistrarConfig cfg = config.load();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    for (String w : cfg.warnings()) {
      err.println("warning: " + w);
    }
    ManifestReader.Result read = ManifestReader.read(paths);
    for (String w : read.warnings()) {
      err.println("warning: " + w);
    }
    PlanResult plan = Planner.plan(cfg, read.objects());
    for (String w : plan.warnings()) {
      err.println("warning: " + w);
    }
    List<RejectedObjectException> rejected = new ArrayList<>(read.rejected());
    rejected.addAll(plan.rejected());
    for (RejectedObjectException r : rejected) {
      err.println(r.getMessage());
    }
    err.flush();
    out.print(
        output == Format.table
            ? EntryTable.render(plan.entries())
            : EntryJson.render(plan.entries()));
    out.flush();
    return rejected.isEmpty() ? 0 : 1;
  }
}
