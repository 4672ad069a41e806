package org.spireregistrar.spire.testing;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.function.Function;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.spire.ProtoMapping;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchCreateEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.BatchDeleteEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchDeleteEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.BatchUpdateEntryResponse;
import org.spireregistrar.spire.proto.entry.v1.CountEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.CountEntriesResponse;
import org.spireregistrar.spire.proto.entry.v1.EntryGrpc;
import org.spireregistrar.spire.proto.entry.v1.GetAuthorizedEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.GetAuthorizedEntriesResponse;
import org.spireregistrar.spire.proto.entry.v1.GetEntryRequest;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.ListEntriesResponse;
import org.spireregistrar.spire.proto.entry.v1.SyncAuthorizedEntriesRequest;
import org.spireregistrar.spire.proto.entry.v1.SyncAuthorizedEntriesResponse;
import org.spireregistrar.spire.proto.types.Entry;
import org.spireregistrar.spire.proto.types.EntryMask;
import org.spireregistrar.spire.proto.types.Selector;

/** {@code spire.api.server.entry.v1.Entry} over an {@link EntryDatabase}. */
final class EntryService extends EntryGrpc.EntryImplBase {

  private final EntryDatabase db;
  private final RpcGuard guard;

  EntryService(EntryDatabase db, RpcGuard guard) {
    this.db = db;
    this.guard = guard;
  }

  @Override
  public void countEntries(
      CountEntriesRequest request, StreamObserver<CountEntriesResponse> observer) {
    guard.unary(
        "CountEntries",
        observer,
        () -> {
          ListEntriesRequest.Filter filter = null;
          if (request.hasFilter()) {
            try {
              // Same layout as ListEntriesRequest.Filter (same field numbers and types).
              filter = ListEntriesRequest.Filter.parseFrom(request.getFilter().toByteString());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              throw RpcGuard.invalidArgument("malformed filter: " + e.getMessage());
            }
            validate(filter);
          }
          return CountEntriesResponse.newBuilder().setCount(db.count(filter)).build();
        });
  }

  @Override
  public void listEntries(
      ListEntriesRequest request, StreamObserver<ListEntriesResponse> observer) {
    guard.unary(
        "ListEntries",
        observer,
        () -> {
          ListEntriesRequest.Filter filter = request.hasFilter() ? request.getFilter() : null;
          if (filter != null) {
            validate(filter);
          }
          EntryDatabase.Page page =
              db.list(
                  filter,
                  request.getPageSize(),
                  request.getPageSize() > 0 ? request.getPageToken() : "");
          EntryMask mask = request.hasOutputMask() ? request.getOutputMask() : null;
          ListEntriesResponse.Builder b =
              ListEntriesResponse.newBuilder().setNextPageToken(page.nextPageToken());
          for (Entry e : page.entries()) {
            b.addEntries(EntryDatabase.applyOutputMask(e, mask));
          }
          guard.counters().entries("ListEntries", page.entries().size());
          guard.datastoreWork(page.entries().size());
          return b.build();
        });
  }

  @Override
  public void getEntry(GetEntryRequest request, StreamObserver<Entry> observer) {
    guard.unary(
        "GetEntry",
        observer,
        () -> {
          if (request.getId().isEmpty()) {
            throw RpcGuard.invalidArgument("missing ID");
          }
          Entry e =
              db.get(request.getId())
                  .orElseThrow(
                      () ->
                          Status.NOT_FOUND.withDescription("entry not found").asRuntimeException());
          guard.counters().entries("GetEntry", 1);
          return EntryDatabase.applyOutputMask(
              e, request.hasOutputMask() ? request.getOutputMask() : null);
        });
  }

  @Override
  public void batchCreateEntry(
      BatchCreateEntryRequest request, StreamObserver<BatchCreateEntryResponse> observer) {
    guard.unary(
        "BatchCreateEntry",
        observer,
        () -> {
          guard.counters().entries("BatchCreateEntry", request.getEntriesCount());
          guard.datastoreWork(request.getEntriesCount());
          EntryMask mask = request.hasOutputMask() ? request.getOutputMask() : null;
          BatchCreateEntryResponse.Builder b = BatchCreateEntryResponse.newBuilder();
          for (Entry e : request.getEntriesList()) {
            EntryDatabase.Result r = db.create(e, injected());
            BatchCreateEntryResponse.Result.Builder rb =
                BatchCreateEntryResponse.Result.newBuilder().setStatus(r.status());
            if (r.entry() != null) {
              rb.setEntry(EntryDatabase.applyOutputMask(r.entry(), mask));
            }
            b.addResults(rb);
          }
          return b.build();
        });
  }

