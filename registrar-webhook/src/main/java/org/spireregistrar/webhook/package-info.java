/** registrar-webhook: see the root README's module map. */
package org.spireregistrar.webhook;
