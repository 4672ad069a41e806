package org.spireregistrar.core.config;

/**
 * A configuration that cannot be used. The message is complete and user-facing, e.g. {@code error
 * parsing common config: trust_domain must be specified} or {@code line 3: expected "=" after key
 * "cluster"}.
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
