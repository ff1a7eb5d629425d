package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.sender.AllowedSenders;
import dev.ums.web.FieldProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;

class MessageValidatorTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ann@example.com",
        "Ann Lee <ann@example.com>",
        "\"Lee, Ann\" <ann@example.com>",
        "=?UTF-8?Q?J=C3=B6rg?= <joerg@example.de>",
        "Jörg Müller <joerg@example.de>",
        "first.last+tag@sub.example.co.uk",
        "o'brien!x#y@example.com"
      })
  void accepts_rfc_5322_mailboxes(String address) {
    List<FieldProblem> errors = new ArrayList<>();
    MessageValidator.address("to[0]", address, errors);
    assertThat(errors).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ann",
        "ann@",
        "@example.com",
        "ann@@example.com",
        "ann@example..com",
        "ann@.example.com",
        "ann example@example.com",
        "a@example.com, b@example.com",
        "group: a@example.com;",
        "Ann <ann@example.com",
        "ann@example.com\r\nBcc: x@example.com",
        " "
      })
  void refuses_anything_else(String address) {
    List<FieldProblem> errors = new ArrayList<>();
    MessageValidator.address("to[0]", address, errors);
    assertThat(errors).extracting(FieldProblem::field).containsExactly("to[0]");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<@relay.example:ann@example.com>",
        "Ann <@a.example,@b.example:ann@example.com>",
        "jörg@example.de",
        "Jörg <joerg@exämple.de>",
        "\"ann lee\"@example.com",
        "\"a<b>c\"@example.com",
        "\"ann\"@example.com",
        "ann@[127.0.0.1]",
        "a234567890123456789012345678901234567890123456789012345678901234x@example.com"
      })
  void refuses_addresses_smtp_would_carry_verbatim_but_relays_mishandle(String address) {
    List<FieldProblem> errors = new ArrayList<>();
    MessageValidator.address("to[0]", address, errors);
    assertThat(errors).extracting(FieldProblem::field).containsExactly("to[0]");
  }

  @Test
  void each_refused_address_kind_says_why() {
    assertThat(why("<@relay.example:ann@example.com>")).contains("source route");
    assertThat(why("jörg@example.de")).contains("non-ASCII").contains("SMTPUTF8");
    assertThat(why("\"ann lee\"@example.com")).contains("quoted local part");
    assertThat(why("ann@[127.0.0.1]")).contains("address literal");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // "Ann\r\nBcc: x@example.com", B-encoded
        "=?utf-8?B?QW5uDQpCY2M6IHhAZXhhbXBsZS5jb20=?= <ann@example.com>",
        // "Ann\r\nBcc x", Q-encoded
        "=?utf-8?Q?Ann=0D=0ABcc_x?= <ann@example.com>",
        // NUL, and an encoded word glued to text (lenient receivers decode it)
        "=?utf-8?B?AA==?= <ann@example.com>",
        "\"Ann=?utf-8?Q?=07?=\" <ann@example.com>",
        "Ann\u0001Lee <ann@example.com>"
      })
  void refuses_display_names_that_are_or_decode_to_control_characters(String address) {
    List<FieldProblem> errors = new ArrayList<>();
    MessageValidator.address("from", address, errors);
    assertThat(errors).extracting(FieldProblem::field).containsExactly("from");
    assertThat(errors.get(0).message()).contains("control characters");
  }

  @Test
  void subject_and_header_values_may_not_decode_to_control_characters() {
    MessageValidator v = validator(List.of("X-Spam-"));
    SendRequest r =
        request(
            "=?utf-8?Q?Hi=0D=0ABcc:_x@example.com?=",
            Map.of("X-Tag", "=?utf-8?B?DQo=?=", "X-Ok", "=?utf-8?Q?caf=C3=A9?= \t tab"));

    MessageValidator.Checked c = v.check(r, Instant.now(), AllowedSenders.ANY);

    assertThat(c.errors())
        .extracting(FieldProblem::field)
        .containsExactly("subject", "headers.X-Tag");
  }

  @Test
  void custom_headers_with_a_denied_prefix_are_refused_whatever_their_case() {
    MessageValidator v = validator(List.of("X-Spam-", "X-MS-Exchange-"));
    SendRequest r =
        request(
            null,
            Map.of(
                "x-spam-status", "No",
                "X-MS-Exchange-Organization-SCL", "-1",
                "X-Campaign", "spring",
                "X-Spammy", "fine: not the prefix"));

    MessageValidator.Checked c = v.check(r, Instant.now(), AllowedSenders.ANY);

    assertThat(c.errors())
        .extracting(FieldProblem::field)
        .containsExactlyInAnyOrder(
            "headers.x-spam-status", "headers.X-MS-Exchange-Organization-SCL");
    assertThat(c.errors()).allMatch(e -> e.message().contains("trusted"));
  }

  @Test
  void default_denied_prefixes_cover_the_trust_headers_of_common_mail_systems() {
    List<String> defaults =
        new org.springframework.boot.context.properties.bind.Binder()
            .bindOrCreate("ums.limits", LimitsProperties.class)
            .deniedHeaderPrefixes();
    MessageValidator v = validator(defaults);
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    for (String name :
        List.of(
            "X-MS-Exchange-Organization-AuthAs",
            "X-MS-Exchange-Organization-SCL",
            "X-Microsoft-Antispam",
            "X-Forefront-Antispam-Report",
            "X-Spam-Flag",
            "X-Spam-Status",
            "X-Virus-Scanned",
            "X-Originating-IP",
            "X-Authenticated-Sender",
            "X-Original-Authentication-Results",
            "X-Received",
            "X-Google-DKIM-Signature")) {
      headers.put(name, "x");
    }

    MessageValidator.Checked c = v.check(request(null, headers), Instant.now(), AllowedSenders.ANY);

    assertThat(c.errors()).hasSize(headers.size());
    assertThat(defaults)
        .contains("Authentication-Results", "ARC-", "DKIM-Signature", "Received", "Return-Path");
    assertThat(
            v.check(
                    request(null, Map.of("X-Mailer", "shop 1.0")),
                    Instant.now(),
                    AllowedSenders.ANY)
                .errors())
        .isEmpty();
  }

  private static String why(String address) {
    List<FieldProblem> errors = new ArrayList<>();
    MessageValidator.address("to[0]", address, errors);
    assertThat(errors).hasSize(1);
    return errors.get(0).message();
  }

  private static SendRequest request(String subject, Map<String, String> headers) {
    return new SendRequest(
        null,
        List.of("ann@example.com"),
        null,
        null,
        null,
        subject,
        "hi",
        null,
        headers,
        null,
        null);
  }

  private static MessageValidator validator(List<String> deniedHeaderPrefixes) {
    return new MessageValidator(
        new MailProperties("UMS <no-reply@ums.localhost>", "ums.localhost", null),
        new LimitsProperties(
            DataSize.ofMegabytes(10),
            50,
            500,
            DataSize.ofMegabytes(64),
            Duration.ofDays(30),
            deniedHeaderPrefixes));
  }
}
