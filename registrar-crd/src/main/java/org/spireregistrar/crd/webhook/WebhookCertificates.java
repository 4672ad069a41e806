package org.spireregistrar.crd.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.Backoff;
import org.spireregistrar.core.MintedSvid;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.SvidMintException;
import org.spireregistrar.core.SvidMinter;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.RegistrarConfig;
import org.spireregistrar.webhook.server.ServerStartException;
import org.spireregistrar.webhook.server.TlsFiles;

/**
 * The SpiffeID webhook's serving certificate, minted by SPIRE (upstream §6.8): {@code tls.crt} and
 * {@code tls.key} in {@code webhook_cert_dir}, which the admission server reloads when they change.
 *
 * <p>{@link #start()}:
 *
 * <ol>
 *   <li>checks the directory: on a <b>read-only file system</b> the certificates mounted there are
 *       used as they are, with upstream's warning ({@link Source#STATIC}); missing or writable →
 *       minted ({@link Source#MINTED}); anything else (e.g. not writable) fails start-up with
 *       {@code checking webhook certificate directory permissions: <reason>};
 *   <li>creates the directory (mode 0700);
 *   <li>mints: a fresh ECDSA P-256 key, a CSR with no subject, the URI SAN {@code
 *       spiffe://<td>/k8s-workload-registrar/<cluster>/webhook} and the DNS SAN {@code
 *       <webhook_service_name>.<namespace>.svc}, sent to the {@link SvidMinter} with no TTL (the
 *       minter retries transient failures itself; what is left fails start-up with its text);
 *   <li>writes {@code tls.crt} (the chain as PEM {@code CERTIFICATE} blocks, mode 0644) and {@code
 *       tls.key} (PKCS#8 PEM {@code PRIVATE KEY}, mode 0600), each to a temporary file in the
 *       directory that is then renamed over the old one, so a reader never sees a half-written file
 *       (between the two renames the pair does not match, which the admission server refuses and
 *       retries; {@link Listener#rotated} tells it when both are in place);
 *   <li>schedules the rotation at the leaf's half-life, {@code NotBefore + (NotAfter −
 *       NotBefore)/2}.
 * </ol>
 *
 * <p><b>Beyond upstream</b>, which exited on the first failed rotation: a failed rotation is
 * retried with a jittered exponential backoff (1 s doubling to 30 s) for as long as it fails, even
 * past expiry; each failure is logged ({@code failed rotating webhook certificate: unable to mint
 * SVID: <reason>}, WARN, ERROR once the certificate is no longer {@linkplain #certificateValid
 * valid}) and reported to the {@link Listener}s. {@link #certificateValid(Instant)} is the
 * readiness signal: it turns false in the last tenth of the certificate's lifetime, so a replica
 * whose rotation keeps failing leaves the Service's endpoints before the API server would see an
 * expired certificate.
 *
 * <p>Time comes from the {@link Clock}, rotations run on the {@link ScheduledExecutorService}
 * (neither is owned: {@link #close()} only cancels the pending rotation). Thread-safe.
 */
