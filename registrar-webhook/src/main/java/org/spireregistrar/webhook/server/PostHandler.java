package org.spireregistrar.webhook.server;

/**
 * Answers the POST requests of one path of an {@link AdmissionServer}. Called on a server worker
 * thread once the whole body has arrived; may block (e.g. on SPIRE). Must not throw: any exception
 * is answered 500 {@code Internal error occurred: …} and logged.
 */
@FunctionalInterface
public interface PostHandler {

  /**
   * @param body the request body, at most {@link ServerOptions#maxBodyBytes()} bytes
   * @return the reply to send
   */
  HttpReply handle(byte[] body);
}
