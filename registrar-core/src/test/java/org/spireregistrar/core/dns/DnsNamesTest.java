package org.spireregistrar.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DnsNamesTest {

  @Test
  void keepsValidNamesInOrderAndReportsEachDroppedName() {
    List<String> warnings = new ArrayList<>();

    List<String> kept =
        DnsNames.keepValid(
            "pod default/a", List.of("zz.example", "a", "web.default", "x_y"), warnings::add);

    // Current SPIRE (>= 1.9) accepts single-character labels such as "a".
    assertThat(kept).containsExactly("zz.example", "a", "web.default");
    assertThat(warnings)
        .containsExactly("pod default/a: dropped DNS name \"x_y\": invalid label: x_y");
  }

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource(
      textBlock =
          """
          a,       b,        -1
          web,     web-0,    -1
          web-0,   web.ns,   -1
          web.ns,  web-0,    1
          A,       a,        -1
          same,    same,     0
          """)
  void byteOrderMatchesGoSortStrings(String a, String b, int sign) {
    assertThat(Integer.signum(DnsNames.BYTE_ORDER.compare(a, b))).isEqualTo(sign);
  }

  @Test
  void byteOrderPutsSupplementaryCharactersAfterHighBmpCharacters() {
    // UTF-16 order would put U+1F600 (surrogates D83D…) before U+FF21; UTF-8 byte order does not.
    String bmp = "\uFF21";
    String astral = new String(Character.toChars(0x1F600));

    assertThat(astral.compareTo(bmp)).isNegative();
    assertThat(DnsNames.BYTE_ORDER.compare(astral, bmp)).isPositive();
  }
}
