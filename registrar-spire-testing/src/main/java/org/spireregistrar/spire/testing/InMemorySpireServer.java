package org.spireregistrar.spire.testing;

import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.ProtoMapping;
import org.spireregistrar.spire.proto.types.Agent;

/**
 * An in-memory SPIRE Server for tests, demos and benchmarks: the Entry API, federated-bundle
 * lookups ({@code Bundle.GetBundle/GetFederatedBundle/ListFederatedBundles/CountBundles}), {@code
 * SVID.MintX509SVID} (with its own in-memory CA) and {@code Agent.ListAgents}, served over a real
 * Unix domain socket, in-process, and/or TCP with mTLS.
 *
 * <p>It behaves like SPIRE 1.11+ (spire-api.md §8): the server trust domain is enforced; SPIFFE
 * IDs, selectors and DNS names are validated with SPIRE's messages ({@code failed to convert entry:
 * invalid spiffe ID: …}); a create similar to a stored entry (same parent, SPIFFE ID and selector
 * set) answers ALREADY_EXISTS carrying that entry; client-chosen entry IDs are honoured (a taken ID
 * is ALREADY_EXISTS without an entry; {@link Builder#ignoreClientEntryIds} makes it a pre-1.8
 * server that ignores them); ListEntries pages are sorted by entry ID with the last ID as the page
 * token (a full last page is followed by an empty one, as with SPIRE's SQL pager); input and output
 * masks are applied; every update bumps the revision; {@code federates_with} must name a trust
 * domain with a bundle ({@link #addFederatedBundle}) or the item fails with INTERNAL {@code unable
 * to find federated bundle …}. With {@link Builder#legacyStatusCodes(boolean)} it answers like
 * SPIRE before 1.11 (datastore failures as INTERNAL).
 *
 * <p>Over TCP, TLS with a client certificate from the server's CA is required and, as in SPIRE,
 * only admin callers may use the APIs: IDs given to {@link Builder#adminId} or having an entry with
 * {@code admin = true}. The Unix socket and in-process transports are "local" and may call
 * everything.
 *
 * <pre>{@code
 * try (InMemorySpireServer spire =
 *     InMemorySpireServer.builder().trustDomain("example.org").socketPath(dir.resolve("api.sock")).start()) {
 *   spire.addFederatedBundle(new TrustDomain("partner.org"));
 *   spire.faults().latency(Duration.ofMillis(2));
 *   try (GrpcEntryStore store = GrpcEntryStore.connect(spire.address(), "", Options.DEFAULTS)) { … }
 *   spire.counters().rpcs("BatchCreateEntry");
 * }
 * }</pre>
 *
 * <p>Indexes by ID, similarity key, parent ID, SPIFFE ID and selector keep every operation below
 * O(n) per item. Thread-safe.
 */
public final class InMemorySpireServer implements AutoCloseable {

  /** Builds an {@link InMemorySpireServer}; at least one transport must be chosen. */
  public static final class Builder {
    private TrustDomain trustDomain = new TrustDomain("example.org");
    private Path socketPath;
    private String inProcessName;
    private Integer tcpPort;
    private final Set<SpiffeId> adminIds = new LinkedHashSet<>();
    private Clock clock = Clock.systemUTC();
    private boolean legacyStatusCodes;
    private boolean ignoreClientEntryIds;
    private boolean legacyDnsRules;

    private Builder() {}

    /** The server's trust domain; default {@code example.org}. */
    public Builder trustDomain(TrustDomain td) {
      this.trustDomain = Objects.requireNonNull(td, "td");
      return this;
    }

    public Builder trustDomain(String td) {
      return trustDomain(TrustDomain.parse(td));
    }

