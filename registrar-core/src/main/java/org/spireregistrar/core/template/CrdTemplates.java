package org.spireregistrar.core.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.config.ConfigException;
import org.spireregistrar.core.config.CrdConfig;
import org.spireregistrar.core.dns.DnsNameValidator;

/**
 * Start-up validation of the CRD-mode templates (upstream §1.4, {@code NewPodReconciler}): parse
 * every template, check that each statically referenced {@code .Context} key exists, then render
 * each against {@link TemplateData#dummy} and check the output. Upstream only renders at start-up
 * when {@code pod_controller} is on; this runs whatever the mode's switches, as its config-time
 * context check does.
 */
public final class CrdTemplates {

  /** The name identity templates carry in template error messages. */
  public static final String IDENTITY_TEMPLATE_NAME = "identity_template";

  private CrdTemplates() {}

  /**
   * Validates {@code crd}'s identity template ({@link CrdConfig#DEFAULT_IDENTITY_TEMPLATE} when
   * {@code identity_template} is empty) and its DNS name templates. DNS templates have every space
   * removed before parsing, as upstream does; the identity template is parsed as written.
   *
   * @throws ConfigException with upstream's message core: {@code parsing identity template: …},
   *     {@code parsing dns name template: …}, {@code identity_template references non-existing
   *     context key "k"}, {@code dns_name_template "…" references non-existing context key "k"},
   *     {@code executing identity template: …}, {@code validating identity template: <go-spiffe
   *     error>}, {@code executing the dns name template: …}, {@code validating the dns name
   *     template: <SPIRE error>}
   */
  public static void validate(CrdConfig crd) {
    Map<String, String> context = crd.context();
    String identityText =
        crd.identityTemplate().isEmpty()
            ? CrdConfig.DEFAULT_IDENTITY_TEMPLATE
            : crd.identityTemplate();

    GoTemplate identity;
    try {
      identity = GoTemplate.parse(IDENTITY_TEMPLATE_NAME, identityText);
    } catch (TemplateException e) {
      throw new ConfigException("parsing identity template: " + e.getMessage());
    }
    List<GoTemplate> dnsTemplates = new ArrayList<>(crd.dnsNameTemplates().size());
    for (int i = 0; i < crd.dnsNameTemplates().size(); i++) {
      String text = crd.dnsNameTemplates().get(i);
      try {
        dnsTemplates.add(GoTemplate.parse(dnsTemplateName(i), text.replace(" ", "")));
      } catch (TemplateException e) {
        throw new ConfigException("parsing dns name template: " + e.getMessage());
      }
    }

    for (String key : identity.contextKeys()) {
      if (!context.containsKey(key)) {
        throw new ConfigException(
            "identity_template references non-existing context key " + GoQuote.quote(key));
      }
    }
    for (int i = 0; i < dnsTemplates.size(); i++) {
      for (String key : dnsTemplates.get(i).contextKeys()) {
        if (!context.containsKey(key)) {
          throw new ConfigException(
              "dns_name_template "
                  + GoQuote.quote(crd.dnsNameTemplates().get(i))
                  + " references non-existing context key "
                  + GoQuote.quote(key));
        }
      }
    }

    Map<String, Object> dummy = TemplateData.dummy(context);
    String path;
    try {
      path = identity.execute(dummy);
    } catch (TemplateException e) {
      throw new ConfigException("executing identity template: " + e.getMessage());
    }
    // Upstream parses "spiffe://testdomain/" + output, so the path is "/" + output.
    String problem = SpiffeId.pathProblem("/" + path);
    if (problem != null) {
      throw new ConfigException("validating identity template: " + problem);
    }
    for (GoTemplate dns : dnsTemplates) {
      String name;
      try {
        name = dns.execute(dummy);
      } catch (TemplateException e) {
        throw new ConfigException("executing the dns name template: " + e.getMessage());
      }
      DnsNameValidator.problem(name)
          .ifPresent(
              p -> {
                throw new ConfigException("validating the dns name template: " + p);
              });
    }
  }

  /** The name the {@code i}-th (0-based) DNS name template carries in template error messages. */
  public static String dnsTemplateName(int i) {
    return "dns_name_templates[" + i + "]";
  }
}
