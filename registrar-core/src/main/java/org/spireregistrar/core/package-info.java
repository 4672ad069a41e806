/**
 * The registrar's pure core: SPIFFE value types, registration entries, and the ports to SPIRE:
 * {@link org.spireregistrar.core.EntryStore} and {@link org.spireregistrar.core.SvidMinter}. JDK
 * only.
 */
package org.spireregistrar.core;
