/**
 * Go {@code text/template} for the CRD-mode identity and DNS-name templates: a JDK-only engine
 * ({@link org.spireregistrar.core.template.GoTemplate}) supporting what upstream users could write
 * (fields, variables, {@code if}/{@code with}/{@code range} with {@code else}, {@code break}/{@code
 * continue}, and every predefined function but {@code call}; not {@code define}/{@code
 * template}/{@code block}), the data it renders ({@link
 * org.spireregistrar.core.template.TemplateData}) and start-up validation ({@link
 * org.spireregistrar.core.template.CrdTemplates}).
 */
package org.spireregistrar.core.template;
