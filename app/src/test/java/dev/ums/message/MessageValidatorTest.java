package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.web.FieldProblem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageValidatorTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ann@example.com",
        "Ann Lee <ann@example.com>",
        "\"Lee, Ann\" <ann@example.com>",
        "=?UTF-8?Q?J=C3=B6rg?= <joerg@example.de>",
        "first.last+tag@sub.example.co.uk"
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
}
