package org.spireregistrar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.spireregistrar.cli.plan.EntryJson;
import org.spireregistrar.cli.plan.EntryTable;
import org.spireregistrar.cli.plan.ServerDiff;
import org.spireregistrar.cli.plan.ServerDiffOutput;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.core.entry.PlanResult;
import org.spireregistrar.core.entry.Planner;
import org.spireregistrar.kubernetes.ManifestReader;
import org.spireregistrar.spire.GrpcEntryStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code plan -config FILE -f PATH… [--server[=ADDRESS]] [--exit-code]}: the entries the configured
 * mode would keep, offline; with {@code --server}, what it would change in a live SPIRE server,
 * which is only read ({@code ListEntries}).
 */
@Command(
    name = "plan",
    sortOptions = false,
    usageHelpAutoWidth = false,
    description = {
      "Read Kubernetes objects (Pod, Node, Endpoints, SpiffeID; YAML or JSON, multi-document"
          + " files, kind: List, directories) and print the registration entries the configured"
          + " mode would keep in SPIRE (offline), or with --server what it would change in a live"
          + " SPIRE server.",
      "Without --server no server is contacted. With --server: list the live SPIRE server's"
          + " entries (read-only: ListEntries only) and"
          + " print what the configured mode would create, update (field by field) and delete,"
          + " under the mode's own ownership rule; entries it does not own are counted as"
          + " untouched.",
      "Rejected objects are reported on stderr as \"<kind> <namespace>/<name>: <reason>\" and"
          + " make the exit code 1; warnings are printed as \"warning: ...\"."
    })
final class PlanCommand implements Callable<Integer> {

  /** {@code --server} given without an address: the configuration's {@code server_address}. */
  static final String FROM_CONFIG = "@config";

  /** {@code --exit-code}: changes to make. */
  static final int EXIT_CHANGES = 3;

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

  @Option(
      names = "--server",
      paramLabel = "ADDRESS",
      arity = "0..1",
      fallbackValue = FROM_CONFIG,
      description =
          "Diff against this SPIRE server, read-only: a socket path, unix:///path, or host:port"
              + " (mTLS through agent_socket_path). Without ADDRESS: the configuration's"
              + " server_address (or server_socket_path).")
  String server;

  @Option(
      names = "--exit-code",
      description =
          "With --server: exit 0 when nothing would change, 3 when something would, 1 on error"
              + " (rejected objects included).")
  boolean exitCode;

  @Option(
      names = "--show-untouched",
      description = "With --server: list every entry the mode would leave alone, with the reason.")
  boolean showUntouched;

  @Mixin HelpOption help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (server == null && (exitCode || showUntouched)) {
      throw new ParameterException(
          spec.commandLine(), (exitCode ? "--exit-code" : "--show-untouched") + " needs --server");
    }
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
    if (server != null) {
      String address = address(cfg);
      List<Entry> listed = listEntries(address, cfg.common().agentSocketPath());
      List<String> notes = new ArrayList<>();
      ServerDiff diff =
          ServerDiff.compute(cfg, read.objects(), plan.entries(), rejected, listed, notes::add);
      notes.forEach(w -> err.println("warning: " + w));
      err.flush();
      String mode = cfg.mode().name().toLowerCase(Locale.ROOT);
      out.print(
          output == Format.table
              ? ServerDiffOutput.text(address, mode, diff, showUntouched)
              : ServerDiffOutput.json(address, mode, diff, showUntouched));
      out.flush();
      if (!rejected.isEmpty()) {
        return 1;
      }
      return exitCode && diff.hasChanges() ? EXIT_CHANGES : 0;
    }
    out.print(
        output == Format.table
            ? EntryTable.render(plan.entries())
            : EntryJson.render(plan.entries()));
    out.flush();
    return rejected.isEmpty() ? 0 : 1;
  }

  /**
   * The server to read: {@code unix:…} as given; a path (no {@code :}) as its absolute {@code
   * unix://} address; anything else a TCP target.
   */
  private String address(RegistrarConfig cfg) {
    if (server.equals(FROM_CONFIG)) {
      return cfg.common().serverAddress();
    }
    String a = server.trim();
    if (a.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--server: the address is empty");
    }
    if (a.contains(":")) { // unix:… or host:port
      return a;
    }
    return "unix://" + Path.of(a).toAbsolutePath().normalize();
  }

  /** Every entry on the server: the one RPC this command makes is ListEntries. */
  private static List<Entry> listEntries(String address, String agentSocketPath) {
    boolean unix = address.startsWith("unix:");
    GrpcEntryStore.Options options =
        GrpcEntryStore.Options.DEFAULTS
            .withRetry(
                new GrpcEntryStore.RetryPolicy(2, Duration.ofMillis(200), Duration.ofMillis(400)))
            // A one-shot command does not wait for an admin socket to appear; an agent's first
            // SVID (TCP) is waited for as the registrar waits.
            .withSocketWait(unix ? Duration.ZERO : GrpcEntryStore.Options.DEFAULTS.socketWait());
    try (GrpcEntryStore store = GrpcEntryStore.connect(address, agentSocketPath, options)) {
      return store.list(EntryFilter.ALL);
    } catch (EntryStoreException e) {
      throw new IllegalStateException(
          "unable to list the entries of the SPIRE server: " + e.getMessage(), e);
    }
  }
}
