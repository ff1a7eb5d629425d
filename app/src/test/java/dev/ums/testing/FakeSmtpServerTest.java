package dev.ums.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.RepeatedTest;

/** The scripted relay itself: tests that stop it rely on a closed one refusing connections. */
class FakeSmtpServerTest {

  @RepeatedTest(20)
  void a_closed_server_refuses_connections_at_once() throws Exception {
    FakeSmtpServer relay = new FakeSmtpServer();
    int port = relay.port();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getInputStream().read(); // greeted: the acceptor is back in accept()
    }

    relay.close();

    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
        .isInstanceOf(ConnectException.class);
  }
}
