package dev.ums.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a webhook may be sent to when private addresses are not allowed (SSRF). */
class WebhookAddressesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.8.9.10",
        "0.0.0.0",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "192.0.0.8",
        "198.18.0.1",
        "224.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1"
      })
  void private_loopback_link_local_and_reserved_addresses_are_refused(String literal)
      throws UnknownHostException {
    assertThat(WebhookAddresses.isPublic(InetAddress.getByName(literal))).isFalse();
    WebhookAddresses guard = new WebhookAddresses(false, InetAddress::getAllByName);
    assertThat(guard.refusedAtRegistration(literal)).isNotNull();
    assertThat(guard.refusedAtDelivery(literal)).isNotNull();
    assertThat(new WebhookAddresses(true, InetAddress::getAllByName).refusedAtDelivery(literal))
        .isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1.1.1.1",
        "8.8.8.8",
        "172.32.0.1",
        "100.128.0.1",
        "203.0.113.7",
        "2606:4700::1111",
        "64:ff9b::808:808"
      })
  void public_addresses_are_allowed(String literal) throws UnknownHostException {
    assertThat(WebhookAddresses.isPublic(InetAddress.getByName(literal))).isTrue();
    assertThat(new WebhookAddresses(false, InetAddress::getAllByName).refusedAtDelivery(literal))
        .isNull();
  }

  @org.junit.jupiter.api.Test
  void a_name_is_refused_when_any_of_its_addresses_is_private_and_an_unknown_name_only_at_delivery()
      throws UnknownHostException {
    InetAddress[] mixed = {InetAddress.getByName("203.0.113.7"), InetAddress.getByName("10.0.0.7")};
    WebhookAddresses guard =
        new WebhookAddresses(
            false,
            host -> {
              if (host.equals("mixed.example")) {
                return mixed;
              }
              throw new UnknownHostException(host);
            });
    assertThat(guard.refusedAtRegistration("mixed.example")).isNotNull();
    assertThat(guard.refusedAtRegistration("nowhere.example")).isNull();
    assertThat(guard.refusedAtDelivery("nowhere.example")).isEqualTo("host does not resolve");
  }
}
