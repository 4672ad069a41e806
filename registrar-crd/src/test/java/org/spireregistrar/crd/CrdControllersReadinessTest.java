package org.spireregistrar.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.spireregistrar.reconcile.Readiness;

class CrdControllersReadinessTest {

  @Test
  void aReplicaIsUnreadyOnlyOnceItsLastGoodPassIsOlderThanTheLimit() {
    Duration limit = Duration.ofMinutes(21);

    assertThat(Readiness.stale(Duration.ofMinutes(20), limit)).isEmpty();
    assertThat(Readiness.stale(limit, limit)).isEmpty();
    assertThat(Readiness.stale(Duration.ofMinutes(22), limit))
        .contains("no successful sync pass for 1320 s");
  }
}
