/**
 * The configuration model ({@link org.spireregistrar.core.config.RegistrarConfig} and its sections)
 * and {@link org.spireregistrar.core.config.ConfigParser}, which validates a decoded {@link
 * org.spireregistrar.core.config.ConfigDocument} with the original registrar's keys, defaults and
 * error texts. Syntax-free: the HCL front end is registrar-config.
 */
package org.spireregistrar.core.config;
