package org.spireregistrar.webhook.server;

/**
 * The admission server could not start: its key pair or CA file cannot be used, or its address
 * cannot be bound. The message keeps upstream's text ({@code unable to load server keypair: …},
 * {@code unable to read cacert file: …}, {@code unable to parse cacert file: …}, {@code unable to
 * listen: …}). Crd mode also throws it when the server's certificate cannot be set up.
 */
public class ServerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ServerStartException(String message) {
    super(message);
  }

  public ServerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
