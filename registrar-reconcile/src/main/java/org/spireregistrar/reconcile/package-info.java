/** registrar-reconcile: see the root README's module map. */
package org.spireregistrar.reconcile;
