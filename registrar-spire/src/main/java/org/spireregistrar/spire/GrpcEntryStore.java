package org.spireregistrar.spire;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.exception.X509SourceException;
import io.spiffe.provider.SpiffeKeyManager;
import io.spiffe.provider.SpiffeTrustManager;
import io.spiffe.workloadapi.DefaultX509Source;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.Backoff;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.proto.bundle.v1.BundleGrpc;
import org.spireregistrar.spire.proto.bundle.v1.GetFederatedBundleRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.BatchDeleteEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchDeleteEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.EntryGrpc;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesResponse;
import org.spireregistrar.spire.proto.types.BundleMask;

/**
 * The {@link EntryStore} backed by a SPIRE Server's Entry API over gRPC.
 *
 * <ul>
 *   <li><b>Transport.</b> {@code unix://} addresses: plaintext gRPC over the server's admin socket
 *       (Netty NIO domain sockets, no native library). Other addresses: mTLS with the X509-SVID and
 *       bundle of the local agent's Workload API ({@code agent_socket_path}), re-read on every
 *       handshake so rotation is followed; the server is verified against that bundle (any SPIFFE
 *       ID in it, as the original registrar did).
 *   <li><b>Listing</b> always sends an explicit page size ({@link Options#pageSize()}) and follows
 *       page tokens until the server returns an empty one. A page too large for the inbound limit
 *       (RESOURCE_EXHAUSTED) is re-asked with half the page size.
 *   <li><b>Writes</b> are sent in batches of at most {@link Options#batchSize()} items and about
 *       {@link Options#maxRequestBytes()} bytes, so no request nears gRPC's 4 MiB limit. Results
 *       are one per input, in input order. A similar entry on create is ALREADY_EXISTS carrying the
 *       existing entry (adopt its ID); ALREADY_EXISTS without an entry (ID collision, duplicate
 *       selector or DNS name) is a failure with an explanatory message; pre-1.11 servers' INTERNAL
 *       per-item codes are reclassified by their message. Unknown IDs on update and delete are
 *       NOT_FOUND (for delete, callers treat it as success, see {@link EntryStore#delete}).
 *   <li><b>Updates</b> send an {@code input_mask} naming only the managed fields ({@link
 *       ProtoMapping#MANAGED_FIELDS}), so {@code admin}, TTLs, {@code expires_at}, {@code hint},
 *       {@code store_svid} and {@code additional_attributes} set by others survive.
 *   <li><b>Federated bundles.</b> Before entries with {@code federates_with} are written, every
 *       trust domain they name is looked up with {@code Bundle.GetFederatedBundle} (found ones are
 *       remembered for {@link Options#bundleCacheTtl()}). An entry naming a domain without a bundle
 *       is not sent: its result is FAILED_PRECONDITION {@code unable to find federated bundle
 *       "spiffe://<domain>"}, and the other entries of the batch are written. The check is
 *       internal; its outcome is only visible as these per-entry results.
 *   <li><b>Failures.</b> Every RPC has a deadline ({@link Options#rpcDeadline()}); UNAVAILABLE and
 *       DEADLINE_EXCEEDED are retried with exponential backoff and jitter ({@link RetryPolicy}). A
 *       missing admin socket is waited for (with a log line) for up to {@link
 *       Options#socketWait()}. A whole-call failure is an {@link EntryStoreException} (the only
 *       exception that leaves this class); when a multi-batch write fails midway, the batches
 *       already sent stay written.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} shuts the channel down.
 */