    /** Serve on a Unix domain socket at {@code path} (created; a stale file is replaced). */
    public Builder socketPath(Path path) {
      this.socketPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Serve in-process under {@code name}; see {@link #newInProcessChannel()}. */
    public Builder inProcessName(String name) {
      this.inProcessName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Serve on loopback TCP {@code port} (0 picks a free one, see {@link #tcpPort()}) with TLS
     * requiring a client certificate from this server's CA ({@link #bundle()}).
     */
    public Builder tcpPort(int port) {
      this.tcpPort = port;
      return this;
    }

    /** A SPIFFE ID allowed to call admin APIs over TCP (SPIRE's {@code admin_ids}). */
    public Builder adminId(SpiffeId id) {
      adminIds.add(Objects.requireNonNull(id, "id"));
      return this;
    }

    /** The clock for {@code created_at}, certificates and {@link Faults#unavailableFor}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Answer like SPIRE before 1.11: datastore failures as INTERNAL per-item codes. */
    public Builder legacyStatusCodes(boolean value) {
      this.legacyStatusCodes = value;
      return this;
    }

    /**
     * Ignore a client-chosen {@code Entry.id} on BatchCreateEntry and make up a UUID, as SPIRE
     * before 1.8 does (default: honour it, as 1.8 and later do).
     */
    public Builder ignoreClientEntryIds(boolean value) {
      this.ignoreClientEntryIds = value;
      return this;
    }

    /**
     * Validate entries' DNS names as SPIRE before 1.9.0 does (single-character labels and wildcards
     * refused, with INVALID_ARGUMENT {@code failed to convert entry: invalid DNS name: label does
     * not match regex: …}); default: current SPIRE's rules.
     */
    public Builder legacyDnsRules(boolean value) {
      this.legacyDnsRules = value;
      return this;
    }

    /** The server, not yet serving. */
    public InMemorySpireServer build() {
      if (socketPath == null && inProcessName == null && tcpPort == null) {
        throw new IllegalStateException(
            "in-memory SPIRE server needs a socket path, an in-process name or a TCP port");
      }
      return new InMemorySpireServer(this);
    }

    /** Builds and starts the server. */
    public InMemorySpireServer start() {
      return build().start();
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private final TrustDomain trustDomain;
  private final Optional<Path> socketPath;
  private final Optional<String> inProcessName;
  private final Optional<Integer> requestedTcpPort;
  private final Set<SpiffeId> adminIds;
  private final Clock clock;
  private final EntryDatabase db;
  private final InMemoryCa ca;
  private final Faults faults;
  private final Counters counters = new Counters();
  private final ConcurrentSkipListMap<String, Agent> agents = new ConcurrentSkipListMap<>();
  private final List<Server> servers = new ArrayList<>();
  private EventLoopGroup group;
  private int boundTcpPort = -1;
  private boolean started;

  private InMemorySpireServer(Builder b) {
    this.trustDomain = b.trustDomain;
    this.socketPath = Optional.ofNullable(b.socketPath).map(Path::toAbsolutePath);
    this.inProcessName = Optional.ofNullable(b.inProcessName);
    this.requestedTcpPort = Optional.ofNullable(b.tcpPort);
    this.adminIds = Set.copyOf(b.adminIds);
    this.clock = b.clock;
    this.db =
        new EntryDatabase(
            trustDomain, clock, b.legacyStatusCodes, b.ignoreClientEntryIds, b.legacyDnsRules);
    this.ca = new InMemoryCa(trustDomain, clock);
    this.faults = new Faults(clock);
  }

  /**
   * Starts serving on every chosen transport.
   *
   * @throws UncheckedIOException when a socket cannot be bound
   * @throws IllegalStateException when already started
   */
  public synchronized InMemorySpireServer start() {
    if (started) {
      throw new IllegalStateException("in-memory SPIRE server already started");
    }
    started = true;
    RpcGuard guard = new RpcGuard(faults, counters);
    List<BindableService> services =
        List.of(
            new EntryService(db, guard),
            new BundleService(db, ca, guard),
            new SvidService(ca, db.rules(), guard),
            new AgentService(agents, guard));
    try {
      if (socketPath.isPresent() || requestedTcpPort.isPresent()) {
        group =
            new MultiThreadIoEventLoopGroup(
                2, new DefaultThreadFactory("in-memory-spire", true), NioIoHandler.newFactory());
      }
      if (socketPath.isPresent()) {
        Path path = socketPath.get();
        if (path.getParent() != null) {
          Files.createDirectories(path.getParent());
        }
        Files.deleteIfExists(path);
        NettyServerBuilder sb =
            NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(path))
                .channelType(NioServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group);
        services.forEach(sb::addService);
        servers.add(sb.build().start());
      }
      if (inProcessName.isPresent()) {
        InProcessServerBuilder sb = InProcessServerBuilder.forName(inProcessName.get());
        services.forEach(sb::addService);
        servers.add(sb.build().start());
      }
      if (requestedTcpPort.isPresent()) {
        NettyServerBuilder sb =
            NettyServerBuilder.forAddress(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedTcpPort.get()),
                    tlsCredentials())
                .channelType(NioServerSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group);
        ServerInterceptor authz = new AdminOnly();
        for (BindableService s : services) {
          sb.addService(ServerInterceptors.intercept(s, authz));
        }
        Server server = sb.build().start();
        servers.add(server);
        boundTcpPort = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          "cannot start the in-memory SPIRE server: " + e.getMessage(), e);
    }
    return this;
  }

  /** Stops every transport (in-flight RPCs are cancelled) and removes the socket file. */
  @Override
  public synchronized void close() {
    for (Server s : servers) {
      s.shutdownNow();
    }
    for (Server s : servers) {
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    servers.clear();
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      group = null;
    }
    socketPath.ifPresent(
        p -> {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            // best effort: a stale socket is replaced on the next start
          }
        });
  }

  // ---- addresses

  /**
   * The Unix socket address, {@code unix:///abs/path/api.sock}, for {@code GrpcEntryStore.connect}.
   *
   * @throws IllegalStateException when the server has no socket
   */
  public String address() {
    return "unix://" + socketPath().orElseThrow(() -> new IllegalStateException("no socket path"));
  }

  public Optional<Path> socketPath() {
    return socketPath;
  }

  /**
   * The bound TCP port.
   *
   * @throws IllegalStateException when not serving on TCP
   */
  public int tcpPort() {
    if (boundTcpPort < 0) {
      throw new IllegalStateException("in-memory SPIRE server is not serving on TCP");
    }
    return boundTcpPort;
  }

  /** {@code localhost:<port>}, a gRPC target for the TCP listener. */
  public String tcpAddress() {
    return "localhost:" + tcpPort();
  }

  /**
   * A new plaintext channel to the in-process listener; the caller closes it.
   *
   * @throws IllegalStateException when the server has no in-process name
   */
  public ManagedChannel newInProcessChannel() {
    return InProcessChannelBuilder.forName(
            inProcessName.orElseThrow(() -> new IllegalStateException("no in-process name")))
        .build();
  }

  // ---- identity

  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** {@code spiffe://<td>/spire/server}, the ID in the server's TLS certificate. */
  public SpiffeId serverId() {
    return SpiffeId.of(trustDomain, "spire", "server");
  }

  /** The server's X.509 authorities (its CA certificate): what agents hand out as the bundle. */
  public List<X509Certificate> bundle() {
    return List.of(ca.certificate());
  }

  // ---- state

  /** Makes {@code td}'s bundle known, so entries may federate with it. */
  public void addFederatedBundle(TrustDomain td) {
    db.addBundle(td);
  }

  /** Forgets {@code td}'s bundle; entries federating with it can no longer be written. */
  public void removeFederatedBundle(TrustDomain td) {
    db.removeBundle(td);
  }

  /** Registers an attested agent for ListAgents ({@code attestation_type} {@code k8s_psat}). */
  public void addAgent(SpiffeId id, List<Selector> selectors) {
    Agent.Builder b =
        Agent.newBuilder().setId(ProtoMapping.toProto(id)).setAttestationType("k8s_psat");
    for (Selector s : selectors) {
      b.addSelectors(ProtoMapping.toProto(s));
    }
    agents.put(id.toString(), b.build());
  }

  /** A snapshot of every stored entry as core entries, sorted by ID. */
  public List<Entry> entries() {
    List<org.spireregistrar.spire.proto.types.Entry> all = db.snapshot();
    List<Entry> out = new ArrayList<>(all.size());
    for (org.spireregistrar.spire.proto.types.Entry e : all) {
      out.add(ProtoMapping.fromProto(e));
    }
    return out;
  }

  /** The number of stored entries. */
  public int entryCount() {
    return db.size();
  }

  /**
   * Stores {@code entry} as is (ID, attributes and revision kept, no validation or similarity
   * check), as another tool or a racing writer might have left it.
   */
  public void putEntry(Entry entry) {
    db.put(
        ProtoMapping.toProto(entry).toBuilder()
            .setCreatedAt(clock.instant().getEpochSecond())
            .build());
  }

  // ---- faults and counters

  /** The faults this server injects (latency, unavailability, per-item failures). */
  public Faults faults() {
    return faults;
  }

  /** Same as {@code faults().unavailableFor(period)}. */
  public void unavailableFor(Duration period) {
    faults.unavailableFor(period);
  }

  /** Same as {@code faults().setUnavailable(value)}. */
  public void setUnavailable(boolean value) {
    faults.setUnavailable(value);
  }

  /** Same as {@code faults().failItems(which, code, message)}. */
  public void failItems(Predicate<EntrySpec> which, EntryResult.Code code, String message) {
    faults.failItems(which, code, message);
  }

  /** RPCs and entries by method (live). */
  public Counters counters() {
    return counters;
  }

  public void resetCounters() {
    counters.reset();
  }

  // ---- TLS

  private ServerCredentials tlsCredentials() {
    try {
      InMemoryCa.Issued svid = ca.issue(serverId(), List.of(), Duration.ofDays(1));
      char[] password = "in-memory".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "server",
          svid.keyPair().getPrivate(),
          password,
          new Certificate[] {svid.certificate(), ca.certificate()});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return TlsServerCredentials.newBuilder()
          .keyManager(kmf.getKeyManagers())
          .trustManager(tmf.getTrustManagers())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** SPIRE's authorization for TCP callers: admin APIs need an admin SVID. */
  private final class AdminOnly implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String method = call.getMethodDescriptor().getFullMethodName();
      if (method.equals("spire.api.server.bundle.v1.Bundle/GetBundle")) {
        return next.startCall(call, headers);
      }
      Optional<String> caller = peerId(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
      if (caller.isPresent() && isAdmin(caller.get())) {
        return next.startCall(call, headers);
      }
      counters.rpc(method.substring(method.indexOf('/') + 1));
      call.close(
          Status.PERMISSION_DENIED.withDescription("authorization denied for method /" + method),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
  }

  private boolean isAdmin(String id) {
    for (SpiffeId admin : adminIds) {
      if (admin.toString().equals(id)) {
        return true;
      }
    }
    return db.hasAdminEntry(id);
  }

  private static Optional<String> peerId(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans == null) {
        return Optional.empty();
      }
      for (List<?> san : sans) {
        if (Integer.valueOf(6).equals(san.get(0))) {
          return Optional.of(String.valueOf(san.get(1)));
        }
      }
      return Optional.empty();
    } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
      return Optional.empty();
    }
  }
}
