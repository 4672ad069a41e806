package org.spireregistrar.crd.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryFilter;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.EntryStore;
import org.spireregistrar.core.EntryStoreException;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.dns.DnsNameValidator;
import org.spireregistrar.core.entry.CrdEntries;
import org.spireregistrar.core.model.SpiffeIdResource;
import org.spireregistrar.crd.SpiffeIdCrd;
import org.spireregistrar.kubernetes.JsonTrees;
import org.spireregistrar.kubernetes.ObjectViews;
import org.spireregistrar.webhook.review.AdmissionController;
import org.spireregistrar.webhook.review.AdmissionRequest;
import org.spireregistrar.webhook.review.AdmissionResponse;
import org.spireregistrar.webhook.review.GroupVersionKind;

/**
 * The SpiffeID validating webhook's decisions (upstream §6.7). It only reads SPIRE (one {@code
 * ListEntries} per CREATE) and never writes anything.
 *
 * <p>A denial is {@code allowed: false} with {@code status.code} 403 and the text as {@code
 * status.reason} (as upstream) and {@code status.message}. An object that cannot be read as a
 * SpiffeID (not a {@code spiffeid.spiffe.io/v1beta1} SpiffeID, no object, a field of the wrong JSON
 * type) is denied with code 400 and a message naming the object and the field, e.g. {@code SpiffeID
 * default/web: spec.dnsNames must be a list of strings, got string}. Unknown fields are ignored
 * (the API server prunes them before admission anyway).
 *
 * <p><b>CREATE and UPDATE</b>, first failure wins:
 *
 * <ol>
 *   <li>{@code spec.parentId} must be in the trust domain: {@code spec.parentId must begin with
 *       spiffe://<td>}. Unlike upstream's plain string prefix, the whole trust domain segment is
 *       compared, so {@code spiffe://example.org.evil/x} is denied; an ID in the trust domain that
 *       is not a valid SPIFFE ID is denied with the SpiffeID controller's text, {@code malformed
 *       CRD parent ID: <reason>}, instead of failing later in the controller;
 *   <li>the same for {@code spec.spiffeId} ({@code spec.spiffeId must begin with spiffe://<td>},
 *       {@code malformed CRD SPIFFE ID: <reason>}); beyond upstream, either ID longer than {@value
 *       #MAX_ID_BYTES} bytes (the SPIFFE specification's bound) is denied;
 *   <li>with {@code spec.selector.cluster} or {@code agent_node_uid} set, the SpiffeID must be in
 *       the registrar's namespace ({@code spec.Selector.Cluster and spec.Selector.AgentNodeUid can
 *       only be used by the k8s-workload-registrar}); otherwise {@code spec.selector.namespace}
 *       must equal the SpiffeID's namespace ({@code spec.Selector.Namespace must match namespace of
 *       resource});
 *   <li>beyond upstream, at most {@value #MAX_DNS_NAMES} DNS names; each must pass SPIRE's check
 *       ({@code invalid DNS name "<name>": <reason>}, the name quoted as Go's {@code %q} and cut
 *       when long);
 *   <li>beyond upstream, the entry must be one the SpiffeID controller can write (what the
 *       controller would otherwise fail on forever): federated trust domains valid ({@code invalid
 *       federated trust domain "<td>": <reason>}), no empty selector.
 * </ol>
 *
 * <p><b>CREATE</b> then looks for a duplicate: the entries with exactly the SpiffeID's selectors
 * ({@code ListEntries}, MATCH_EXACT); one with the same SPIFFE ID that is not this SpiffeID's own
 * ({@code status.entryId} unset or different) denies with {@code Duplicate detected}. The parent ID
 * is not compared (upstream). A failed ListEntries denies with the failure's text (upstream).
 *
 * <p><b>UPDATE</b>: base validation only — and, beyond upstream, an update that leaves {@code spec}
 * unchanged is always allowed, so the finalizer of a SpiffeID written before this webhook (or
 * before a configuration change) can still be removed and its namespace can finish deleting.
 * <b>DELETE</b> (and any other operation) is always allowed.
 *
 * <p>Every denial is logged at WARN with the operation, object, request UID and reason, each quoted
 * as Go's {@code %q} (control characters escaped) and cut when long; bodies are never logged.
 * Thread-safe.
 */
public final class SpiffeIdAdmission implements AdmissionController {
  private static final Logger LOG = LoggerFactory.getLogger(SpiffeIdAdmission.class);