public final class GrpcEntryStore implements EntryStore, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GrpcEntryStore.class);

  /**
   * How failed RPCs are retried: UNAVAILABLE and DEADLINE_EXCEEDED only, {@code maxAttempts} tries
   * in all, waiting {@code initialBackoff} doubled after every try up to {@code maxBackoff}, each
   * wait randomised to between half and all of it (a {@link Backoff}).
   */
  public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** 5 attempts, 200 ms doubling to 5 s. */
    public static final RetryPolicy DEFAULT =
        new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5));

    public RetryPolicy {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("retry maxAttempts must be at least 1: " + maxAttempts);
      }
      requirePositive(initialBackoff, "retry initialBackoff");
      requirePositive(maxBackoff, "retry maxBackoff");
    }

    /** The waits between tries. */
    Backoff backoff() {
      return new Backoff(initialBackoff, maxBackoff);
    }
  }

  /**
   * Settings of a {@link GrpcEntryStore}.
   *
   * @param pageSize ListEntries page size (SPIRE has no server default; 0 would mean "everything in
   *     one message")
   * @param batchSize most items per BatchCreate/Update/DeleteEntry request
   * @param maxRequestBytes most bytes per batch request (gRPC's limit is 4 MiB)
   * @param maxInboundMessageBytes most bytes accepted per response
   * @param rpcDeadline deadline of each RPC attempt
   * @param retry retry policy for UNAVAILABLE and DEADLINE_EXCEEDED
   * @param socketWait how long a missing admin socket (or, for TCP, the agent's first SVID) is
   *     waited for before a call fails
   * @param bundleCacheTtl how long a federated bundle found on the server is trusted to still be
   *     there; missing ones are never cached
   */
  public record Options(
      int pageSize,
      int batchSize,
      int maxRequestBytes,
      int maxInboundMessageBytes,
      Duration rpcDeadline,
      RetryPolicy retry,
      Duration socketWait,
      Duration bundleCacheTtl) {

    /**
     * Page 2000, batch 50, 3 MiB requests, 16 MiB responses, 30 s deadline, 1 min socket wait.
     *
     * <p>Pages of 2000 rather than the original's 1000: a full list is a chain of round trips (each
     * page's token comes with it), so half the pages take a fifth off a 10,000-entry list with 1 ms
     * per call. A page of typical pod entries (about 280 bytes each) is some 550 KB, an eighth of
     * gRPC's default 4 MiB; a page over the inbound limit is asked for again at half the size.
     */
    public static final Options DEFAULTS =
        new Options(
            2000,
            50,
            3 << 20,
            16 << 20,
            Duration.ofSeconds(30),
            RetryPolicy.DEFAULT,
            Duration.ofMinutes(1),
            Duration.ofSeconds(30));

    public Options {
      if (pageSize < 1) {
        throw new IllegalArgumentException("pageSize must be at least 1: " + pageSize);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
      }
      if (maxRequestBytes < 1024) {
        throw new IllegalArgumentException(
            "maxRequestBytes must be at least 1024: " + maxRequestBytes);
      }
      if (maxInboundMessageBytes < 1024) {
        throw new IllegalArgumentException(
            "maxInboundMessageBytes must be at least 1024: " + maxInboundMessageBytes);
      }
      requirePositive(rpcDeadline, "rpcDeadline");
      Objects.requireNonNull(retry, "retry");
      Objects.requireNonNull(socketWait, "socketWait");
      Objects.requireNonNull(bundleCacheTtl, "bundleCacheTtl");
    }

    public Options withPageSize(int value) {
      return new Options(
          value,
          batchSize,
          maxRequestBytes,
          maxInboundMessageBytes,
          rpcDeadline,
          retry,
          socketWait,
          bundleCacheTtl);
    }

    public Options withBatchSize(int value) {
      return new Options(
          pageSize,
          value,
          maxRequestBytes,
          maxInboundMessageBytes,
          rpcDeadline,
          retry,
          socketWait,
          bundleCacheTtl);
    }

    public Options withMaxRequestBytes(int value) {
      return new Options(
          pageSize,
          batchSize,
          value,
          maxInboundMessageBytes,
          rpcDeadline,
          retry,
          socketWait,
          bundleCacheTtl);
    }

    public Options withMaxInboundMessageBytes(int value) {
      return new Options(
          pageSize,
          batchSize,
          maxRequestBytes,
          value,
          rpcDeadline,
          retry,
          socketWait,
          bundleCacheTtl);
    }

    public Options withRpcDeadline(Duration value) {
      return new Options(
          pageSize,
          batchSize,
          maxRequestBytes,
          maxInboundMessageBytes,
          value,
          retry,
          socketWait,
          bundleCacheTtl);
    }

    public Options withRetry(RetryPolicy value) {
      return new Options(
          pageSize,
          batchSize,
          maxRequestBytes,
          maxInboundMessageBytes,
          rpcDeadline,
          value,
          socketWait,
          bundleCacheTtl);
    }

    public Options withSocketWait(Duration value) {
      return new Options(
          pageSize,
          batchSize,
          maxRequestBytes,
          maxInboundMessageBytes,
          rpcDeadline,
          retry,
          value,
          bundleCacheTtl);
    }

    public Options withBundleCacheTtl(Duration value) {
      return new Options(
          pageSize,
          batchSize,
          maxRequestBytes,
          maxInboundMessageBytes,
          rpcDeadline,
          retry,
          socketWait,
          value);
    }
  }

  private final ManagedChannel channel;
  private final Options options;
  private final String target;
  private final Optional<Path> socketPath;
  private final List<AutoCloseable> resources;
  private final Clock clock;
  private final EntryGrpc.EntryBlockingStub entryStub;
  private final EntryGrpc.EntryFutureStub entryFutures;
  private final BundleGrpc.BundleBlockingStub bundleStub;
  private final ConcurrentHashMap<TrustDomain, Instant> bundlesSeen = new ConcurrentHashMap<>();
  // Values many entries share (trust domain, node IDs): one instance each, for the index.
  private final Canonical canonical = new Canonical();

  /**
   * A store on a channel made by the caller (tests, in-process servers). The store owns the channel
   * from now on: {@link #close()} shuts it down.
   */
  public GrpcEntryStore(ManagedChannel channel, Options options) {
    this(channel, options, channel.authority(), Optional.empty(), List.of(), Clock.systemUTC());
  }

  GrpcEntryStore(
      ManagedChannel channel,
      Options options,
      String target,
      Optional<Path> socketPath,
      List<AutoCloseable> resources,
      Clock clock) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.options = Objects.requireNonNull(options, "options");
    this.target = target;
    this.socketPath = socketPath;
    this.resources = List.copyOf(resources);
    this.clock = clock;
    this.entryStub = EntryGrpc.newBlockingStub(channel);
    this.entryFutures = EntryGrpc.newFutureStub(channel);
    this.bundleStub = BundleGrpc.newBlockingStub(channel);
  }

  /**
   * An {@link org.spireregistrar.core.SvidMinter} on this store's connection (SPIRE's SVID API on
   * the same channel, as upstream made its SVID client on the Entry client's connection), with the
   * same deadline, retries and socket wait. It needs no closing of its own and stops working when
   * this store is closed.
   */
  public GrpcSvidMinter svidMinter() {
    return new GrpcSvidMinter(this);
  }

  /** The channel, for the other SPIRE APIs of this module on the same connection. */
  ManagedChannel channel() {
    return channel;
  }

  Options options() {
    return options;
  }

  /**
   * Connects to a SPIRE Server. Does not contact the server: the first RPC does (and waits for a
   * missing admin socket). For a TCP address this blocks until the agent delivers the first
   * X509-SVID, at most {@link Options#socketWait()}.
   *
   * @param serverAddress {@code unix:///path/to/api.sock}, or a gRPC TCP target such as {@code
   *     spire-server:8081}
   * @param agentSocketPath the agent's Workload API socket path; used (and required) only for TCP
   *     addresses
   * @throws EntryStoreException when the address is unusable or the agent gives no SVID
   */
  public static GrpcEntryStore connect(
      String serverAddress, String agentSocketPath, Options options) {
    ServerTarget t;
    try {
      t = ServerTarget.parse(serverAddress);
    } catch (IllegalArgumentException e) {
      throw new EntryStoreException(e.getMessage(), false, e);
    }
    return t.isUnixSocket()
        ? connectUnix(t, options)
        : connectTcp(t, Objects.requireNonNullElse(agentSocketPath, ""), options);
  }

  private static GrpcEntryStore connectUnix(ServerTarget t, Options options) {
    Path path = t.socketPath().orElseThrow();
    log.info("Connecting to local registration server socket {}", t.address());
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("spire-uds", true), NioIoHandler.newFactory());
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(path))
            .channelType(NioDomainSocketChannel.class, UnixDomainSocketAddress.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .overrideAuthority("localhost")
            .maxInboundMessageSize(options.maxInboundMessageBytes())
            .build();
    AutoCloseable shutdownGroup = () -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
    return new GrpcEntryStore(
        channel,
        options,
        t.address(),
        Optional.of(path),
        List.of(shutdownGroup),
        Clock.systemUTC());
  }

  private static GrpcEntryStore connectTcp(
      ServerTarget t, String agentSocketPath, Options options) {
    if (agentSocketPath.isBlank()) {
      throw new EntryStoreException(
          "agent_socket_path must be specified if the server is not a local socket", false);
    }
    log.info(
        "Connecting to remote registration server {} with credentials from agent socket {}",
        t.address(),
        agentSocketPath);
    String agentAddress =
        agentSocketPath.startsWith("unix:") ? agentSocketPath : "unix://" + agentSocketPath;
    DefaultX509Source source;
    try {
      source =
          DefaultX509Source.newSource(
              DefaultX509Source.X509SourceOptions.builder()
                  .spiffeSocketPath(agentAddress)
                  .initTimeout(options.socketWait())
                  .build());
    } catch (SocketEndpointAddressException | X509SourceException | RuntimeException e) {
      throw new EntryStoreException(
          "failed to dial server: no X509-SVID from the agent at "
              + agentAddress
              + ": "
              + e.getMessage(),
          true,
          e);
    }
    // Key and trust managers read the source on every handshake: rotated SVIDs and bundles are
    // used by the next connection. Any server ID the bundle vouches for is accepted (upstream
    // authorised the server with AuthorizeAny).
    ChannelCredentials credentials =
        TlsChannelCredentials.newBuilder()
            .keyManager(new SpiffeKeyManager(source))
            .trustManager(new SpiffeTrustManager(source, (id, chain) -> {}))
            .build();
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(t.address(), credentials)
            .maxInboundMessageSize(options.maxInboundMessageBytes())
            .build();
    return new GrpcEntryStore(
        channel, options, t.address(), Optional.empty(), List.of(source), Clock.systemUTC());
  }

  @Override
  public List<Entry> list(EntryFilter filter) {
    return list(filter, id -> null);
  }

  /**
   * {@inheritDoc} Each listed entry is compared field by field with {@code listedBefore}'s entry of
   * its ID, without decoding it; only entries that differ (or are new) are decoded.
   */
  @Override
  public List<Entry> list(EntryFilter filter, Function<String, Entry> listedBefore) {
    ListEntriesRequest.Filter protoFilter = ProtoMapping.toProto(filter);
    List<Entry> out = new ArrayList<>();
    String token = "";
    int pageSize = options.pageSize();
    // The next page is asked for as soon as its token is known, and comes while this one is
    // decoded; should that early call fail, the page is asked for again with the usual retries.
    Future<ListEntriesResponse> early = null;
    while (true) {
      ListEntriesRequest request =
          ListEntriesRequest.newBuilder()
              .setFilter(protoFilter)
              .setPageSize(pageSize)
              .setPageToken(token)
              .build();
      ListEntriesResponse response;
      try {
        Future<ListEntriesResponse> asked = early;
        early = null;
        response =
            asked != null
                ? awaitEarly(asked, request)
                : call("ListEntries", () -> entryStub().listEntries(request));
      } catch (EntryStoreException e) {
        if (statusCode(e) == Status.Code.RESOURCE_EXHAUSTED && pageSize > 1) {
          pageSize = Math.max(1, pageSize / 2);
          log.warn(
              "ListEntries page too large for the inbound limit; retrying with page size {}",
              pageSize);
          continue;
        }
        throw e;
      }
      token = response.getNextPageToken();
      if (!token.isEmpty()) {
        early = askEarly(request.toBuilder().setPageToken(token).build());
      }
      for (org.spireregistrar.spire.proto.types.Entry e : response.getEntriesList()) {
        Entry before = listedBefore.apply(e.getId());
        if (before != null && ProtoMapping.sameAs(e, before)) {
          out.add(before);
          continue;
        }
        try {
          out.add(ProtoMapping.fromProto(e, canonical));
        } catch (IllegalArgumentException ex) {
          log.warn(
              "Ignoring registration entry {} that is not valid: {}", e.getId(), ex.getMessage());
        }
      }
      if (token.isEmpty()) {
        return out;
      }
    }
  }

  /** Sends a list request without waiting for it; null when the store is closed. */
  private Future<ListEntriesResponse> askEarly(ListEntriesRequest request) {
    if (closed) {
      return null;
    }
    return entryFutures
        .withDeadlineAfter(options.rpcDeadline().toMillis(), TimeUnit.MILLISECONDS)
        .listEntries(request);
  }

  /**
   * The answer to a request {@link #askEarly asked early}; if that call failed, {@code request} is
   * made again as any call is, with its retries.
   */
  private ListEntriesResponse awaitEarly(
      Future<ListEntriesResponse> asked, ListEntriesRequest request) {
    try {
      return asked.get();
    } catch (InterruptedException e) {
      asked.cancel(true);
      Thread.currentThread().interrupt();
      throw new EntryStoreException("SPIRE server " + target + ": ListEntries interrupted", true);
    } catch (ExecutionException e) {
      return call("ListEntries", () -> entryStub().listEntries(request));
    }
  }

  @Override
  public List<EntryResult> create(List<EntrySpec> specs) {
    return create(specs, i -> ProtoMapping.toProto(specs.get(i)));
  }

  /** Sends each entry's ID as {@code Entry.id}; honoured by SPIRE 1.8 and later. */
  @Override
  public List<EntryResult> createWithIds(List<Entry> entries) {
    List<EntrySpec> specs = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      specs.add(e.spec());
    }
    return create(specs, i -> ProtoMapping.toUpdateProto(entries.get(i)));
  }

  private List<EntryResult> create(
      List<EntrySpec> specs, IntFunction<org.spireregistrar.spire.proto.types.Entry> toProto) {
    return write(
        "BatchCreateEntry",
        true,
        specs,
        i -> Optional.empty(),
        toProto,
        batch -> {
          BatchCreateEntryRequest request =
              BatchCreateEntryRequest.newBuilder().addAllEntries(batch).build();
          List<WrittenItem> items = new ArrayList<>(batch.size());
          for (BatchCreateEntryResponse.Result r :
              entryStub().batchCreateEntry(request).getResultsList()) {
            items.add(new WrittenItem(r.getStatus(), r.hasEntry() ? r.getEntry() : null));
          }
          return items;
        });
  }

  @Override
  public List<EntryResult> update(List<Entry> entries) {
    List<EntrySpec> specs = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      specs.add(e.spec());
    }
    return write(
        "BatchUpdateEntry",
        false,
        specs,
        i -> Optional.of(entries.get(i).id()),
        i -> ProtoMapping.toUpdateProto(entries.get(i)),
        batch -> {
          BatchUpdateEntryRequest request =
              BatchUpdateEntryRequest.newBuilder()
                  .addAllEntries(batch)
                  .setInputMask(ProtoMapping.MANAGED_FIELDS)
                  .build();
          List<WrittenItem> items = new ArrayList<>(batch.size());
          for (BatchUpdateEntryResponse.Result r :
              entryStub().batchUpdateEntry(request).getResultsList()) {
            items.add(new WrittenItem(r.getStatus(), r.hasEntry() ? r.getEntry() : null));
          }
          return items;
        });
  }

  @Override
  public List<EntryResult> delete(List<EntryId> ids) {
    List<EntryResult> results = new ArrayList<>(ids.size());
    List<int[]> ranges =
        Batches.split(
            ids.size(),
            options.batchSize(),
            options.maxRequestBytes(),
            i -> ids.get(i).value().length());
    for (int[] range : ranges) {
      BatchDeleteEntryRequest.Builder request = BatchDeleteEntryRequest.newBuilder();
      for (int i = range[0]; i < range[1]; i++) {
        request.addIds(ids.get(i).value());
      }
      BatchDeleteEntryResponse response =
          call("BatchDeleteEntry", () -> entryStub().batchDeleteEntry(request.build()));
      checkCount("BatchDeleteEntry", response.getResultsCount(), range);
      for (int i = range[0]; i < range[1]; i++) {
        BatchDeleteEntryResponse.Result r = response.getResults(i - range[0]);
        EntryId id = ids.get(i);
        EntryResult.Code code =
            ItemStatus.classify(r.getStatus().getCode(), r.getStatus().getMessage());
        results.add(
            code == EntryResult.Code.OK
                ? EntryResult.deleted(id)
                : EntryResult.failure(code, r.getStatus().getMessage(), Optional.of(id)));
      }
    }
    return results;
  }

  /**
   * Shuts the channel down and releases the agent connection (TCP) or event loop (Unix). A call
   * waiting for the socket or for a retry gives up at once with a non-retryable {@link
   * EntryStoreException}.
   */
  @Override
  public void close() {
    closed = true;
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.debug("Closing {} failed: {}", r, e.toString());
      }
    }
  }

  // ---- batches

  /** One per-item result of a BatchCreateEntry or BatchUpdateEntry response. */
  private record WrittenItem(
      org.spireregistrar.spire.proto.types.Status status,
      org.spireregistrar.spire.proto.types.Entry entry) {}

  /**
   * Create or update: drops the specs naming a trust domain without a federated bundle, sends the
   * others in batches with {@code rpc} and returns one result per spec, in order.
   *
   * @param create whether ALREADY_EXISTS without an entry gets the create explanation
   * @param ids the entry ID of spec {@code i} for its failure results (empty on create)
   * @param toProto the request entry of spec {@code i}
   */
  private List<EntryResult> write(
      String method,
      boolean create,
      List<EntrySpec> specs,
      IntFunction<Optional<EntryId>> ids,
      IntFunction<org.spireregistrar.spire.proto.types.Entry> toProto,
      Function<List<org.spireregistrar.spire.proto.types.Entry>, List<WrittenItem>> rpc) {
    EntryResult[] results = new EntryResult[specs.size()];
    List<Integer> send = withFederatedBundles(specs, ids, results);
    List<org.spireregistrar.spire.proto.types.Entry> protos = new ArrayList<>(send.size());
    for (int i : send) {
      protos.add(toProto.apply(i));
    }
    for (int[] range : split(protos, send, results)) {
      List<org.spireregistrar.spire.proto.types.Entry> batch = protos.subList(range[0], range[1]);
      List<WrittenItem> items = call(method, () -> rpc.apply(batch));
      checkCount(method, items.size(), range);
      for (int k = range[0]; k < range[1]; k++) {
        WrittenItem item = items.get(k - range[0]);
        results[send.get(k)] =
            writeResult(
                item.status(),
                item.entry(),
                ids.apply(send.get(k)),
                specs.get(send.get(k)),
                create);
      }
      log.debug("{}: {} entries sent", method, range[1] - range[0]);
    }
    return Arrays.asList(results);
  }

  private List<int[]> split(
      List<org.spireregistrar.spire.proto.types.Entry> protos,
      List<Integer> send,
      EntryResult[] results) {
    List<int[]> ranges =
        Batches.split(
            protos.size(),
            options.batchSize(),
            options.maxRequestBytes(),
            i -> protos.get(i).getSerializedSize());
    List<int[]> sendable = new ArrayList<>(ranges.size());
    for (int[] range : ranges) {
      int size = protos.get(range[0]).getSerializedSize();
      if (range[1] - range[0] == 1 && Batches.framed(size) > options.maxRequestBytes()) {
        results[send.get(range[0])] =
            EntryResult.failure(
                EntryResult.Code.INVALID_ARGUMENT,
                "entry is "
                    + size
                    + " bytes on the wire, more than the "
                    + options.maxRequestBytes()
                    + "-byte request limit",
                Optional.empty());
      } else {
        sendable.add(range);
      }
    }
    return sendable;
  }

  private void checkCount(String method, int got, int[] range) {
    int want = range[1] - range[0];
    if (got != want) {
      throw new EntryStoreException(
          "SPIRE server "
              + target
              + ": "
              + method
              + " returned "
              + got
              + " results for "
              + want
              + " items",
          false);
    }
  }

  private EntryResult writeResult(
      org.spireregistrar.spire.proto.types.Status status,
      org.spireregistrar.spire.proto.types.Entry entry,
      Optional<EntryId> id,
      EntrySpec sent,
      boolean create) {
    EntryResult.Code code = ItemStatus.classify(status.getCode(), status.getMessage());
    String message = status.getMessage();
    if (entry != null && (code == EntryResult.Code.OK || code == EntryResult.Code.ALREADY_EXISTS)) {
      Entry mapped;
      try {
        // Usually the entry as it was sent: its spec is then the one sent, not decoded again.
        mapped =
            ProtoMapping.sameSpec(entry, sent)
                ? new Entry(
                    new EntryId(entry.getId()),
                    sent,
                    canonical.attributes(ProtoMapping.attributesOf(entry)))
                : ProtoMapping.fromProto(entry, canonical);
      } catch (IllegalArgumentException e) {
        return EntryResult.failure(
            EntryResult.Code.UNKNOWN,
            "server returned entry " + entry.getId() + " that is not valid: " + e.getMessage(),
            entry.getId().isEmpty() ? id : Optional.of(new EntryId(entry.getId())));
      }
      return code == EntryResult.Code.OK
          ? EntryResult.ok(mapped)
          : new EntryResult(code, message, Optional.of(mapped), Optional.of(mapped.id()));
    }
    if (code == EntryResult.Code.OK) {
      // OK without the entry: only when an output mask hides it, which we never send.
      return new EntryResult(code, message, Optional.empty(), id);
    }
    if (create && code == EntryResult.Code.ALREADY_EXISTS) {
      message =
          message
              + " (no similar entry was returned: the entry ID is taken, or a selector or DNS name"
              + " is repeated)";
    }
    return EntryResult.failure(code, message, id);
  }

  // ---- federated bundles

  /**
   * Fills {@code results} for the specs naming a trust domain without a bundle on the server and
   * returns the indexes of the others, in order.
   */
  private List<Integer> withFederatedBundles(
      List<EntrySpec> specs, IntFunction<Optional<EntryId>> ids, EntryResult[] results) {
    Set<TrustDomain> wanted = new TreeSet<>();
    for (EntrySpec spec : specs) {
      wanted.addAll(spec.federatesWith());
    }
    Set<TrustDomain> missing = missingBundles(wanted);
    List<Integer> send = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      Optional<TrustDomain> absent =
          specs.get(i).federatesWith().stream().filter(missing::contains).findFirst();
      if (absent.isPresent()) {
        results[i] =
            EntryResult.failure(
                EntryResult.Code.FAILED_PRECONDITION,
                "unable to find federated bundle \"" + absent.get().id() + "\"",
                ids.apply(i));
      } else {
        send.add(i);
      }
    }
    return send;
  }

  private Set<TrustDomain> missingBundles(Set<TrustDomain> domains) {
    Set<TrustDomain> missing = new TreeSet<>();
    Instant now = clock.instant();
    for (TrustDomain td : domains) {
      Instant seen = bundlesSeen.get(td);
      if (seen != null && seen.plus(options.bundleCacheTtl()).isAfter(now)) {
        continue;
      }
      GetFederatedBundleRequest request =
          GetFederatedBundleRequest.newBuilder()
              .setTrustDomain(td.name())
              .setOutputMask(BundleMask.getDefaultInstance())
              .build();
      try {
        call("GetFederatedBundle", () -> bundleStub().getFederatedBundle(request));
        bundlesSeen.put(td, now);
      } catch (EntryStoreException e) {
        Status.Code code = statusCode(e);
        if (code == Status.Code.NOT_FOUND) {
          log.warn(
              "SPIRE server has no bundle for trust domain {}; entries federating with it are not"
                  + " written",
              td);
          missing.add(td);
        } else if (e.retryable()) {
          throw e;
        } else {
          // The own trust domain (INVALID_ARGUMENT) or a server that does not let us look:
          // leave the decision to the entry write.
          log.debug("Federated bundle lookup for {} inconclusive: {}", td, e.getMessage());
        }
      }
    }
    return missing;
  }

  // ---- RPC plumbing

  private EntryGrpc.EntryBlockingStub entryStub() {
    return entryStub.withDeadlineAfter(options.rpcDeadline().toMillis(), TimeUnit.MILLISECONDS);
  }

  private BundleGrpc.BundleBlockingStub bundleStub() {
    return bundleStub.withDeadlineAfter(options.rpcDeadline().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs one RPC with this store's retries (UNAVAILABLE and DEADLINE_EXCEEDED), socket wait and
   * closed check; every other failure is an {@link EntryStoreException}.
   */
  <T> T call(String method, Supplier<T> rpc) {
    RetryPolicy retry = options.retry();
    for (int attempt = 1; ; attempt++) {
      failIfClosed();
      awaitSocket();
      try {
        T result = rpc.get();
        if (attempt > 1) {
          log.info("SPIRE server {}: {} succeeded on attempt {}", target, method, attempt);
        }
        return result;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        boolean transientFailure =
            code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
        String message =
            "SPIRE server " + target + ": " + method + " failed: " + describe(e.getStatus());
        if (!transientFailure || attempt >= retry.maxAttempts()) {
          throw new EntryStoreException(
              transientFailure ? message + " (after " + attempt + " attempts)" : message,
              isRetryable(code),
              e);
        }
        Duration wait = retry.backoff().delay(attempt);
        log.warn("{}; retrying in {} ms", message, wait.toMillis());
        pause(wait);
      } catch (EntryStoreException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new EntryStoreException(
            "SPIRE server " + target + ": " + method + " failed: " + e, false, e);
      }
    }
  }

  private volatile boolean closed;

  private void failIfClosed() {
    if (closed) {
      throw new EntryStoreException("SPIRE client closed", false);
    }
  }

  private void awaitSocket() {
    if (socketPath.isEmpty() || Files.exists(socketPath.get())) {
      return;
    }
    Path path = socketPath.get();
    if (options.socketWait().isZero()) {
      // Not waiting (a one-shot command): said at once, without the waiting's log lines.
      throw new EntryStoreException("SPIRE server socket " + path + " does not exist", true);
    }
    Instant start = clock.instant();
    Instant deadline = start.plus(options.socketWait());
    log.warn(
        "SPIRE server socket {} does not exist yet; waiting up to {} ms for it",
        path,
        options.socketWait().toMillis());
    long pollMillis = 20;
    while (!Files.exists(path)) {
      failIfClosed();
      if (!clock.instant().isBefore(deadline)) {
        throw new EntryStoreException(
            "SPIRE server socket "
                + path
                + " does not exist (waited "
                + options.socketWait().toMillis()
                + " ms)",
            true);
      }
      pause(Duration.ofMillis(pollMillis));
      pollMillis = Math.min(pollMillis * 2, 1000);
    }
    log.info(
        "SPIRE server socket {} appeared after {} ms",
        path,
        Duration.between(start, clock.instant()).toMillis());
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EntryStoreException("interrupted while waiting for the SPIRE server", false, e);
    }
  }

  private static String describe(Status status) {
    String d = status.getDescription();
    return d == null || d.isEmpty() ? status.getCode().name() : status.getCode() + ": " + d;
  }

  private static boolean isRetryable(Status.Code code) {
    return switch (code) {
      case UNAVAILABLE,
          DEADLINE_EXCEEDED,
          RESOURCE_EXHAUSTED,
          ABORTED,
          CANCELLED,
          INTERNAL,
          UNKNOWN ->
          true;
      default -> false;
    };
  }

  private static Status.Code statusCode(EntryStoreException e) {
    return e.getCause() instanceof StatusRuntimeException s ? s.getStatus().getCode() : null;
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
