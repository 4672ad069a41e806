package org.spireregistrar.cli.generate;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.spireregistrar.cli.HelpOption;
import org.spireregistrar.core.config.GoDuration;
import org.spireregistrar.webhook.setup.KeyAlgorithm;
import org.spireregistrar.webhook.setup.WebhookManifests;
import org.spireregistrar.webhook.setup.WebhookPki;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code generate-config}: webhook mode's certificates and Kubernetes material, with the flags and
 * defaults of upstream's {@code generate-config.go}. Prints the YAML documents on stdout; with
 * {@code -out-dir}, also writes the PEM files the registrar reads.
 */
@Command(
    name = "generate-config",
    sortOptions = false,
    usageHelpAutoWidth = false,
    description = {
      "Generate webhook mode's certificates (a CA, the registrar's server certificate, the API"
          + " server's client certificate) and print the Kubernetes documents that use them: a"
          + " ConfigMap and a Secret for the registrar, a kubeconfig and an"
          + " AdmissionConfiguration for the API server, and the ValidatingWebhookConfiguration.",
      "With -out-dir, also write cert.pem, key.pem and cacert.pem (what the registrar's"
          + " cert_path, key_path and cacert_path read), client-cert.pem and client-key.pem (to"
          + " call the webhook by hand), kubeconfig.yaml and admission-configuration.yaml (for"
          + " the API server's nodes) and manifests.yaml (the ConfigMap, Secret and"
          + " ValidatingWebhookConfiguration, for kubectl apply)."
    })
public final class GenerateConfigCommand implements Callable<Integer> {

  /** Files written by {@code -out-dir}. */
  public static final String CERT_FILE = "cert.pem";

  public static final String KEY_FILE = "key.pem";
  public static final String CACERT_FILE = "cacert.pem";
  public static final String CLIENT_CERT_FILE = "client-cert.pem";
  public static final String CLIENT_KEY_FILE = "client-key.pem";
  public static final String KUBECONFIG_FILE = "kubeconfig.yaml";
  public static final String ADMISSION_CONFIGURATION_FILE = "admission-configuration.yaml";
  public static final String MANIFESTS_FILE = "manifests.yaml";

  @Option(
      names = {"-namespace", "--namespace"},
      paramLabel = "NAME",
      defaultValue = "spire",
      description = "Namespace the registrar runs in (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = {"-service", "--service"},
      paramLabel = "NAME",
      defaultValue = "k8s-workload-registrar",
      description = "Name of the registrar's Service (default: ${DEFAULT-VALUE}).")
  String service;

  @Option(
      names = {"-ca-key-alg", "--ca-key-alg"},
      paramLabel = "ALG",
      defaultValue = "ec-p256",
      converter = KeyAlgorithmConverter.class,
      description =
          "CA key algorithm: rsa-2048, rsa-4096, ec-p224, ec-p256, ec-p384 or ec-p521"
              + " (default: ${DEFAULT-VALUE}).")
  KeyAlgorithm caKeyAlg;

  @Option(
      names = {"-server-key-alg", "--server-key-alg"},
      paramLabel = "ALG",
      defaultValue = "ec-p256",
      converter = KeyAlgorithmConverter.class,
      description = "Server key algorithm (default: ${DEFAULT-VALUE}).")
  KeyAlgorithm serverKeyAlg;

  @Option(
      names = {"-client-key-alg", "--client-key-alg"},
      paramLabel = "ALG",
      defaultValue = "ec-p256",
      converter = KeyAlgorithmConverter.class,
      description = "Client key algorithm (default: ${DEFAULT-VALUE}).")
  KeyAlgorithm clientKeyAlg;

  @Option(
      names = {"-ttl", "--ttl"},
      paramLabel = "DURATION",
      defaultValue = "8760h",
      converter = TtlConverter.class,
      description =
          "Certificate lifetime as a Go duration; 0 means no expiry (9999-12-31)"
              + " (default: ${DEFAULT-VALUE}).")
  Duration ttl;

  @Option(
      names = {"-kubeconfig-path", "--kubeconfig-path"},
      paramLabel = "PATH",
      defaultValue = "/etc/kubernetes/k8s-workload-registrar/kubeconfig.yaml",
      description =
          "Where the kubeconfig document is saved on API server nodes, as the"
              + " AdmissionConfiguration names it (default: ${DEFAULT-VALUE}).")
  String kubeconfigPath;

