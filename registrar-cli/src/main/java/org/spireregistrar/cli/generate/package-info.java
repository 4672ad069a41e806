/**
 * The {@code generate-config} command: parses its flags, calls {@code
 * org.spireregistrar.webhook.setup} and writes or prints the result.
 */
package org.spireregistrar.cli.generate;
