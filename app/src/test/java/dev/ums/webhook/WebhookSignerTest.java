package dev.ums.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

  @Test
  void signs_like_the_standard_webhooks_reference_vector() {
    byte[] key = WebhookSigner.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    String signature =
        WebhookSigner.sign(
            key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

    assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void a_new_secret_is_random_and_round_trips_through_its_display_form() {
    byte[] a = WebhookSigner.newSecret();
    assertThat(WebhookSigner.key(WebhookSigner.display(a))).isEqualTo(a);
    assertThat(WebhookSigner.newSecret()).isNotEqualTo(a);
  }
}
