package dev.ums.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class Uuid7Test {

  @Test
  void ids_are_version_7_variant_2_and_strictly_increasing() {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      ids.add(Uuid7.next());
    }
    for (int i = 0; i < ids.size(); i++) {
      assertThat(ids.get(i).version()).isEqualTo(7);
      assertThat(ids.get(i).variant()).isEqualTo(2);
      if (i > 0) {
        // Unsigned order of the high bits is time order.
        assertThat(
                Long.compareUnsigned(
                    ids.get(i).getMostSignificantBits(), ids.get(i - 1).getMostSignificantBits()))
            .isPositive();
      }
    }
  }

  @Test
  void timestamp_is_the_current_unix_millisecond() {
    long before = System.currentTimeMillis();
    long ms = Uuid7.next().getMostSignificantBits() >>> 16;
    assertThat(ms).isBetween(before, System.currentTimeMillis() + 5);
  }
}
