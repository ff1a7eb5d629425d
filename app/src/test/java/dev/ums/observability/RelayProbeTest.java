package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.email.SmtpProperties;
import dev.ums.testing.TestClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

class RelayProbeTest {

  final TestClock clock = new TestClock();

  static SmtpProperties relay(String host, int port) {
    return new SmtpProperties(host, port, null, null, null, null, null, null, null, 1, null);
  }

  @Test
  void relay_that_accepts_connections_is_up_and_a_closed_port_is_warn_with_the_outage_start()
      throws IOException {
    ServerSocket relay = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    RelayProbe probe =
        new RelayProbe(relay("127.0.0.1", relay.getLocalPort()), clock, Duration.ofSeconds(10));

    assertThat(probe.check().up()).isTrue();
    assertThat(new SmtpRelayHealth(probe).health().getStatus()).isEqualTo(Status.UP);

    relay.close();
    assertThat(probe.check().up()).as("cached for 10 s").isTrue();

    clock.advance(Duration.ofSeconds(11));
    RelayProbe.State down = probe.check();
    assertThat(down.up()).isFalse();
    assertThat(down.downSince()).isEqualTo(down.checkedAt());
    assertThat(new SmtpRelayHealth(probe).health().getStatus()).isEqualTo(HealthStatus.WARN);

    clock.advance(Duration.ofSeconds(11));
    assertThat(probe.check().downSince())
        .as("the outage keeps its start")
        .isEqualTo(down.downSince());
  }

  @Test
  void without_a_relay_the_capture_inbox_counts_as_up() {
    RelayProbe probe = new RelayProbe(relay(null, 25), clock, Duration.ofSeconds(10));

    assertThat(probe.check().up()).isTrue();
    assertThat(probe.check().downSince()).isNull();
    assertThat(new SmtpRelayHealth(probe).health().getStatus()).isEqualTo(Status.UP);
  }
}
