package dev.ums.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipientIndexTest {

  private final RecipientIndex index = RecipientIndex.withKey(new byte[32]);

  @Test
  void an_address_matches_whatever_its_case_and_display_name() {
    assertThat(index.address("Ann <Ann@Example.COM>")).isEqualTo(index.address(" ann@example.com"));
    assertThat(index.address("ann@example.com")).isNotEqualTo(index.address("bob@example.com"));
    assertThat(index.domain("@Example.com")).isEqualTo(index.domain("example.com"));
    assertThat(index.address("not an address")).isNull();
    assertThat(index.domain("  ")).isNull();
  }

  @Test
  void a_message_carries_one_digest_per_distinct_address_and_domain() {
    String[] d =
        index.digests(List.of("ann@example.com", "Ann <ANN@example.com>", "bob@example.org"));
    assertThat(d)
        .containsExactly(
            index.address("ann@example.com"),
            index.address("bob@example.org"),
            index.domain("example.com"),
            index.domain("example.org"));
    assertThat(Arrays.stream(d)).allMatch(s -> s.matches("[0-9a-f]{32}"));
  }

  @Test
  void an_address_digest_never_equals_a_domain_digest_and_the_key_matters() {
    assertThat(index.address("x@y")).isNotEqualTo(index.domain("x@y"));
    byte[] other = new byte[32];
    other[0] = 1;
    assertThat(RecipientIndex.withKey(other).address("ann@example.com"))
        .isNotEqualTo(index.address("ann@example.com"));
  }
}
