package org.spireregistrar.core.entry;

import org.spireregistrar.core.RejectedObjectException;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.TrustDomain;
import org.spireregistrar.core.config.ConfigException;

/** ID building shared by the per-mode builders. */
final class Ids {
  private Ids() {}

  /** {@code spiffe://<td>/spire/server}, the parent of node entries. */
  static SpiffeId serverId(TrustDomain td) {
    return SpiffeId.of(td, "spire", "server");
  }

  /**
   * Checks a configured value used as one ID segment.
   *
   * @throws ConfigException {@code <key> "<value>" cannot be used in a SPIFFE ID: <reason>}
   */
  static String configSegment(String key, String value) {
    String problem = SpiffeId.segmentProblem(value);
    if (problem != null) {
      throw new ConfigException(
          key + " \"" + value + "\" cannot be used in a SPIFFE ID: " + problem);
    }
    return value;
  }

  /**
   * {@code parent} with the node name appended.
   *
   * @throws RejectedObjectException {@code <kind> <ns>/<name>: node name "<node>": <reason>}
   */
  static SpiffeId nodeChild(
      SpiffeId parent, String nodeName, String kind, String namespace, String name) {
    String problem = SpiffeId.segmentProblem(nodeName);
    if (problem != null) {
      throw new RejectedObjectException(
          kind, namespace, name, "node name \"" + nodeName + "\": " + problem);
    }
    return parent.append(nodeName);
  }
}
