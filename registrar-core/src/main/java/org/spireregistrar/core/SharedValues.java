package org.spireregistrar.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One shared instance of values that many long-lived objects repeat (a namespace's name, a node's
 * ID, a selector): each decoded object brings its own copies, and a registrar keeps a view of every
 * pod and entry for as long as it runs.
 *
 * <p>Bounded: once it holds {@code limit} values it takes no more (later ones are returned as they
 * are, simply not shared), so distinct values never grow it past a fixed size. Thread-safe.
 *
 * @param <T> an immutable value type with {@code equals} and {@code hashCode}
 */
public final class SharedValues<T> {
  private final Map<T, T> table = new ConcurrentHashMap<>();
  private final int limit;

  /**
   * @param limit most values kept
   */
  public SharedValues(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    this.limit = limit;
  }

  /** {@code value}, or an equal value seen before. */
  public T share(T value) {
    T seen = table.get(value);
    if (seen != null) {
      return seen;
    }
    if (table.size() < limit) {
      seen = table.putIfAbsent(value, value);
      if (seen != null) {
        return seen;
      }
    }
    return value;
  }

  /** How many values are kept. */
  public int size() {
    return table.size();
  }

  /**
   * The same, for values made from a key ({@code a node's name -> its ID}): each key's value is
   * made once and shared while the table has room.
   *
   * @param <K> the key
   * @param <V> the value made from it
   */
  public static final class ByKey<K, V> {
    private final Map<K, V> table = new ConcurrentHashMap<>();
    private final int limit;

    /**
     * @param limit most keys kept
     */
    public ByKey(int limit) {
      if (limit < 0) {
        throw new IllegalArgumentException("limit must not be negative: " + limit);
      }
      this.limit = limit;
    }

    /**
     * The value of {@code key}: the one made before, or {@code make}'s (kept while there is room).
     */
    public V get(K key, Function<? super K, ? extends V> make) {
      V value = table.get(key);
      if (value == null) {
        value = make.apply(key);
        if (table.size() < limit) {
          table.putIfAbsent(key, value);
        }
      }
      return value;
    }

    /** How many keys are kept. */
    public int size() {
      return table.size();
    }
  }
}
