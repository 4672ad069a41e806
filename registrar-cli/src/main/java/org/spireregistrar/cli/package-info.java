/** registrar-cli: see the root README's module map. */
package org.spireregistrar.cli;