public final class WebhookCertificates implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookCertificates.class);

  public static final String CERT_FILE = "tls.crt";

  public static final String KEY_FILE = "tls.key";

  /** Upstream's warning when the directory is statically mounted (read-only). */
  public static final String STATIC_WARNING =
      "Detected statically mounted webhook certificate directory, support for this will be removed"
          + " in a future version. Refer to README for instructions on using SPIRE Server to"
          + " populate webhook certificates.";

  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> CERT_MODE =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> KEY_MODE =
      PosixFilePermissions.fromString("rw-------");

  /** Failed rotations are retried after 1 s, doubling to 30 s, jittered. */
  private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  /** Where the certificate comes from. */
  public enum Source {
    /** Minted by SPIRE into a writable directory, and rotated. */
    MINTED,
    /** Mounted read-only by the deployment; used as it is, never rotated (upstream's legacy). */
    STATIC
  }

  /**
   * What the certificate is for.
   *
   * @param certDir {@code webhook_cert_dir}
   * @param trustDomain the normalised trust domain
   * @param cluster the {@code k8s_psat} cluster name, a valid SPIFFE ID segment
   * @param serviceName {@code webhook_service_name}
   * @param namespace the registrar's namespace ({@code MY_POD_NAMESPACE})
   */
  public record Settings(
      Path certDir, TrustDomain trustDomain, String cluster, String serviceName, String namespace) {

    public Settings {
      Objects.requireNonNull(certDir, "certDir");
      Objects.requireNonNull(trustDomain, "trustDomain");
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(serviceName, "serviceName");
      Objects.requireNonNull(namespace, "namespace");
    }

    /** The settings of a crd-mode configuration, for a registrar running in {@code namespace}. */
    public static Settings forConfig(RegistrarConfig config, String namespace) {
      return new Settings(
          Path.of(config.crd().webhookCertDir()),
          config.common().trustDomain(),
          config.common().cluster(),
          config.crd().webhookServiceName(),
          namespace);
    }

    /**
     * {@code spiffe://<td>/k8s-workload-registrar/<cluster>/webhook}.
     *
     * @throws ServerStartException {@code unable to generate SPIFFE ID: <reason>}
     */
    public SpiffeId spiffeId() {
      try {
        return SpiffeId.of(trustDomain, "k8s-workload-registrar", cluster, "webhook");
      } catch (IllegalArgumentException e) {
        throw new ServerStartException("unable to generate SPIFFE ID: " + e.getMessage(), e);
      }
    }

    /** {@code <webhook_service_name>.<namespace>.svc}: the name the API server calls. */
    public String dnsName() {
      return serviceName + "." + namespace + ".svc";
    }
  }

  /**
   * Told of rotations. Called on the rotation thread; must be quick and should not throw (what it
   * throws is logged and ignored).
   */
  public interface Listener {
    /** A new certificate and key are in place on disk. */
    default void rotated(MintedSvid svid) {}

    /**
     * A rotation failed.
     *
     * @param error {@code failed rotating webhook certificate: unable to mint SVID: <reason>}
     * @param retryAt when the next attempt runs
     */
    default void rotationFailed(String error, Instant retryAt) {}
  }

  private final Settings settings;
  private final SvidMinter minter;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final CertDirProbe probe;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  private volatile Source source;
  private volatile MintedSvid current;
  private volatile String lastFailure;
  private int failures;
  private ScheduledFuture<?> pending;
  private boolean closed;

  /**
   * @param settings what the certificate is for
   * @param minter where it is minted
   * @param clock the time rotations and {@link #certificateValid} are computed at
   * @param scheduler runs rotations; not shut down by this object
   */
  public WebhookCertificates(
      Settings settings, SvidMinter minter, Clock clock, ScheduledExecutorService scheduler) {
    this(settings, minter, clock, scheduler, CertDirProbe.FILE_SYSTEM);
  }

  WebhookCertificates(
      Settings settings,
      SvidMinter minter,
      Clock clock,
      ScheduledExecutorService scheduler,
      CertDirProbe probe) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.minter = Objects.requireNonNull(minter, "minter");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.probe = Objects.requireNonNull(probe, "probe");
  }

  /**
   * Sets the certificate up (see the class comment): on return, the files are in place.
   *
   * @return whether the certificate is minted (and rotated) or statically mounted
   * @throws ServerStartException {@code checking webhook certificate directory permissions: …},
   *     {@code unable to generate SPIFFE ID: …}, the minter's text ({@code unable to make Mint SVID
   *     Request: …}), or a failure to create the directory or write the files
   * @throws IllegalStateException when already started or closed
   */
  public synchronized Source start() {
    if (source != null || closed) {
      throw new IllegalStateException("webhook certificates have already been started");
    }
    Path dir = settings.certDir();
    CertDirProbe.Access access;
    try {
      access = probe.probe(dir);
    } catch (IOException e) {
      throw new ServerStartException(
          "checking webhook certificate directory permissions: " + describe(e), e);
    }
    if (access == CertDirProbe.Access.READ_ONLY_FILE_SYSTEM) {
      LOG.warn(STATIC_WARNING);
      source = Source.STATIC;
      return source;
    }
    SpiffeId id = settings.spiffeId();
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
      removeLeftovers(dir);
    } catch (IOException e) {
      throw new ServerStartException(
          "unable to create webhook certificate directory: " + describe(e), e);
    }
    MintedSvid svid;
    try {
      svid = mintAndWrite(id);
    } catch (SvidMintException e) {
      throw new ServerStartException(e.getMessage(), e);
    }
    source = Source.MINTED;
    scheduleAt(svid.halfLife());
    return source;
  }

  /** Adds a listener for rotations from now on. */
  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * The files for the admission server: {@code tls.crt} and {@code tls.key} in {@code
   * webhook_cert_dir}, and no client CA (the API server does not present a client certificate).
   */
  public TlsFiles tlsFiles() {
    Path dir = settings.certDir();
    return new TlsFiles(dir.resolve(CERT_FILE), dir.resolve(KEY_FILE), Optional.empty());
  }

  /** How the certificate was set up; empty before {@link #start()}. */
  public Optional<Source> source() {
    return Optional.ofNullable(source);
  }

  /** The certificate minted last; empty before the first one, and for static certificates. */
  public Optional<MintedSvid> current() {
    return Optional.ofNullable(current);
  }

  /** The text of the last rotation failure; empty once a rotation succeeds again. */
  public Optional<String> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /**
   * The readiness signal: whether the certificate served is good for at least the last tenth of its
   * lifetime at {@code now} — false before {@link #start()}, and from {@code NotAfter − (NotAfter −
   * NotBefore)/10} on while rotations fail. A static certificate is read from {@code tls.crt} at
   * each call (its mount may be updated); one that cannot be read is not valid.
   */
  public boolean certificateValid(Instant now) {
    Source s = source;
    if (s == null) {
      return false;
    }
    X509Certificate leaf;
    if (s == Source.MINTED) {
      leaf = current.leaf();
    } else {
      Optional<X509Certificate> mounted = mountedLeaf();
      if (mounted.isEmpty()) {
        return false;
      }
      leaf = mounted.get();
    }
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    Instant cutoff = notAfter.minus(Duration.between(notBefore, notAfter).dividedBy(10));
    return now.isBefore(cutoff);
  }

  /** Cancels the pending rotation; the files stay. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }

  // ---- rotation

  private synchronized void scheduleAt(Instant when) {
    if (closed) {
      return;
    }
    long delay = Math.max(0, Duration.between(clock.instant(), when).toMillis());
    pending = scheduler.schedule(this::rotate, delay, TimeUnit.MILLISECONDS);
  }

  private void rotate() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    MintedSvid svid;
    try {
      svid = mintAndWrite(settings.spiffeId());
    } catch (RuntimeException e) {
      // SvidMintException, or the files could not be written: keep serving the current pair.
      rotationFailed(e);
      return;
    }
    int previousFailures;
    synchronized (this) {
      previousFailures = failures;
      failures = 0;
    }
    lastFailure = null;
    if (previousFailures > 0) {
      LOG.info("Webhook certificate rotated after {} failed attempts", previousFailures);
    }
    scheduleAt(svid.halfLife());
    for (Listener l : listeners) {
      try {
        l.rotated(svid);
      } catch (RuntimeException e) {
        LOG.warn("A webhook certificate listener failed: {}", describe(e));
      }
    }
  }

  private void rotationFailed(RuntimeException e) {
    String error = "failed rotating webhook certificate: unable to mint SVID: " + describe(e);
    int attempt;
    synchronized (this) {
      attempt = ++failures;
    }
    lastFailure = error;
    Duration wait = RETRY.delay(attempt);
    Instant now = clock.instant();
    Instant retryAt = now.plus(wait);
    MintedSvid svid = current;
    if (certificateValid(now)) {
      LOG.warn(
          "{}; retrying in {} ms (attempt {}; the certificate expires at {})",
          error,
          wait.toMillis(),
          attempt + 1,
          svid.notAfter());
    } else {
      LOG.error(
          "{}; retrying in {} ms (attempt {}; the certificate expires at {}, so the webhook is not"
              + " ready)",
          error,
          wait.toMillis(),
          attempt + 1,
          svid.notAfter());
    }
    scheduleAt(retryAt);
    for (Listener l : listeners) {
      try {
        l.rotationFailed(error, retryAt);
      } catch (RuntimeException ex) {
        LOG.warn("A webhook certificate listener failed: {}", describe(ex));
      }
    }
  }

  // ---- minting and files

  /**
   * Mints a certificate for a fresh key and writes both files.
   *
   * @throws SvidMintException when minting or writing fails
   */
  private MintedSvid mintAndWrite(SpiffeId id) {
    LOG.debug("Minting new SVID for webhook");
    KeyPair keys;
    byte[] csr;
    try {
      keys = Csr.newKeyPair();
      csr = Csr.of(keys, id, settings.dnsName());
    } catch (GeneralSecurityException e) {
      throw new SvidMintException("unable to generate CSR: " + e.getMessage(), false, e);
    }
    MintedSvid svid = minter.mint(csr);
    if (!svid.leaf().getPublicKey().equals(keys.getPublic())) {
      throw new SvidMintException(
          "the minted certificate is not for the key of the request", false);
    }
    try {
      Path dir = settings.certDir();
      writeAtomically(dir.resolve(KEY_FILE), Pem.privateKey(keys.getPrivate()), KEY_MODE);
      writeAtomically(dir.resolve(CERT_FILE), Pem.certificates(svid.chain()), CERT_MODE);
    } catch (IOException | CertificateException e) {
      throw new SvidMintException(
          "unable to write the webhook certificate files: " + describe(e), true, e);
    }
    current = svid;
    LOG.info(
        "Successfully minted new SVID for webhook: spiffe_id={} dns_name={} not_after={}",
        id,
        settings.dnsName(),
        svid.notAfter());
    return svid;
  }

  /**
   * Writes {@code bytes} to a temporary file next to {@code target}, created with mode 0600 (so a
   * key is never readable by others, even briefly), flushed to disk, given {@code mode}, then
   * renamed over {@code target} in one step.
   */
  private static void writeAtomically(Path target, byte[] bytes, Set<PosixFilePermission> mode)
      throws IOException {
    Path tmp =
        Files.createTempFile(
            target.getParent(),
            "." + target.getFileName() + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(KEY_MODE));
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.setPosixFilePermissions(tmp, mode);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** Temporary files a crash left behind. */
  private static void removeLeftovers(Path dir) throws IOException {
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, ".tls.*.tmp")) {
      for (Path p : stream) {
        Files.deleteIfExists(p);
      }
    }
  }

  private Optional<X509Certificate> mountedLeaf() {
    try (InputStream in = Files.newInputStream(settings.certDir().resolve(CERT_FILE))) {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        chain.add((X509Certificate) c);
      }
      return chain.stream().findFirst();
    } catch (IOException | CertificateException | RuntimeException e) {
      LOG.debug("Cannot read the mounted webhook certificate: {}", describe(e));
      return Optional.empty();
    }
  }

  /** Go-like error texts: {@code open /x: permission denied}. */
  private static String describe(Exception e) {
    if (e instanceof NoSuchFileException f) {
      return "stat " + f.getFile() + ": no such file or directory";
    }
    if (e instanceof AccessDeniedException f) {
      return "access " + f.getFile() + ": permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getFile() + ": " + f.getReason();
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
