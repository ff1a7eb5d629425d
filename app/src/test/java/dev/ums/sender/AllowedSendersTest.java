package dev.ums.sender;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedSendersTest {

  @Test
  void a_domain_matches_itself_and_its_subdomains_ignoring_case_but_no_look_alikes() {
    AllowedSenders shop = new AllowedSenders(false, List.of("shop.example"));

    assertThat(shop.allows("shop.example")).isTrue();
    assertThat(shop.allows("SHOP.Example")).isTrue();
    assertThat(shop.allows("mail.shop.example")).isTrue();
    assertThat(shop.allows("evilshop.example")).isFalse();
    assertThat(shop.allows("shop.example.evil.test")).isFalse();
    assertThat(shop.allows("example")).isFalse();
  }

  @Test
  void no_domains_allow_nothing_and_admin_keys_allow_everything() {
    assertThat(AllowedSenders.NONE.allows("ums.localhost")).isFalse();
    assertThat(AllowedSenders.ANY.allows("bank.example")).isTrue();
  }
}
