package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevInboxTest {

  @Test
  void captures_mail_sent_through_the_sender_and_lists_it_newest_first_once_per_message()
      throws Exception {
    try (DevInbox inbox = DevInbox.start(0)) {
      assertThat(inbox.port()).isPositive();
      SmtpProperties props = Senders.props(0, 2, Duration.ofSeconds(5));
      try (EmailSender sender =
          new EmailSender(props, SmtpEndpoint.capture(inbox.port()), Clock.systemUTC())) {
        sender.send(Senders.simple("first", "ann@example.com"));
        sender.send(
            new Email(
                "<second@ums.test>",
                "UMS <no-reply@ums.test>",
                List.of("Ann <ann@example.com>", "bob@example.com"),
                null,
                List.of("carl@example.com"),
                null,
                "Zweite Nachricht ✓",
                "t",
                null,
                Map.of()));
      }

      List<DevInbox.Captured> all = inbox.list(50);
      assertThat(all)
          .extracting(DevInbox.Captured::messageId)
          .containsExactly("<second@ums.test>", "<first@ums.test>");
      DevInbox.Captured second = all.get(0);
      assertThat(second.subject()).isEqualTo("Zweite Nachricht ✓");
      assertThat(second.from()).isEqualTo("UMS <no-reply@ums.test>");
      assertThat(second.to()).containsExactly("Ann <ann@example.com>", "bob@example.com");
      assertThat(second.receivedAt()).isNotNull();
      assertThat(inbox.list(1)).hasSize(1);
    }
  }
}
