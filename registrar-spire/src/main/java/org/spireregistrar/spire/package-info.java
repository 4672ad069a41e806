/** registrar-spire: see the root README's module map. */
package org.spireregistrar.spire;
