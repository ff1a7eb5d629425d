package dev.ums.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.testing.Http;
import dev.ums.testing.UmsIntegrationTest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * With {@code ums.webhooks.allow-private-addresses=false} (the production default), webhook URLs on
 * private, loopback and link-local addresses are refused at registration, and a host that resolves
 * to one by the time of delivery gets no request. (The shared test context, which allows private
 * addresses, runs a webhook dispatcher on the same database; it cannot resolve {@value #NAME} at
 * all, so its attempts fail too, with another error.)
 */
@UmsIntegrationTest
@TestPropertySource(properties = "ums.webhooks.allow-private-addresses=false")
@DirtiesContext // its webhook dispatcher would refuse the loopback receivers of other classes
class PrivateAddressWebhookTest {

  static final String NAME = "hooks.rebind.test";

  /** What {@link #NAME} resolves to; every other name is resolved as usual. */
  static final AtomicReference<InetAddress[]> rebind = new AtomicReference<>();

  @TestConfiguration
  static class Dns {
    @Bean
    WebhookAddresses.Resolver rebindingResolver() {
      return host -> host.equals(NAME) ? rebind.get() : InetAddress.getAllByName(host);
    }
  }

  @Autowired Http http;
  SignedReceiver receiver;

  @AfterEach
  void close() {
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void urls_on_private_loopback_or_link_local_addresses_are_refused_at_registration() {
    for (String url :
        new String[] {
          "https://127.0.0.1/hook",
          "https://localhost:8443/hook",
          "https://169.254.169.254/latest/meta-data",
          "https://10.0.0.5/hook",
          "https://192.168.1.20/hook",
          "https://[::1]/hook",
          "https://[fd00::5]/hook",
          "https://[::ffff:127.0.0.1]/hook"
        }) {
      Http.Answer a = http.postJson("/api/webhooks", "{\"url\": \"" + url + "\"}");
      assertThat(a.status()).as(url).isEqualTo(400);
      assertThat(a.contentType()).startsWith("application/problem+json");
      assertThat(a.json().get("errors").get(0).get("field").asString()).isEqualTo("url");
    }
    assertThat(http.get("/api/webhooks").json().get("webhooks")).isEmpty();
    assertThat(http.postJson("/api/webhooks", "{\"url\": \"https://203.0.113.9/hook\"}").status())
        .isEqualTo(201);
  }

  @Test
  void a_host_that_resolves_to_a_private_address_at_delivery_gets_no_request() throws Exception {
    receiver = new SignedReceiver();
    int port = Integer.parseInt(receiver.url().replaceAll(".*:(\\d+)/hook$", "$1"));
    rebind.set(new InetAddress[] {InetAddress.getByName("203.0.113.7")});
    Http.Answer created =
        http.postJson("/api/webhooks", "{\"url\": \"http://" + NAME + ":" + port + "/hook\"}");
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().get("id").asString();

    rebind.set(new InetAddress[] {InetAddress.getLoopbackAddress()});
    WebhookDeliveryTest.send(http, "");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode log =
                  http.get("/api/webhooks/" + id + "/deliveries").json().get("deliveries");
              assertThat(log).hasSize(1);
              assertThat(log.get(0).get("lastError").asString())
                  .isEqualTo("refused: resolves to a private, loopback or link-local address");
            });
    assertThat(receiver.received).isEmpty();
    assertThat(receiver.refused).isEmpty();
  }
}
