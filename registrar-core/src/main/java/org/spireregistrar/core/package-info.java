/**
 * The registrar's pure core: SPIFFE value types, registration entries, and the {@link
 * org.spireregistrar.core.EntryStore} port. JDK only.
 */
package org.spireregistrar.core;
