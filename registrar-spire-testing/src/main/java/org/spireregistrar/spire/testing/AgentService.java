package org.spireregistrar.spire.testing;

import io.grpc.stub.StreamObserver;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.spireregistrar.spire.proto.agent.v1.AgentGrpc;
import org.spireregistrar.spire.proto.agent.v1.ListAgentsRequest;
import org.spireregistrar.spire.proto.agent.v1.ListAgentsResponse;
import org.spireregistrar.spire.proto.types.Agent;
import org.spireregistrar.spire.proto.types.Selector;

/** {@code spire.api.server.agent.v1.Agent/ListAgents} over the agents added to the server. */
final class AgentService extends AgentGrpc.AgentImplBase {

  private final Map<String, Agent> agents;
  private final RpcGuard guard;

  /** {@code agents}: a sorted, thread-safe map by agent SPIFFE ID string. */
  AgentService(Map<String, Agent> agents, RpcGuard guard) {
    this.agents = agents;
    this.guard = guard;
  }

  @Override
  public void listAgents(ListAgentsRequest request, StreamObserver<ListAgentsResponse> observer) {
    guard.unary(
        "ListAgents",
        observer,
        () -> {
          ListAgentsRequest.Filter f = request.getFilter();
          if (f.hasBySelectorMatch() && f.getBySelectorMatch().getSelectorsCount() == 0) {
            throw RpcGuard.invalidArgument("failed to parse selectors: empty selector set");
          }
          ListAgentsResponse.Builder b = ListAgentsResponse.newBuilder();
          int pageSize = request.getPageSize();
          String token = pageSize > 0 ? request.getPageToken() : "";
          int count = 0;
          for (Map.Entry<String, Agent> e : List.copyOf(agents.entrySet())) {
            if (!token.isEmpty() && e.getKey().compareTo(token) <= 0) {
              continue;
            }
            if (!matches(e.getValue(), f)) {
              continue;
            }
            b.addAgents(e.getValue());
            count++;
            if (pageSize > 0 && count == pageSize) {
              b.setNextPageToken(e.getKey());
              break;
            }
          }
          return b.build();
        });
  }

  private static boolean matches(Agent a, ListAgentsRequest.Filter f) {
    if (!f.getByAttestationType().isEmpty()
        && !f.getByAttestationType().equals(a.getAttestationType())) {
      return false;
    }
    if (f.hasByBanned() && f.getByBanned().getValue() != a.getBanned()) {
      return false;
    }
    if (f.hasByCanReattest() && f.getByCanReattest().getValue() != a.getCanReattest()) {
      return false;
    }
    if (f.hasBySelectorMatch()) {
      Set<String> want = new HashSet<>();
      for (Selector s : f.getBySelectorMatch().getSelectorsList()) {
        want.add(EntryDatabase.selectorString(s));
      }
      Set<String> have = new HashSet<>();
      for (Selector s : a.getSelectorsList()) {
        have.add(EntryDatabase.selectorString(s));
      }
      boolean ok =
          switch (f.getBySelectorMatch().getMatch()) {
            case MATCH_EXACT -> have.equals(want);
            case MATCH_SUBSET -> !have.isEmpty() && want.containsAll(have);
            case MATCH_SUPERSET -> have.containsAll(want);
            default -> have.stream().anyMatch(want::contains);
          };
      return ok;
    }
    return true;
  }
}
