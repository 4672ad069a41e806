/**
 * DNS names for registration entries: SPIRE's validation rules, reconcile mode's CoreDNS-style pod
 * names and CRD mode's template and service names. Pure functions; generated names SPIRE would
 * refuse are dropped and reported as warnings.
 */
package org.spireregistrar.core.dns;
