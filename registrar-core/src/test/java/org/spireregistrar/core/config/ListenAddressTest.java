package org.spireregistrar.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenAddressTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          :8443           | ''          | 8443 | :8443
          127.0.0.1:9090  | 127.0.0.1   | 9090 | 127.0.0.1:9090
          [::1]:7070      | ::1         | 7070 | [::1]:7070
          localhost:0     | localhost   | 0    | localhost:0
          """)
  void parsesGoListenAddresses(String addr, String host, int port, String text) {
    ListenAddress a = ListenAddress.parse(addr);
    assertThat(a.host()).isEqualTo(host);
    assertThat(a.port()).isEqualTo(port);
    assertThat(a).hasToString(text);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          localhost | address localhost: missing port in address
          ::1:80    | address ::1:80: too many colons in address
          [::1:80   | address [::1:80: missing ']' in address
          :https    | unknown port
          :70000    | invalid port
          :-1       | invalid port
          """)
  void refusesWithGoReasons(String addr, String reason) {
    assertThatThrownBy(() -> ListenAddress.parse(addr))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(reason);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({":0", "127.0.0.1:0"})
  void resolvesTheSocketAddressToBind(String addr) {
    assertThat(ListenAddress.parse(addr).socketAddress().getPort()).isZero();
  }
}
