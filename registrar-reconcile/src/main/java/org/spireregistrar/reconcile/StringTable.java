package org.spireregistrar.reconcile;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared copy of the strings many pods repeat (namespace, node, service account, label and
 * annotation values): the cluster cache holds a view of every pod for as long as the registrar
 * runs, and each object the informers decode brings its own copies.
 *
 * <p>Bounded: once it holds {@value #LIMIT} strings it takes no more (later ones are kept as they
 * are), so distinct values never grow it past a fixed size. Thread-safe.
 */
final class StringTable {
  static final int LIMIT = 1 << 16;

  private final Map<String, String> strings = new ConcurrentHashMap<>();

  /** {@code s}, or an equal string seen before. */
  String share(String s) {
    if (s.isEmpty()) {
      return "";
    }
    String seen = strings.get(s);
    if (seen != null) {
      return seen;
    }
    if (strings.size() < LIMIT) {
      seen = strings.putIfAbsent(s, s);
      if (seen != null) {
        return seen;
      }
    }
    return s;
  }
}
