/**
 * The HCL configuration reader: {@link HclLexer} and {@link HclChecker} check the syntax hcl4j does
 * not, {@link Hcl4jDecoder} takes every value from hcl4j, the core's ConfigParser validates. Entry
 * point: {@link HclConfigLoader}.
 */
package org.spireregistrar.config;
