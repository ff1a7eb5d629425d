package dev.ums.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnPathTest {

  static final UUID ID = UUID.fromString("01937a4e-8c2b-7d41-9e0f-2a3b4c5d6e7f");

  @Test
  void a_return_path_names_its_message() {
    String address = ReturnPath.of(ID, "Bounces.Example.com");

    assertThat(address).isEqualTo("bounces+" + ID + "@bounces.example.com");
    assertThat(ReturnPath.messageId(address, "bounces.example.com")).contains(ID);
    assertThat(ReturnPath.messageId("<" + address.toUpperCase() + ">", "bounces.example.com"))
        .contains(ID);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bounces+01937a4e-8c2b-7d41-9e0f-2a3b4c5d6e7f@other.example.com",
        "bounces+01937a4e-8c2b-7d41-9e0f-2a3b4c5d6e7f@sub.bounces.example.com",
        "postmaster@bounces.example.com",
        "bounce+01937a4e-8c2b-7d41-9e0f-2a3b4c5d6e7f@bounces.example.com",
        "bounces+1-2-3-4-5@bounces.example.com",
        "bounces+01937a4e-8c2b-7d41-9e0f-2a3b4c5d6e7@bounces.example.com",
        "bounces+01937a4e-8c2b-7d41-9e0f-2a3b4c5d6e7fx@bounces.example.com",
        "bounces+zz937a4e-8c2b-7d41-9e0f-2a3b4c5d6e7f@bounces.example.com",
        "bounces+@bounces.example.com",
        "bounces.example.com",
        ""
      })
  void anything_else_names_no_message(String address) {
    assertThat(ReturnPath.messageId(address, "bounces.example.com")).isEmpty();
  }

  @Test
  void only_addresses_at_the_bounce_domain_are_taken() {
    assertThat(ReturnPath.atDomain("<postmaster@BOUNCES.example.com>", "bounces.example.com"))
        .isTrue();
    assertThat(ReturnPath.atDomain("ann@example.com", "bounces.example.com")).isFalse();
    assertThat(ReturnPath.atDomain("a@x.bounces.example.com", "bounces.example.com")).isFalse();
    assertThat(ReturnPath.atDomain("@bounces.example.com", "bounces.example.com")).isFalse();
  }
}
