package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class DevInboxTest {

  @Test
  void captures_mail_sent_through_the_sender_and_lists_it_newest_first_once_per_message()
      throws Exception {
    try (DevInbox inbox =
        DevInbox.start(new DevInboxProperties(0, 1000, DataSize.ofMegabytes(50)))) {
      assertThat(inbox.port()).isPositive();
      SmtpProperties props = Senders.props(0, 2, Duration.ofSeconds(5));
      try (EmailSender sender = new EmailSender(props, inbox.endpoint(), Clock.systemUTC())) {
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

  @Test
  void the_inbox_keeps_at_most_its_count_of_copies_dropping_the_oldest() throws Exception {
    try (DevInbox inbox = DevInbox.start(new DevInboxProperties(0, 3, DataSize.ofMegabytes(50)));
        EmailSender sender =
            new EmailSender(
                Senders.props(0, 1, Duration.ofSeconds(5)), inbox.endpoint(), Clock.systemUTC())) {
      for (int i = 1; i <= 5; i++) {
        sender.send(Senders.simple("m" + i, "ann@example.com"));
      }

      assertThat(inbox.list(50))
          .extracting(DevInbox.Captured::messageId)
          .containsExactly("<m5@ums.test>", "<m4@ums.test>", "<m3@ums.test>");
      assertThat(inbox.usage()[0]).isEqualTo(3);
    }
  }

  @Test
  void the_inbox_keeps_at_most_its_bytes_dropping_the_oldest() throws Exception {
    try (DevInbox inbox = DevInbox.start(new DevInboxProperties(0, 1000, DataSize.ofBytes(3_000)));
        EmailSender sender =
            new EmailSender(
                Senders.props(0, 1, Duration.ofSeconds(5)), inbox.endpoint(), Clock.systemUTC())) {
      String body = "x".repeat(1_000);
      for (int i = 1; i <= 6; i++) {
        sender.send(
            new Email(
                "<b" + i + "@ums.test>",
                "UMS <no-reply@ums.test>",
                List.of("ann@example.com"),
                null,
                null,
                null,
                "s",
                body,
                null,
                Map.of()));
      }

      long[] usage = inbox.usage();
      assertThat(usage[1]).isLessThanOrEqualTo(3_000).isPositive();
      List<String> kept = inbox.list(50).stream().map(DevInbox.Captured::messageId).toList();
      assertThat(kept).startsWith("<b6@ums.test>").doesNotContain("<b1@ums.test>");
      assertThat(kept).hasSizeLessThan(3);
    }
  }
}