  @Option(
      names = {"-out-dir", "--out-dir"},
      paramLabel = "DIR",
      description =
          "Also write the PEM files here (created if missing; existing files are replaced).")
  Path outDir;

  @Mixin HelpOption help;

  @Spec CommandSpec spec;

  private final Clock clock;
  private final SecureRandom random;

  /** With the system clock. */
  public GenerateConfigCommand() {
    this(Clock.systemUTC(), new SecureRandom());
  }

  /** With an injected clock (certificates are valid from its instant) and randomness. */
  public GenerateConfigCommand(Clock clock, SecureRandom random) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    for (Map.Entry<String, KeyAlgorithm> e : algorithms().entrySet()) {
      if (!e.getValue().usableForTls()) {
        err.println(
            "warning: "
                + e.getKey()
                + " "
                + e.getValue()
                + ": the registrar's TLS stack (Java 17) and Kubernetes cannot use P-224 keys;"
                + " use ec-p256");
      }
    }
    err.flush();
    String dnsName = WebhookManifests.serviceDnsName(service, namespace);
    WebhookPki pki =
        WebhookPki.generate(
            new WebhookPki.Spec(caKeyAlg, serverKeyAlg, clientKeyAlg, dnsName, ttl),
            clock.instant(),
            random);
    WebhookManifests manifests = new WebhookManifests(namespace, service, kubeconfigPath, pki);
    if (outDir != null) {
      try {
        writeFiles(outDir, pki, manifests);
      } catch (IOException e) {
        err.println("error: " + describe(e));
        err.flush();
        return 1;
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(manifests.yaml());
    out.flush();
    return 0;
  }

  private Map<String, KeyAlgorithm> algorithms() {
    Map<String, KeyAlgorithm> m = new LinkedHashMap<>();
    m.put("-ca-key-alg", caKeyAlg);
    m.put("-server-key-alg", serverKeyAlg);
    m.put("-client-key-alg", clientKeyAlg);
    return m;
  }

  /** Writes the PEM files; keys are readable by their owner only where the file system allows. */
  static void writeFiles(Path dir, WebhookPki pki, WebhookManifests manifests) throws IOException {
    Files.createDirectories(dir);
    write(dir.resolve(CERT_FILE), pki.server().certificatePem(), false);
    write(dir.resolve(KEY_FILE), pki.server().keyPem(), true);
    write(dir.resolve(CACERT_FILE), pki.ca().certificatePem(), false);
    write(dir.resolve(CLIENT_CERT_FILE), pki.client().certificatePem(), false);
    write(dir.resolve(CLIENT_KEY_FILE), pki.client().keyPem(), true);
    write(dir.resolve(KUBECONFIG_FILE), manifests.kubeconfigYaml(), true);
    write(dir.resolve(ADMISSION_CONFIGURATION_FILE), manifests.admissionConfigurationYaml(), false);
    write(dir.resolve(MANIFESTS_FILE), manifests.clusterObjectsYaml(), true); // has the Secret
  }

  private static void write(Path file, String text, boolean secret) throws IOException {
    Files.deleteIfExists(file);
    if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }

  private static String describe(IOException e) {
    if (e instanceof FileSystemException fse) {
      String reason =
          fse.getReason() != null
              ? fse.getReason()
              : fse instanceof AccessDeniedException
                  ? "permission denied"
                  : fse instanceof NoSuchFileException
                      ? "no such file or directory"
                      : fse instanceof FileAlreadyExistsException
                          ? "a file is in the way"
                          : fse.getClass().getSimpleName();
      return "cannot write " + fse.getFile() + ": " + reason;
    }
    return "cannot write the PEM files: " + e.getMessage();
  }

  /** {@code -ttl}: a Go duration, not negative. */
  static final class TtlConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d;
      try {
        d = GoDuration.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      if (d.isNegative()) {
        throw new TypeConversionException("ttl must not be negative: \"" + value + "\"");
      }
      return d;
    }
  }

  /** picocli's converter for {@code -*-key-alg}. */
  static final class KeyAlgorithmConverter implements ITypeConverter<KeyAlgorithm> {
    @Override
    public KeyAlgorithm convert(String value) {
      try {
        return KeyAlgorithm.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
