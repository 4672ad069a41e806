package org.spireregistrar.kubernetes;

/** The Kubernetes client cannot be set up; the message says what was tried. */
public class KubernetesSetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KubernetesSetupException(String message) {
    super(message);
  }
}
