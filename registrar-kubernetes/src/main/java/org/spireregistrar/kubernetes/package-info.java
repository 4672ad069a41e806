/** registrar-kubernetes: see the root README's module map. */
package org.spireregistrar.kubernetes;
