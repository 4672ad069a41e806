package org.spireregistrar.bench;

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
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.model.Workload;
import org.spireregistrar.core.template.GoTemplate;
import org.spireregistrar.core.template.TemplateData;

/**
 * Go-template rendering as crd mode does it per pod: {@link GoTemplate#execute} of a parsed
 * identity template over {@link TemplateData#forPod} (the data map is built per pod, as in
 * production), and {@link GoTemplate#parse} (done once per configuration, shown for scale).
 *
 * <p>Run: {@code java -cp registrar-cli/target/k8s-workload-registrar.jar org.openjdk.jmh.Main
 * TemplateBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class TemplateBenchmark {

  /** The template: the default identity template, or one with conditionals, printf and context. */
  @Param({"default", "conditional"})
  public String template;

  private static final String CONDITIONAL =
      "{{- if eq .Pod.Namespace \"kube-system\" -}}system/{{ .Pod.Name }}"
          + "{{- else if .Context.region -}}"
          + "{{ printf \"%s/ns/%s/sa/%s\" .Context.region .Pod.Namespace .Pod.ServiceAccount }}"
          + "{{- else -}}ns/{{ .Pod.Namespace }}/sa/{{ .Pod.ServiceAccount }}{{- end -}}";

  private static final Map<String, String> CONTEXT = Map.of("region", "eu-west-1");

  private String text;
  private GoTemplate parsed;
  private Workload pod;

  /** Parses the template once per trial. */
  @Setup
  public void setUp() {
    text = template.equals("default") ? CrdConfig.DEFAULT_IDENTITY_TEMPLATE : CONDITIONAL;
    parsed = GoTemplate.parse("identity_template", text);
    pod =
        new Workload(
            "shop",
            "web-7d9f8c6b5-x2kz9",
            "uid-1",
            "web",
            "node-7",
            "",
            "10.4.17.123",
            Map.of("app", "web"),
            Map.of(),
            false);
  }

  /** Renders the parsed template for one pod (data map included). */
  @Benchmark
  public String render() {
    return parsed.execute(TemplateData.forPod(pod, CONTEXT));
  }

  /** Parses the template text. */
  @Benchmark
  public GoTemplate parse() {
    return GoTemplate.parse("identity_template", text);
  }
}
