package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CrdControllersReadinessTest {

  @Test
  void aReplicaIsUnreadyOnlyOnceItsLastGoodPassIsOlderThanTheLimit() {
    Duration limit = Duration.ofMinutes(21);

    assertThat(CrdControllers.stale(Duration.ofMinutes(20), limit)).isEmpty();
    assertThat(CrdControllers.stale(limit, limit)).isEmpty();
    assertThat(CrdControllers.stale(Duration.ofMinutes(22), limit))
        .contains("no successful sync pass for 1320 s");
  }
}