  /** The kind this webhook validates. */
  public static final GroupVersionKind SPIFFE_ID =
      new GroupVersionKind(SpiffeIdCrd.GROUP, SpiffeIdCrd.VERSION, SpiffeIdCrd.KIND);

  /** Upstream's text for a SpiffeID whose SPIFFE ID and selectors another entry already has. */
  public static final String DUPLICATE_DETECTED = "Duplicate detected";

  /** The most DNS names a SpiffeID may carry (beyond upstream, which had no bound). */
  public static final int MAX_DNS_NAMES = 1000;

  /** The longest SPIFFE ID accepted, in UTF-8 bytes (the SPIFFE ID specification's bound). */
  public static final int MAX_ID_BYTES = 2048;

  /** Messages quote values from the request; a hostile one must not make a huge answer. */
  static final int MAX_MESSAGE = 1024;

  /** The longest value quoted whole in a message or log line. */
  static final int MAX_QUOTED = 256;

  private final TrustDomain trustDomain;
  private final String registrarNamespace;
  private final EntryStore store;
  private final String prefix;

  /**
   * @param trustDomain the (normalised) trust domain every SpiffeID's IDs must be in
   * @param registrarNamespace the namespace the registrar runs in ({@code MY_POD_NAMESPACE}): the
   *     only one whose SpiffeIDs may use the {@code k8s_psat} selectors
   * @param store where the duplicate check lists entries; never written to
   */
  public SpiffeIdAdmission(TrustDomain trustDomain, String registrarNamespace, EntryStore store) {
    this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
    this.registrarNamespace = Objects.requireNonNull(registrarNamespace, "registrarNamespace");
    this.store = Objects.requireNonNull(store, "store");
    this.prefix = "spiffe://" + trustDomain.name();
  }

  @Override
  public AdmissionResponse admit(AdmissionRequest request) {
    String operation = request.operation();
    if (!operation.equals("CREATE") && !operation.equals("UPDATE")) {
      LOG.debug(
          "Allowed {} of SpiffeID {}: uid={}",
          quote(operation),
          quote(request.ref()),
          quote(request.uid()));
      return AdmissionResponse.allow();
    }
    SpiffeIdResource resource;
    try {
      resource = read(request);
    } catch (Denial d) {
      return deny(request, 400, d.getMessage());
    }
    if (operation.equals("UPDATE") && specUnchanged(request)) {
      LOG.debug(
          "Allowed UPDATE of SpiffeID {} without validation: spec unchanged; uid={}",
          quote(request.ref()),
          quote(request.uid()));
      return AdmissionResponse.allow();
    }
    try {
      EntrySpec entry = validate(resource);
      if (operation.equals("CREATE")) {
        checkDuplicate(resource, entry);
      }
    } catch (Denial d) {
      return deny(request, 403, d.getMessage());
    }
    LOG.debug(
        "Allowed {} of SpiffeID {}: uid={}", operation, quote(request.ref()), quote(request.uid()));
    return AdmissionResponse.allow();
  }

  /** The SpiffeID in {@code request.object}, read strictly by the one object mapping. */
  private static SpiffeIdResource read(AdmissionRequest request) {
    if (!SPIFFE_ID.equals(request.kind())) {
      throw new Denial(
          "expected a "
              + SpiffeIdCrd.API_VERSION
              + " SpiffeID, got "
              + bounded(request.kind().toString()));
    }
    String ref = "SpiffeID " + (request.ref().isEmpty() ? "<unnamed>" : request.ref()) + ": ";
    JsonNode object = request.object().orElse(null);
    if (object == null) {
      throw new Denial(bounded(ref + "the request has no object"));
    }
    if (!object.isObject()) {
      throw new Denial(bounded(ref + "the object must be a JSON object, got " + typeOf(object)));
    }
    try {
      return new ObjectViews(ObjectViews.Strictness.STRICT, request.namespace())
          .spiffeId(JsonTrees.toGson(object).getAsJsonObject());
    } catch (RejectedObjectException e) {
      throw new Denial(bounded(e.getMessage()));
    }
  }

  private static boolean specUnchanged(AdmissionRequest request) {
    JsonNode spec = request.object().map(o -> o.get("spec")).orElse(null);
    JsonNode old = request.oldObject().map(o -> o.get("spec")).orElse(null);
    return spec != null && old != null && spec.equals(old);
  }

