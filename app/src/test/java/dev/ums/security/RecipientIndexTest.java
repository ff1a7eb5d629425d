package dev.ums.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.support.Mode;
import java.util.Arrays;
import java.util.Base64;
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

  private static byte[] key(int fill, int length) {
    byte[] k = new byte[length];
    Arrays.fill(k, (byte) fill);
    return k;
  }

  private static String base64(byte[] k) {
    return Base64.getEncoder().encodeToString(k);
  }

  private static RecipientIndex configured(String current, List<String> previous) {
    return new RecipientIndex(
        new CryptoProperties(null, null, current, null, previous, "target/unused-keyset.json"),
        Mode.PRODUCTION);
  }

  @Test
  void an_address_is_digested_under_the_current_key_first_then_each_previous_key() {
    byte[] b = key(2, 32);
    byte[] c = key(3, 40);
    RecipientIndex rotated = RecipientIndex.withKeys(b, new byte[32], c);

    assertThat(rotated.hasPreviousKeys()).isTrue();
    assertThat(index.hasPreviousKeys()).isFalse();
    assertThat(rotated.addressDigests("Ann <ANN@example.com>"))
        .containsExactly(
            RecipientIndex.withKey(b).address("ann@example.com"),
            index.address("ann@example.com"),
            RecipientIndex.withKey(c).address("ann@example.com"));
    assertThat(rotated.address("ann@example.com"))
        .isEqualTo(RecipientIndex.withKey(b).address("ann@example.com"));
    assertThat(rotated.digests(List.of("ann@example.com")))
        .containsExactly(RecipientIndex.withKey(b).digests(List.of("ann@example.com")));
    assertThat(rotated.addressDigests("not an address")).isEmpty();
    assertThat(rotated.addressDigests(null)).isEmpty();
    assertThat(index.addressDigests("ann@example.com"))
        .containsExactly(index.address("ann@example.com"));
  }

  @Test
  void previous_index_keys_are_read_from_the_settings_in_order() {
    byte[] b = key(2, 32);
    RecipientIndex rotated =
        configured(base64(b), List.of(" " + base64(new byte[32]) + " ", base64(key(3, 32))));

    assertThat(rotated.addressDigests("ann@example.com"))
        .containsExactly(
            RecipientIndex.withKey(b).address("ann@example.com"),
            index.address("ann@example.com"),
            RecipientIndex.withKey(key(3, 32)).address("ann@example.com"));
    assertThat(configured(base64(b), List.of()).hasPreviousKeys()).isFalse();
    assertThat(configured(base64(b), null).hasPreviousKeys()).isFalse();
  }

  @Test
  void an_unusable_previous_index_key_is_refused_naming_the_setting() {
    String current = base64(key(2, 32));
    assertThatThrownBy(() -> configured(current, List.of(base64(key(1, 32)), "not base64!")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ums.crypto.previous-index-keys[1] is not valid base64");
    assertThatThrownBy(() -> configured(current, List.of(base64(key(1, 31)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ums.crypto.previous-index-keys[0] must be at least 32 bytes (base64)");
    assertThatThrownBy(() -> configured(current, List.of(current)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("ums.crypto.previous-index-keys[0] equals the current");
    assertThatThrownBy(() -> configured(current, List.of(base64(key(1, 32)), base64(key(1, 32)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ums.crypto.previous-index-keys[1] repeats ums.crypto.previous-index-keys[0]");
    assertThatThrownBy(() -> RecipientIndex.withKeys(key(2, 32), key(2, 32)))
        .hasMessageStartingWith("ums.crypto.previous-index-keys[0] equals the current");
  }
}
