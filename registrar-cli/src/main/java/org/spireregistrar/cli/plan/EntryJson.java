package org.spireregistrar.cli.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.TrustDomain;

/** Entries in the JSON file format {@code spire-server entry create -data} reads. */
public final class EntryJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EntryJson() {}

  /** {@code {"entries":[…]}}, pretty-printed with two-space indentation and a final newline. */
  public static String render(List<EntrySpec> entries) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode array = root.putArray("entries");
    for (EntrySpec e : entries) {
      ObjectNode o = array.addObject();
      putSpec(o, e);
      o.put("admin", false);
      o.put("downstream", e.downstream());
      o.put("x509_svid_ttl", 0);
    }
    return pretty(root);
  }

  /** The fields of {@code e} every JSON rendering of an entry starts with, in this order. */
  static void putSpec(ObjectNode o, EntrySpec e) {
    o.put("spiffe_id", e.spiffeId().toString());
    o.put("parent_id", e.parentId().toString());
    ArrayNode sels = o.putArray("selectors");
    for (Selector s : e.selectors()) {
      sels.addObject().put("type", s.type()).put("value", s.value());
    }
    ArrayNode dns = o.putArray("dns_names");
    e.dnsNames().forEach(dns::add);
    ArrayNode fed = o.putArray("federates_with");
    for (TrustDomain td : e.federatesWith()) {
      fed.add(td.name());
    }
  }

  /** Pretty JSON for any tree, two-space indentation, arrays one item per line, final newline. */
  public static String pretty(Object tree) {
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter().withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
    printer = printer.withObjectIndenter(new DefaultIndenter("  ", "\n"));
    printer = printer.withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return MAPPER.writer(printer).writeValueAsString(tree) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