  /**
   * Base validation (upstream's rules, then ours).
   *
   * @return the entry the SpiffeID describes
   * @throws Denial the first problem
   */
  private EntrySpec validate(SpiffeIdResource resource) {
    SpiffeIdResource.Spec spec = resource.spec();
    checkId(spec.parentId(), "spec.parentId", "malformed CRD parent ID: ");
    checkId(spec.spiffeId(), "spec.spiffeId", "malformed CRD SPIFFE ID: ");
    SpiffeIdResource.Selector selector = spec.selector();
    if (!selector.cluster().isEmpty() || !selector.agentNodeUid().isEmpty()) {
      // k8s_psat selectors name nodes: only the registrar's own (node) SpiffeIDs may use them.
      if (!resource.namespace().equals(registrarNamespace)) {
        throw new Denial(
            "spec.Selector.Cluster and spec.Selector.AgentNodeUid can only be used by the"
                + " k8s-workload-registrar");
      }
    } else if (!resource.namespace().equals(selector.namespace())) {
      throw new Denial("spec.Selector.Namespace must match namespace of resource");
    }
    List<String> dnsNames = spec.dnsNames();
    if (dnsNames.size() > MAX_DNS_NAMES) {
      throw new Denial(
          "spec.dnsNames has "
              + dnsNames.size()
              + " names; at most "
              + MAX_DNS_NAMES
              + " are allowed");
    }
    for (String name : dnsNames) {
      Optional<String> problem = DnsNameValidator.problem(name);
      if (problem.isPresent()) {
        throw new Denial("invalid DNS name " + quote(name) + ": " + bounded(problem.get()));
      }
    }
    try {
      // What the SpiffeID controller writes: refusing here what it would fail on forever.
      return CrdEntries.fromSpiffeId(resource);
    } catch (RejectedObjectException e) {
      throw new Denial(bounded(e.reason()));
    }
  }

  /** The trust-domain check, per segment, then the SPIFFE ID rules. */
  private void checkId(String raw, String field, String malformed) {
    boolean inTrustDomain =
        raw.startsWith(prefix)
            && (raw.length() == prefix.length() || raw.charAt(prefix.length()) == '/');
    if (!inTrustDomain) {
      throw new Denial(field + " must begin with " + prefix);
    }
    int bytes = raw.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_ID_BYTES) {
      throw new Denial(
          field + " is " + bytes + " bytes long; SPIFFE IDs are at most " + MAX_ID_BYTES);
    }
    try {
      SpiffeId.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new Denial(malformed + bounded(e.getMessage()));
    }
  }

  private void checkDuplicate(SpiffeIdResource resource, EntrySpec entry) {
    List<Entry> similar;
    try {
      similar = store.list(EntryFilter.bySelectors(entry.selectors(), EntryFilter.Match.EXACT));
    } catch (EntryStoreException e) {
      throw new Denial(bounded(e.getMessage()));
    }
    for (Entry e : similar) {
      if (!e.spec().selectors().equals(entry.selectors())) {
        continue; // a store that matched loosely: only exact matches count
      }
      if (e.spiffeId().equals(entry.spiffeId())
          && (resource.entryId().isEmpty() || !resource.entryId().equals(e.id().value()))) {
        // The denial itself is logged once, by admit().
        LOG.debug(
            "Duplicate detected: SpiffeID {} spiffe_id={} entry_id={} existing_entry={}",
            quote(resource.namespace() + "/" + resource.name()),
            quote(entry.spiffeId().toString()),
            quote(resource.entryId()),
            e.id());
        throw new Denial(DUPLICATE_DETECTED);
      }
    }
  }

  private static AdmissionResponse deny(AdmissionRequest request, int code, String message) {
    LOG.warn(
        "Denied {} of SpiffeID {}: uid={} code={} reason={}",
        quote(request.operation()),
        quote(request.ref()),
        quote(request.uid()),
        code,
        quote(message));
    // As upstream (controller-runtime): a denial's text in status.reason, a decode error's in
    // status.message. A denial carries it as the message too, which clients prefer to show.
    return AdmissionResponse.deny(code, code == 403 ? message : "", message);
  }

  /** Go's {@code %q} of {@code value}, cut to {@value #MAX_QUOTED} characters. */
  static String quote(String value) {
    if (value.length() <= MAX_QUOTED) {
      return GoQuote.quote(value);
    }
    return GoQuote.quote(value.substring(0, 64)) + "… (" + value.length() + " characters)";
  }

  /** {@code text}, cut to {@value #MAX_MESSAGE} characters. */
  static String bounded(String text) {
    return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "…";
  }

  private static String typeOf(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "list";
      case STRING, BINARY -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      default -> "null";
    };
  }

  /** A denial's text, thrown to leave the checks at the first failure. */
  private static final class Denial extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Denial(String message) {
      super(message, null, false, false);
    }
  }
}
