package dev.ums.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which recipient refusals put an address on the suppression list. */
class HardBounceTest {

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "550 | 550 5.1.1 <redacted>: Recipient address rejected: User unknown | true",
        "550 | 5.1.1 The email account that you tried to reach does not exist | true",
        "553 | 553 5.1.3 Invalid address syntax | true",
        "550 | 550-5.1.1 The email account does not exist | true",
        "551 | 551 5.1.6 Mailbox has moved | true",
        "556 | 556 5.1.10 Domain does not accept mail | true",
        "550 | 550 5.7.1 Message rejected as spam | false",
        "552 | 552 5.2.2 Mailbox full | false",
        "550 | 550 Requested action not taken: mailbox unavailable | false",
        "450 | 450 4.1.1 Try again later | false",
        "421 | 421 5.1.1 odd but temporary | false",
        "550 | 550 5.7.1 policy (see 15.1.1 in the manual) | false",
        "553 | 553 5.1.7 Bad sender address syntax | false",
        "550 | 550 5.1.8 Sender domain does not resolve | false",
      })
  void only_permanent_addressing_failures_are_hard_bounces(
      int code, String reply, boolean expected) {
    assertThat(HardBounce.isAddressFailure(code, reply)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "status {0}, diagnostic {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "5.1.1 | smtp; 550 5.1.1 User unknown | true",
        "5.1.10 | smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound | true",
        "5.7.1 | smtp; 550 5.7.1 Client host blocked | false",
        "5.2.2 | smtp; 552 5.2.2 Mailbox full | false",
        "5.1.8 | smtp; 550 5.1.8 Bad sender system address | false",
        "5.0.0 | smtp; 550 5.1.1 <x>: Recipient address rejected | true",
        "5.0.0 | smtp; 550 Requested action not taken | false",
        "null | smtp; 550-5.1.1 The email account does not exist | true",
        "null | null | false",
      })
  void a_bounce_report_suppresses_only_for_an_address_failure(
      String status, String diagnostic, boolean expected) {
    assertThat(HardBounce.isAddressFailure(status, diagnostic)).isEqualTo(expected);
  }
}
