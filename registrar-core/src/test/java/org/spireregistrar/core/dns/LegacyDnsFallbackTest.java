package org.spireregistrar.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;

class LegacyDnsFallbackTest {
  private static final EntrySpec SPEC =
      EntrySpec.of(
              SpiffeId.parse("spiffe://example.org/ns/a/sa/web"),
              SpiffeId.parse("spiffe://example.org/node"),
              List.of(Selector.k8s("ns:a")))
          .withDnsNames(List.of("web-0", "web.a.svc", "web.shop.svc", "*.web.shop.svc"));

  private static EntryResult failed(EntryResult.Code code) {
    return EntryResult.failure(code, "refused", Optional.empty());
  }

  @Test
  void onlyInvalidArgumentForAnEntryWithNamesOldSpireRefusesMayBeCured() {
    assertThat(
            LegacyDnsFallback.mayBeLegacyRefusal(failed(EntryResult.Code.INVALID_ARGUMENT), SPEC))
        .isTrue();
    assertThat(LegacyDnsFallback.mayBeLegacyRefusal(failed(EntryResult.Code.INTERNAL), SPEC))
        .isFalse();
    EntrySpec onlyValid = SPEC.withDnsNames(List.of("web-0", "web.shop.svc"));
    assertThat(
            LegacyDnsFallback.mayBeLegacyRefusal(
                failed(EntryResult.Code.INVALID_ARGUMENT), onlyValid))
        .isFalse();
  }

  @Test
  void strippingKeepsTheOtherNamesInOrder() {
    assertThat(LegacyDnsFallback.refusedNames(SPEC)).containsExactly("web.a.svc", "*.web.shop.svc");
    assertThat(LegacyDnsFallback.withoutRefused(SPEC).dnsNames())
        .containsExactly("web-0", "web.shop.svc");
    EntrySpec clean = SPEC.withDnsNames(List.of("web-0"));
    assertThat(LegacyDnsFallback.withoutRefused(clean)).isSameAs(clean);
  }

  @Test
  void effectiveStripsOnlyOnceARetryWasAccepted() {
    LegacyDnsFallback fallback = new LegacyDnsFallback();
    assertThat(fallback.effective(SPEC)).isEqualTo(SPEC);
    assertThat(fallback.active()).isFalse();

    assertThat(fallback.retryAccepted()).isTrue();
    assertThat(fallback.retryAccepted()).isFalse(); // the caller warns once

    assertThat(fallback.active()).isTrue();
    assertThat(fallback.effective(SPEC).dnsNames()).containsExactly("web-0", "web.shop.svc");
  }
}
