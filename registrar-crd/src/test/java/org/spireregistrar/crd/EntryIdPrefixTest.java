package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spireregistrar.core.EntryId;

class EntryIdPrefixTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      textBlock =
          """
          c1,              k8s-workload-registrar.c1.
          prod-eu_1.a,     k8s-workload-registrar.prod-eu_1.a.
          'a b/c:d',       k8s-workload-registrar.a_b_c_d.
          'é',             k8s-workload-registrar._.
          """)
  void isTheClusterNameSanitisedToSpiresEntryIdAlphabet(String cluster, String prefix) {
    assertThat(EntryIdPrefix.forCluster(cluster).value()).isEqualTo(prefix);
  }

  @Test
  void newIdsCarryThePrefixAreUniqueAndFitSpiresLimit() {
    EntryIdPrefix prefix = EntryIdPrefix.forCluster("c".repeat(170));
    EntryId a = prefix.newId();
    EntryId b = prefix.newId();

    assertThat(a).isNotEqualTo(b);
    assertThat(prefix.owns(a)).isTrue();
    assertThat(a.value()).startsWith(prefix.value()).hasSizeLessThanOrEqualTo(255);
    assertThat(EntryId.problem(a.value())).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      textBlock =
          """
          k8s-workload-registrar.c1.0b1c,  true
          k8s-workload-registrar.c1.,      false
          k8s-workload-registrar.c10.0b1c, false
          k8s-workload-registrar.c2.0b1c,  false
          0b1c2d3e-upstream-uuid,          false
          """)
  void ownsOnlyIdsUnderItsOwnPrefix(String id, boolean owned) {
    assertThat(EntryIdPrefix.forCluster("c1").owns(new EntryId(id))).isEqualTo(owned);
  }

  @Test
  void refusesAPrefixWithoutRoomForAUuid() {
    assertThatThrownBy(() -> EntryIdPrefix.forCluster("c".repeat(200)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not 1-200 of A-Z a-z 0-9 - . _");
    assertThatThrownBy(() -> new EntryIdPrefix("a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("entry ID prefix \"a/b\" is not 1-200 of A-Z a-z 0-9 - . _");
  }
}
