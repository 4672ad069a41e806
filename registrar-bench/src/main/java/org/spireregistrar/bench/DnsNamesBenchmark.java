package org.spireregistrar.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.spireregistrar.core.dns.PodDnsNames;
import org.spireregistrar.core.dns.ServiceDnsNames;
import org.spireregistrar.core.model.EndpointsInfo;
import org.spireregistrar.core.model.Workload;

/**
 * DNS names per pod: reconcile mode's {@link PodDnsNames} (pod-IP names, then the search-path set
 * of every Service whose Endpoints target the pod, each name validated as SPIRE would) and crd
 * mode's {@code <svc>.<ns>.svc} names ({@link ServiceDnsNames#serviceNames}), with {@code services}
 * Endpoints objects in the namespace targeting the pod (one headless, with a hostname).
 *
 * <p>Run: {@code java -cp registrar-cli/target/k8s-workload-registrar.jar org.openjdk.jmh.Main
 * DnsNamesBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class DnsNamesBenchmark {

  /** Endpoints objects targeting the pod. */
  @Param({"0", "3"})
  public int services;

  private Workload pod;
  private List<EndpointsInfo> endpoints;

  /** Builds the pod and its Endpoints once per trial. */
  @Setup
  public void setUp() {
    pod =
        new Workload(
            "shop",
            "web-0",
            "uid-web-0",
            "web",
            "node-7",
            "web-0",
            "10.4.17.123",
            Map.of("app", "web"),
            Map.of(),
            false);
    endpoints = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      List<EndpointsInfo.Address> ready = new ArrayList<>();
      // Other pods of the service first: the pod's own address is found among them.
      for (int i = 1; i <= 5; i++) {
        ready.add(
            new EndpointsInfo.Address(
                "10.4.17." + (123 + i), "", "Pod", "shop", "web-" + i, "uid-web-" + i));
      }
      ready.add(
          new EndpointsInfo.Address(
              "10.4.17.123", s == 0 ? "web-0" : "", "Pod", "shop", "web-0", "uid-web-0"));
      endpoints.add(new EndpointsInfo("shop", "svc-" + s, ready, List.of()));
    }
  }

  /** Reconcile mode's names, validated (dropped names reported to a no-op). */
  @Benchmark
  public List<String> podDnsNames() {
    return PodDnsNames.of(pod, endpoints, "cluster.local", warning -> {});
  }

  /** CRD mode's service names. */
  @Benchmark
  public List<String> serviceNames() {
    return ServiceDnsNames.serviceNames(pod, endpoints);
  }
}