  @Override
  public void batchUpdateEntry(
      BatchUpdateEntryRequest request, StreamObserver<BatchUpdateEntryResponse> observer) {
    guard.unary(
        "BatchUpdateEntry",
        observer,
        () -> {
          guard.counters().entries("BatchUpdateEntry", request.getEntriesCount());
          guard.datastoreWork(request.getEntriesCount());
          EntryMask inputMask = request.hasInputMask() ? request.getInputMask() : null;
          EntryMask outputMask = request.hasOutputMask() ? request.getOutputMask() : null;
          BatchUpdateEntryResponse.Builder b = BatchUpdateEntryResponse.newBuilder();
          for (Entry e : request.getEntriesList()) {
            EntryDatabase.Result r = db.update(e, inputMask, injected());
            BatchUpdateEntryResponse.Result.Builder rb =
                BatchUpdateEntryResponse.Result.newBuilder().setStatus(r.status());
            if (r.ok()) {
              rb.setEntry(EntryDatabase.applyOutputMask(r.entry(), outputMask));
            }
            b.addResults(rb);
          }
          return b.build();
        });
  }

  @Override
  public void batchDeleteEntry(
      BatchDeleteEntryRequest request, StreamObserver<BatchDeleteEntryResponse> observer) {
    guard.unary(
        "BatchDeleteEntry",
        observer,
        () -> {
          guard.counters().entries("BatchDeleteEntry", request.getIdsCount());
          guard.datastoreWork(request.getIdsCount());
          BatchDeleteEntryResponse.Builder b = BatchDeleteEntryResponse.newBuilder();
          for (String id : request.getIdsList()) {
            b.addResults(
                BatchDeleteEntryResponse.Result.newBuilder()
                    .setId(id)
                    .setStatus(db.delete(id, injected())));
          }
          return b.build();
        });
  }

  @Override
  public void getAuthorizedEntries(
      GetAuthorizedEntriesRequest request, StreamObserver<GetAuthorizedEntriesResponse> observer) {
    guard.unary(
        "GetAuthorizedEntries",
        observer,
        () -> {
          throw agentOnly("GetAuthorizedEntries");
        });
  }

  @Override
  public StreamObserver<SyncAuthorizedEntriesRequest> syncAuthorizedEntries(
      StreamObserver<SyncAuthorizedEntriesResponse> observer) {
    guard.counters().rpc("SyncAuthorizedEntries");
    observer.onError(agentOnly("SyncAuthorizedEntries"));
    return new StreamObserver<>() {
      @Override
      public void onNext(SyncAuthorizedEntriesRequest value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static io.grpc.StatusRuntimeException agentOnly(String method) {
    return Status.PERMISSION_DENIED
        .withDescription(
            "authorization denied for method /spire.api.server.entry.v1.Entry/"
                + method
                + ": only agents may call it")
        .asRuntimeException();
  }

  /** SPIRE's ListEntries/CountEntries filter checks (whole-RPC INVALID_ARGUMENT). */
  private void validate(ListEntriesRequest.Filter f) {
    SpireRules rules = db.rules();
    if (f.hasBySpiffeId()) {
      rules
          .workloadIdProblem(f.getBySpiffeId())
          .ifPresent(
              p -> {
                throw RpcGuard.invalidArgument("malformed SPIFFE ID filter: " + p);
              });
    }
    if (f.hasByParentId()) {
      rules
          .memberIdProblem(f.getByParentId())
          .ifPresent(
              p -> {
                throw RpcGuard.invalidArgument("malformed parent ID filter: " + p);
              });
    }
    if (f.hasBySelectors()) {
      for (Selector s : f.getBySelectors().getSelectorsList()) {
        SpireRules.selectorProblem(s)
            .ifPresent(
                p -> {
                  throw RpcGuard.invalidArgument("malformed selectors filter: " + p);
                });
      }
      if (f.getBySelectors().getSelectorsCount() == 0) {
        throw RpcGuard.invalidArgument("malformed selectors filter: empty selector set");
      }
    }
    if (f.hasByFederatesWith()) {
      for (String td : f.getByFederatesWith().getTrustDomainsList()) {
        try {
          TrustDomain.parse(td);
        } catch (IllegalArgumentException e) {
          throw RpcGuard.invalidArgument("malformed federates with filter: " + e.getMessage());
        }
      }
      if (f.getByFederatesWith().getTrustDomainsCount() == 0) {
        throw RpcGuard.invalidArgument("malformed federates with filter: empty trust domain set");
      }
    }
  }

  /** Per-item failures injected through {@link Faults#failItems}. */
  private Function<Entry, Optional<org.spireregistrar.spire.proto.types.Status>> injected() {
    Faults faults = guard.faults();
    if (!faults.hasItemFailures()) {
      return e -> Optional.empty();
    }
    return e -> {
      EntrySpec spec;
      try {
        spec = ProtoMapping.fromProto(e.toBuilder().setId("probe").build()).spec();
      } catch (IllegalArgumentException ex) {
        return Optional.empty();
      }
      return faults
          .itemFailure(spec)
          .map(f -> EntryDatabase.status(ProtoMapping.toGrpcCode(f.code()), f.message()));
    };
  }
}
