package org.spireregistrar.cli.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.spireregistrar.cli.plan.ServerDiff.FieldChange;
import org.spireregistrar.cli.plan.ServerDiff.Reason;
import org.spireregistrar.cli.plan.ServerDiff.Untouched;
import org.spireregistrar.cli.plan.ServerDiff.Update;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.TrustDomain;

/**
 * {@code plan --server} output: JSON for machines ({@code -o json}) and a change list for people
 * ({@code -o table}). Creates are printed in the format {@code plan} prints entries in; updates
 * name every changed field with its value before and after; untouched entries are counted by
 * reason, and listed with {@code --show-untouched}.
 */
public final class ServerDiffOutput {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ServerDiffOutput() {}

  /**
   * {@code {"server", "mode", "summary", "creates", "updates", "deletes", "untouched"}}.
   *
   * @param listUntouched whether {@code untouched.entries} lists each entry (else only counts)
   */
  public static String json(String server, String mode, ServerDiff diff, boolean listUntouched) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("server", server);
    root.put("mode", mode);
    ObjectNode summary = root.putObject("summary");
    summary.put("create", diff.creates().size());
    summary.put("update", diff.updates().size());
    summary.put("delete", diff.deletes().size());
    summary.put("unchanged", diff.unchanged());
    summary.put("untouched", diff.untouched().size());
    ArrayNode creates = root.putArray("creates");
    for (EntrySpec spec : diff.creates()) {
      entry(creates.addObject(), spec);
    }
    ArrayNode updates = root.putArray("updates");
    for (Update u : diff.updates()) {
      ObjectNode o = updates.addObject();
      o.put("id", u.current().id().value());
      o.put("spiffe_id", u.current().spiffeId().toString());
      ObjectNode changes = o.putObject("changes");
      for (FieldChange c : u.changes()) {
        ObjectNode change = changes.putObject(c.field());
        value(change, "old", c);
        value(change, "new", c);
      }
      entry(o.putObject("entry"), u.desired());
    }
    ArrayNode deletes = root.putArray("deletes");
    for (Entry e : diff.deletes()) {
      ObjectNode o = deletes.addObject();
      o.put("id", e.id().value());
      entry(o, e.spec());
    }
    ObjectNode untouched = root.putObject("untouched");
    ObjectNode counts = untouched.putObject("by_reason");
    countByReason(diff.untouched()).forEach((r, n) -> counts.put(r.code(), n));
    if (listUntouched) {
      ArrayNode list = untouched.putArray("entries");
      for (Untouched u : diff.untouched()) {
        ObjectNode o = list.addObject();
        o.put("id", u.entry().id().value());
        o.put("spiffe_id", u.entry().spiffeId().toString());
        o.put("parent_id", u.entry().parentId().toString());
        o.put("reason", u.reason().code());
        o.put("detail", u.detail());
      }
    }
    return EntryJson.pretty(root);
  }

  private static void value(ObjectNode change, String key, FieldChange c) {
    List<String> values = key.equals("old") ? c.before() : c.after();
    if (c.field().equals("downstream")) {
      change.put(key, Boolean.parseBoolean(values.get(0)));
    } else if (c.scalar()) {
      change.put(key, values.get(0));
    } else {
      ArrayNode a = change.putArray(key);
      values.forEach(a::add);
    }
  }

  private static void entry(ObjectNode o, EntrySpec e) {
    EntryJson.putSpec(o, e);
    o.put("downstream", e.downstream());
  }

  /**
   * The change list:
   *
   * <pre>
   * SPIRE server unix:///run/spire/api.sock, reconcile mode: 1 to create, 1 to update, 1 to delete, 4 unchanged, 2 untouched
   *
   * + create spiffe://example.org/ns/shop/sa/web
   *     parent_id       spiffe://example.org/spire-k8s-registrar/prod/node/node-a
   *     selectors       k8s:ns:shop, k8s:pod-name:web-0
   * ~ update 0f3a… spiffe://example.org/ns/shop/sa/api
   *     dns_names       [api-0] -&gt; [api-0, api.shop.svc]
   * - delete 7c1e… spiffe://example.org/ns/shop/sa/old
   *     …
   * </pre>
   *
   * @param listUntouched whether each untouched entry gets a line (else one line per reason)
   */
  public static String text(String server, String mode, ServerDiff diff, boolean listUntouched) {
    StringBuilder out = new StringBuilder();
    out.append("SPIRE server ")
        .append(server)
        .append(", ")
        .append(mode)
        .append(" mode: ")
        .append(diff.creates().size())
        .append(" to create, ")
        .append(diff.updates().size())
        .append(" to update, ")
        .append(diff.deletes().size())
        .append(" to delete, ")
        .append(diff.unchanged())
        .append(" unchanged, ")
        .append(diff.untouched().size())
        .append(" untouched\n");
    if (!diff.hasChanges()) {
      out.append("\nNo changes.\n");
    } else {
      out.append('\n');
    }
    for (EntrySpec spec : diff.creates()) {
      out.append("+ create ").append(spec.spiffeId()).append('\n');
      fields(out, spec);
    }
    for (Update u : diff.updates()) {
      out.append("~ update ")
          .append(u.current().id())
          .append(' ')
          .append(u.current().spiffeId())
          .append('\n');
      for (FieldChange c : u.changes()) {
        field(out, c.field(), show(c, c.before()) + " -> " + show(c, c.after()));
      }
    }
    for (Entry e : diff.deletes()) {
      out.append("- delete ").append(e.id()).append(' ').append(e.spiffeId()).append('\n');
      fields(out, e.spec());
    }
    if (!diff.untouched().isEmpty()) {
      out.append("\nUntouched (never updated or deleted by this mode):\n");
      if (listUntouched) {
        for (Untouched u : diff.untouched()) {
          out.append("  ")
              .append(u.entry().id())
              .append(' ')
              .append(u.entry().spiffeId())
              .append(": ")
              .append(u.reason().code())
              .append(": ")
              .append(u.detail())
              .append('\n');
        }
      } else {
        countByReason(diff.untouched())
            .forEach(
                (r, n) -> out.append(String.format("  %6d  %s (%s)\n", n, r.text(), r.code())));
        out.append("  (--show-untouched lists them)\n");
      }
    }
    return out.toString();
  }

  private static void fields(StringBuilder out, EntrySpec e) {
    field(out, "parent_id", e.parentId().toString());
    field(out, "selectors", String.join(", ", e.selectorStrings()));
    if (!e.dnsNames().isEmpty()) {
      field(out, "dns_names", String.join(", ", e.dnsNames()));
    }
    if (!e.federatesWith().isEmpty()) {
      field(
          out,
          "federates_with",
          String.join(", ", e.federatesWith().stream().map(TrustDomain::name).toList()));
    }
    if (e.downstream()) {
      field(out, "downstream", "true");
    }
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(String.format("    %-15s %s\n", name, value));
  }

  private static String show(FieldChange c, List<String> values) {
    return c.scalar() ? values.get(0) : "[" + String.join(", ", values) + "]";
  }

  private static Map<Reason, Integer> countByReason(List<Untouched> untouched) {
    Map<Reason, Integer> counts = new EnumMap<>(Reason.class);
    for (Untouched u : untouched) {
      counts.merge(u.reason(), 1, Integer::sum);
    }
    return counts;
  }
}
