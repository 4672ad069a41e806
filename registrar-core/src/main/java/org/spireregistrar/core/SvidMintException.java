package org.spireregistrar.core;

/** A failed {@link SvidMinter#mint}: no certificate was minted. */
public class SvidMintException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  public SvidMintException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public SvidMintException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  /** Whether the same call may succeed if tried again later (server unavailable, timeout). */
  public boolean retryable() {
    return retryable;
  }
}
