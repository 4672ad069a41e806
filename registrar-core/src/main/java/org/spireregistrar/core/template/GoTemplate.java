package org.spireregistrar.core.template;

import java.util.Map;

/**
 * A compiled Go {@code text/template} (the subset the original registrar's users write). STUB: to
 * be implemented.
 */
public final class GoTemplate {
  private final String name;

  private GoTemplate(String name) {
    this.name = name;
  }

  /**
   * Parses {@code text}; {@code name} names the template in error messages.
   *
   * @throws TemplateException when the text is not a valid template of the supported subset
   */
  public static GoTemplate parse(String name, String text) {
    throw new TemplateException("not implemented: " + name);
  }

  /**
   * Renders with {@code data} (nested maps of strings).
   *
   * @throws TemplateException on an unknown field, a missing map key or a failing function
   */
  public String execute(Map<String, ?> data) {
    throw new TemplateException("not implemented: " + name);
  }

  public String name() {
    return name;
  }
}
