package dev.ums.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.ledger.BounceKind;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The report samples as the parser reads them. */
class ReportParserTest {

  static final UUID ID = UUID.fromString("01937a4e-8c2b-7d41-9e0f-2a3b4c5d6e7f");
  static final String RETURN_PATH = "bounces+" + ID + "@bounces.test.ums";

  static Map<String, String> values(String recipient) {
    return Map.of(
        "messageId",
        ID.toString(),
        "messageIdDomain",
        "test.ums",
        "returnPath",
        RETURN_PATH,
        "rcptTo",
        "fbl@bounces.test.ums",
        "recipient",
        recipient);
  }

  static Report parse(String fixture) throws Exception {
    return ReportParser.parse(DsnFixtures.load(fixture, values("ann@example.com")));
  }

  @Test
  void postfix_hard_bounce() throws Exception {
    Report r = parse(DsnFixtures.POSTFIX_HARD);

    assertThat(r.recipients())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.kind()).isEqualTo(BounceKind.HARD);
              assertThat(x.statusCode()).isEqualTo("5.1.1");
              assertThat(x.addresses()).containsExactly("ann@example.com");
              assertThat(x.diagnostic())
                  .startsWith("550 5.1.1 <ann@example.com>: Recipient address rejected:")
                  .endsWith("User unknown in virtual mailbox table")
                  .doesNotContain("\n");
            });
    assertThat(r.returnPaths()).containsExactly("<" + RETURN_PATH + ">");
    assertThat(r.messageIds()).containsExactly("<" + ID + "@test.ums>");
  }

  @Test
  void exchange_ndr_with_only_the_returned_headers() throws Exception {
    Report r = parse(DsnFixtures.EXCHANGE_NDR);

    assertThat(r.recipients())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.kind()).isEqualTo(BounceKind.HARD);
              assertThat(x.statusCode()).isEqualTo("5.1.10");
              assertThat(x.diagnostic()).startsWith("550 5.1.10 RESOLVER.ADR.RecipientNotFound");
            });
    assertThat(r.returnPaths()).isEmpty();
    assertThat(r.messageIds()).containsExactly("<" + ID + "@test.ums>");
  }

  @Test
  void gmail_bounce_with_a_multi_line_diagnostic() throws Exception {
    Report r = parse(DsnFixtures.GMAIL);

    assertThat(r.recipients())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.kind()).isEqualTo(BounceKind.HARD);
              assertThat(x.statusCode()).isEqualTo("5.1.1");
              assertThat(x.diagnostic())
                  .startsWith("550-5.1.1 The email account that you tried to reach does not exist")
                  .contains("NoSuchUser");
            });
    assertThat(r.messageIds()).containsExactly("<" + ID + "@test.ums>");
  }

  @Test
  void delayed_dsn_is_a_soft_bounce() throws Exception {
    Report r = parse(DsnFixtures.POSTFIX_DELAYED);

    assertThat(r.recipients())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.kind()).isEqualTo(BounceKind.SOFT);
              assertThat(x.statusCode()).isEqualTo("4.4.1");
            });
    assertThat(r.messageIds()).containsExactly("<" + ID + "@test.ums>");
  }

  @Test
  void arf_feedback_report_is_a_complaint() throws Exception {
    Report r = parse(DsnFixtures.ARF);

    assertThat(r.recipients())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.kind()).isEqualTo(BounceKind.COMPLAINT);
              assertThat(x.feedbackType()).isEqualTo("abuse");
              assertThat(x.statusCode()).isNull();
              assertThat(x.addresses()).containsExactly("ann@example.com");
            });
    // The returned message's Return-Path first, then the report's Original-Mail-From.
    assertThat(r.returnPaths()).containsExactly("<" + RETURN_PATH + ">", "<" + RETURN_PATH + ">");
    assertThat(r.messageIds()).containsExactly("<" + ID + "@test.ums>");
  }

  @Test
  void an_auto_reply_is_not_a_report() {
    assertThatThrownBy(() -> parse(DsnFixtures.GARBAGE))
        .isInstanceOf(ReportParser.Unparsable.class);
  }

  @Test
  void bytes_that_are_not_a_message_are_not_a_report() {
    assertThatThrownBy(() -> ReportParser.parse(new byte[] {0, 1, 2, (byte) 0xff, '\n', '\n'}))
        .isInstanceOf(ReportParser.Unparsable.class);
    assertThatThrownBy(
            () ->
                ReportParser.parse(
                    "Content-Type: text/plain\n\nhello".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(ReportParser.Unparsable.class)
        .hasMessage("no_report");
  }

  @ParameterizedTest(name = "action={0} status={1} -> {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "failed,5.1.1,HARD",
        "failed,5.7.1,HARD",
        "failed,4.4.7,SOFT",
        "delayed,4.4.1,SOFT",
        "delayed,null,SOFT",
        "delivered,2.0.0,null",
        "relayed,2.0.0,null",
        "expanded,2.0.0,null",
        "null,5.2.2,HARD",
        "null,4.2.2,SOFT",
        "null,null,null"
      })
  void classification(String action, String status, BounceKind kind) {
    assertThat(ReportParser.classify(action, status)).isEqualTo(kind);
  }

  @Test
  void addresses_and_status_codes_as_reports_write_them() {
    assertThat(ReportParser.address("rfc822; Ann@Example.com")).isEqualTo("Ann@Example.com");
    assertThat(ReportParser.address("rfc822;<ann@example.com>")).isEqualTo("ann@example.com");
    assertThat(ReportParser.address("x400; /C=US/")).isNull();
    assertThat(ReportParser.statusCode("5.1.1 (bad destination mailbox)")).isEqualTo("5.1.1");
    assertThat(ReportParser.statusCode("smtp; 550-5.1.1 no such user")).isEqualTo("5.1.1");
    assertThat(ReportParser.statusCode("550 no such user")).isNull();
  }
}
