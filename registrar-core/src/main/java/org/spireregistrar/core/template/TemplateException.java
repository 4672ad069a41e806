package org.spireregistrar.core.template;

/** A template that cannot be parsed or executed; the message names the template and construct. */
public class TemplateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, which starts {@code template: NAME:LINE…}. */
  public TemplateException(String message) {
    super(message);
  }
}
