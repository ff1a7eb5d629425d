package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.ums.email.SmtpProperties;
import dev.ums.testing.Relays;
import dev.ums.testing.TestClock;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The relay probe and the {@code smtpRelay} component against real scripted SMTP servers. */
class RelayProbeTest {

  @RegisterExtension
  static final GreenMailExtension smtps =
      new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtps").dynamicPort());

  final TestClock clock = new TestClock();
  final ExecutorService checks = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    checks.shutdownNow();
  }

  /** A relay at host:port, plain SMTP, 1 s timeouts. */
  static SmtpProperties relay(String host, int port) {
    return relay(host, port, SmtpProperties.Tls.NONE, null, Duration.ofSeconds(1));
  }

  static SmtpProperties relay(
      String host, int port, SmtpProperties.Tls tls, String sslTrust, Duration readTimeout) {
    return new SmtpProperties(
        host, port, null, null, tls, sslTrust, Duration.ofSeconds(1), readTimeout, null, 1, null);
  }

  RelayProbe probe(SmtpProperties props) {
    return new RelayProbe(props, clock, Duration.ofSeconds(10), checks);
  }

  @Test
  void relay_that_greets_is_up_and_a_closed_port_is_warn_with_the_outage_start_and_never_down()
      throws IOException {
    ScriptedSmtpServer relay = Relays.plain();
    RelayProbe probe = probe(relay("127.0.0.1", relay.port()));
    SmtpRelayHealth health = new SmtpRelayHealth(probe);

    assertThat(probe.check().up()).isTrue();
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);

    relay.close();
    assertThat(probe.check().up()).as("cached for 10 s").isTrue();

    clock.advance(Duration.ofSeconds(11));
    RelayProbe.State down = probe.check();
    assertThat(down.up()).as(down.toString()).isFalse();
    assertThat(down.error()).isEqualTo("ConnectException");
    assertThat(down.downSince()).isEqualTo(down.checkedAt());
    Health h = health.health();
    assertThat(h.getStatus()).isEqualTo(HealthStatus.WARN);
    assertThat(h.getDetails())
        .containsEntry("host", "127.0.0.1")
        .containsEntry("port", relay.port())
        .containsEntry("error", "ConnectException")
        .containsEntry("downSince", down.downSince().toString());

    clock.advance(Duration.ofSeconds(11));
    assertThat(probe.check().downSince())
        .as("the outage keeps its start")
        .isEqualTo(down.downSince());
  }

  @Test
  void relay_that_accepts_tcp_but_never_greets_is_down_within_the_reply_timeout()
      throws IOException {
    try (ScriptedSmtpServer blackHole = Relays.plain()) {
      blackHole.fault(ScriptedSmtpServer.Fault.BLACK_HOLE);
      RelayProbe probe = probe(relay("127.0.0.1", blackHole.port()));

      long t0 = System.nanoTime();
      RelayProbe.State s = probe.check();

      assertThat(s.up()).isFalse();
      assertThat(s.error()).isEqualTo("no greeting reply in time");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void relay_that_greets_with_421_is_down_and_back_up_once_it_greets_with_220() throws IOException {
    try (ScriptedSmtpServer relay = Relays.plain()) {
      relay.greeting("421 4.3.2 Service not available, closing transmission channel");
      RelayProbe probe = probe(relay("127.0.0.1", relay.port()));

      RelayProbe.State down = probe.check();
      assertThat(down.up()).as(down.toString()).isFalse();
      assertThat(down.error()).isEqualTo("greeting 421");

      relay.greeting("220-relay.example ESMTP\r\n220 ready");
      clock.advance(Duration.ofSeconds(11));
      RelayProbe.State up = probe.check();
      assertThat(up.up()).as(up.error()).isTrue();
      assertThat(up.downSince()).isNull();
    }
  }

  @Test
  void an_implicit_tls_relay_is_up_when_its_certificate_is_trusted_as_the_sender_trusts_it() {
    int port = smtps.getSmtps().getPort();
    Duration read = Duration.ofSeconds(2);

    RelayProbe trusted =
        probe(relay("127.0.0.1", port, SmtpProperties.Tls.IMPLICIT, "127.0.0.1", read));
    RelayProbe untrusted = probe(relay("127.0.0.1", port, SmtpProperties.Tls.IMPLICIT, null, read));

    assertThat(trusted.check().up()).as(String.valueOf(trusted.check().error())).isTrue();
    RelayProbe.State refused = untrusted.check();
    assertThat(refused.up()).as("the sender would refuse this certificate too").isFalse();
    assertThat(refused.error()).startsWith("SSL");
  }

  @Test
  void a_starttls_relay_is_checked_in_plain_text_up_to_ehlo() throws IOException {
    try (ScriptedSmtpServer relay = Relays.plain()) { // offers no STARTTLS at all
      RelayProbe probe =
          probe(
              relay(
                  "127.0.0.1",
                  relay.port(),
                  SmtpProperties.Tls.STARTTLS,
                  null,
                  Duration.ofSeconds(1)));

      assertThat(probe.check().up()).isTrue();
    }
  }

  @Test
  void health_waits_briefly_for_a_silent_relay_and_concurrent_callers_share_one_connection()
      throws Exception {
    try (ScriptedSmtpServer blackHole = Relays.plain()) {
      blackHole.fault(ScriptedSmtpServer.Fault.BLACK_HOLE);
      RelayProbe probe =
          probe(
              relay(
                  "127.0.0.1",
                  blackHole.port(),
                  SmtpProperties.Tls.NONE,
                  null,
                  Duration.ofSeconds(3)));
      SmtpRelayHealth health = new SmtpRelayHealth(probe);

      long t0 = System.nanoTime();
      Health first = health.health();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
      assertThat(first.getStatus()).isEqualTo(Status.UNKNOWN);
      assertThat(first.getDetails()).containsEntry("reason", "first check still running");

      List<Future<Health>> more = new ArrayList<>();
      ExecutorService callers = Executors.newFixedThreadPool(4);
      try {
        for (int i = 0; i < 8; i++) {
          more.add(callers.submit(() -> health.health()));
        }
        for (Future<Health> f : more) {
          assertThat(f.get().getStatus()).isEqualTo(Status.UNKNOWN);
        }
      } finally {
        callers.shutdownNow();
      }

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> health.health().getStatus().equals(HealthStatus.WARN));
      assertThat(blackHole.connections()).as("one check, shared").isEqualTo(1);
    }
  }

  @Test
  void without_a_relay_the_capture_inbox_counts_as_up() {
    RelayProbe probe = probe(relay(null, 25));

    assertThat(probe.check().up()).isTrue();
    assertThat(probe.check().downSince()).isNull();
    assertThat(new SmtpRelayHealth(probe).health().getStatus()).isEqualTo(Status.UP);
  }
}
