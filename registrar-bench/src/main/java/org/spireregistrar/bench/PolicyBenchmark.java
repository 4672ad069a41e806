package org.spireregistrar.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.entry.ReconcileEntries;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.policy.AnnotationIdPolicy;
import org.spireregistrar.core.policy.IdPolicy;
import org.spireregistrar.core.policy.LabelIdPolicy;
import org.spireregistrar.core.policy.ServiceAccountIdPolicy;
import org.spireregistrar.core.policy.TemplateIdPolicy;

/**
 * Policy evaluation per pod: the SPIFFE ID each {@link IdPolicy} gives ({@code workloadId}), and
 * the whole reconcile-mode pod entry ({@link ReconcileEntries#podEntry}: ID, parent, selectors,
 * federation and two DNS names), over 1,024 distinct pods visited in turn. These run for every pod
 * on every full resync, so 10,000 pods cost 10,000 times the figure.
 *
 * <p>Run: {@code java -cp registrar-cli/target/k8s-workload-registrar.jar org.openjdk.jmh.Main
 * PolicyBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class PolicyBenchmark {
  private static final int PODS = 1024;

  /** Which policy {@link #workloadId} evaluates. */
  @Param({"service-account", "label", "annotation", "template"})
  public String policy;

  private IdPolicy idPolicy;
  private ReconcileEntries entries;
  private Workload[] pods;
  private int next;

  /** Builds the policy and the pods once per trial. */
  @Setup
  public void setUp() {
    TrustDomain td = new TrustDomain("example.org");
    idPolicy =
        switch (policy) {
          case "service-account" -> new ServiceAccountIdPolicy(td);
          case "label" -> new LabelIdPolicy(td, "spire-workload");
          case "annotation" -> new AnnotationIdPolicy(td, "spiffe.io/spiffe-id");
          case "template" ->
              new TemplateIdPolicy(td, CrdConfig.DEFAULT_IDENTITY_TEMPLATE, "", Map.of());
          default -> throw new IllegalArgumentException("unknown policy " + policy);
        };
    entries =
        new ReconcileEntries(
            td,
            "prod",
            "spire-k8s-registrar",
            idPolicy,
            List.of("kube-system"),
            true,
            "cluster.local");
    pods = new Workload[PODS];
    for (int i = 0; i < PODS; i++) {
      String ns = "team-" + (i % 40);
      String app = "app-" + (i % 400);
      pods[i] =
          new Workload(
              ns,
              app + "-7d9f8c6b5-" + Integer.toString(1_000_000 + i, 36),
              "uid-" + i,
              "sa-" + app,
              "node-" + (i % 100),
              "",
              "10.1." + (i >> 8) + "." + (i & 255),
              Map.of("spire-workload", app, "app", app),
              Map.of("spiffe.io/spiffe-id", ns + "/" + app),
              false);
    }
  }

  private Workload nextPod() {
    Workload p = pods[next];
    next = (next + 1) & (PODS - 1);
    return p;
  }

  /** The pod's SPIFFE ID under the chosen policy. */
  @Benchmark
  public Optional<SpiffeId> workloadId() {
    return idPolicy.workloadId(nextPod());
  }

  /** The pod's whole reconcile-mode entry (with DNS names) under the chosen policy. */
  @Benchmark
  public Optional<EntrySpec> podEntry() {
    return entries.podEntry(nextPod(), List.of(), warning -> {});
  }
}
