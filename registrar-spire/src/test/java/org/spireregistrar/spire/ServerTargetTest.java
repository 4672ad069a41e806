package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerTargetTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      textBlock =
          """
          unix:///tmp/spire-server/private/api.sock, /tmp/spire-server/private/api.sock
          unix:/run/spire/api.sock,                  /run/spire/api.sock
          unix:relative/api.sock,                    relative/api.sock
          spire-server:8081,                         ''
          dns:///spire-server.spire:8081,            ''
          """)
  void parsesSocketAndTcpAddresses(String address, String socket) {
    ServerTarget t = ServerTarget.parse(address);

    assertThat(t.socketPath().map(Object::toString).orElse("")).isEqualTo(socket);
    assertThat(t.isUnixSocket()).isEqualTo(!socket.isEmpty());
  }

  @Test
  void rejectsAnEmptySocketPath() {
    assertThatThrownBy(() -> ServerTarget.parse("unix://"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("server address unix:// has no socket path");
  }
}
