package org.spireregistrar.core;

/** A whole-call failure of an {@link EntryStore}; the only exception adapters let out. */
public class EntryStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  public EntryStoreException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public EntryStoreException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  /** Whether the same call may succeed if tried again later (server unavailable, timeout). */
  public boolean retryable() {
    return retryable;
  }
}
