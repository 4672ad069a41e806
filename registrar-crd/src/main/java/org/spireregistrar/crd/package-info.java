/** registrar-crd: see the root README's module map. */
package org.spireregistrar.crd;
