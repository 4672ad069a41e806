/**
 * Go {@code text/template} for the CRD-mode identity and DNS-name templates: a JDK-only engine
 * ({@link org.spireregistrar.core.template.GoTemplate}), the data it renders ({@link
 * org.spireregistrar.core.template.TemplateData}) and start-up validation ({@link
 * org.spireregistrar.core.template.CrdTemplates}).
 */
package org.spireregistrar.core.template;
