package org.spireregistrar.kubernetes;

/** A manifest file that cannot be read at all; the message names the file and document. */
public class ManifestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ManifestException(String message) {
    super(message);
  }
}
