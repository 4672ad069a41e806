/**
 * Reading the HCL configuration file: a strict HCL v1 (and JSON) linter, hcl4j as the decoder, and
 * the core's {@link org.spireregistrar.core.config.ConfigParser} for validation. Entry point:
 * {@link HclConfigLoader}.
 */
package org.spireregistrar.config;
