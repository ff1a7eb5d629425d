package dev.ums.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.security.RecipientIndex;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/bounces} and {@code GET /api/admin/bounces} over real HTTP, on bounces recorded
 * the real way: messages sent through the API and the dispatcher, then DSNs and ARF reports
 * delivered over SMTP to the inbound listener. Filters, keyset paging, client isolation, the admin
 * view, bad filters, and no address (nor its digest) in any answer.
 */
@DispatchIntegrationTest
@TestPropertySource(properties = InboundBounceTest.BOUNCE_DOMAIN_SETTINGS)
// The listener and its context are this class's alone: close them afterwards.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class BounceListingTest {

  static final String BOUNCE_DOMAIN = InboundBounceTest.BOUNCE_DOMAIN;

  @Autowired Http http;
  @Autowired InboundListener listener;
  @Autowired RecipientIndex index;
  @Autowired TestClock clock;

  Http shop;
  Http other;

  @BeforeEach
  void keys() {
    shop = http.as(key("shop"));
    other = http.as(key("other"));
  }

  String key(String client) {
    Http.Answer a =
        http.postJson(
            "/api/admin/keys", "{\"clientId\": \"" + client + "\", \"role\": \"SENDER\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    return a.json().get("key").asString();
  }

  // ---- recording bounces the real way ------------------------------------------------------

  /** Sends a message as {@code as} to {@code to} and waits until the relay took it. */
  String sent(Http as, String... to) {
    StringBuilder json = new StringBuilder("{\"to\": [");
    for (int i = 0; i < to.length; i++) {
      json.append(i == 0 ? "" : ", ").append('"').append(to[i]).append('"');
    }
    json.append("], \"subject\": \"Your order\", \"text\": \"Thanks!\"}");
    Http.Answer a = as.postJson("/api/messages", json.toString());
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    String id = a.json().get("id").asString();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> as.get("/api/messages/" + id).json().get("status").asString().equals("SENT"));
    return id;
  }

  /** Delivers fixture {@code name} about message {@code id} to {@code rcptTo}, from {@code <>}. */
  void report(String name, String id, String recipient, String rcptTo) throws MessagingException {
    byte[] raw = DsnFixtures.load(name, InboundBounceTest.values(id, recipient, rcptTo));
    Session session = Session.getInstance(new Properties());
    SMTPMessage m = new SMTPMessage(session, new ByteArrayInputStream(raw));
    m.setEnvelopeFrom("<>");
    try (Transport t = session.getTransport("smtp")) {
      t.connect("127.0.0.1", listener.port(), null, null);
      t.sendMessage(m, new Address[] {new InternetAddress(rcptTo)});
    }
    // Each report a minute after the last, so that times and order are unambiguous.
    clock.advance(Duration.ofMinutes(1));
  }

  /** A DSN to the message's own return path. */
  void bounce(String name, String id, String recipient) throws MessagingException {
    report(name, id, recipient, ReturnPath.of(UUID.fromString(id), BOUNCE_DOMAIN));
  }

  /** The shop's four reports, oldest first: hard, soft, complaint, hard about nobody known. */
  record Recorded(String hard, String soft, String complaint, String unknown) {}

  Recorded shopReports() throws MessagingException {
    String hard = sent(shop, "ann@example.com");
    String soft = sent(shop, "dan@example.org");
    String complaint = sent(shop, "erin@yahoo.example");
    String unknown = sent(shop, "kim@example.com", "lee@example.com");
    bounce(DsnFixtures.POSTFIX_HARD, hard, "ann@example.com");
    bounce(DsnFixtures.POSTFIX_DELAYED, soft, "dan@example.org");
    report(DsnFixtures.ARF, complaint, "erin@yahoo.example", "fbl@" + BOUNCE_DOMAIN);
    bounce(DsnFixtures.POSTFIX_HARD, unknown, "victim@example.net");
    return new Recorded(hard, soft, complaint, unknown);
  }

  static List<JsonNode> items(Http.Answer a) {
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return a.json().get("items").valueStream().toList();
  }

  static List<String> messageIds(Http.Answer a) {
    return items(a).stream().map(i -> i.get("messageId").asString()).toList();
  }

  static String q(Object value) {
    return URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8);
  }

  // ---- tests --------------------------------------------------------------------------------

  @Test
  void a_sender_lists_its_bounces_newest_first_with_codes_and_never_an_address() throws Exception {
    Recorded r = shopReports();

    Http.Answer a = shop.get("/api/bounces");

    assertThat(messageIds(a)).containsExactly(r.unknown(), r.complaint(), r.soft(), r.hard());
    assertThat(a.json().get("nextCursor").isNull()).isTrue();
    List<JsonNode> items = items(a);
    JsonNode unknown = items.get(0);
    JsonNode complaint = items.get(1);
    JsonNode soft = items.get(2);
    JsonNode hard = items.get(3);
    assertThat(hard.get("type").asString()).isEqualTo("hard");
    assertThat(hard.get("statusCode").asString()).isEqualTo("5.1.1");
    assertThat(hard.get("diagnostic").asString()).contains("Recipient address rejected");
    assertThat(hard.get("suppressed").asBoolean()).isTrue();
    assertThat(hard.get("clientId").asString()).isEqualTo("shop");
    assertThat(UUID.fromString(hard.get("id").asString())).isNotNull();
    assertThat(soft.get("type").asString()).isEqualTo("soft");
    assertThat(soft.get("statusCode").asString()).isEqualTo("4.4.1");
    assertThat(soft.get("suppressed").asBoolean()).isFalse();
    assertThat(complaint.get("type").asString()).isEqualTo("complaint");
    assertThat(complaint.get("feedbackType").asString()).isEqualTo("abuse");
    assertThat(complaint.get("suppressed").asBoolean()).isTrue();
    // A hard bounce about an address the message was not sent to suppressed nothing.
    assertThat(unknown.get("type").asString()).isEqualTo("hard");
    assertThat(unknown.get("suppressed").asBoolean()).isFalse();
    for (int i = 0; i < 3; i++) {
      assertThat(
              java.time.Instant.parse(items.get(i).get("receivedAt").asString())
                  .isAfter(java.time.Instant.parse(items.get(i + 1).get("receivedAt").asString())))
          .isTrue();
    }
    // What suppressed says is what the suppression list holds: the hard bounce and the complaint.
    assertThat(
            shop.get("/api/suppressions")
                .json()
                .get("suppressions")
                .valueStream()
                .map(s -> s.get("reason").asString()))
        .containsExactlyInAnyOrder("HARD_BOUNCE", "COMPLAINT");
    assertThat(hard.propertyNames())
        .containsExactlyInAnyOrder(
            "id",
            "messageId",
            "clientId",
            "type",
            "statusCode",
            "feedbackType",
            "diagnostic",
            "receivedAt",
            "suppressed");
    for (String address :
        List.of(
            "ann@example.com",
            "dan@example.org",
            "erin@yahoo.example",
            "victim@example.net",
            "kim@example.com")) {
      assertThat(a.body()).doesNotContain(address).doesNotContain(index.address(address));
    }
    assertThat(http.get("/api/admin/bounces").body())
        .doesNotContain("ann@example.com")
        .doesNotContain(index.address("ann@example.com"));
  }

  @Test
  void filters_by_type_time_and_message_and_pages_without_repeats_or_gaps() throws Exception {
    Recorded r = shopReports();
    List<JsonNode> all = items(shop.get("/api/bounces"));
    String secondReceived = all.get(2).get("receivedAt").asString(); // the soft bounce

    assertThat(messageIds(shop.get("/api/bounces?type=hard")))
        .containsExactly(r.unknown(), r.hard());
    assertThat(messageIds(shop.get("/api/bounces?type=soft"))).containsExactly(r.soft());
    assertThat(messageIds(shop.get("/api/bounces?type=COMPLAINT"))).containsExactly(r.complaint());
    assertThat(messageIds(shop.get("/api/bounces?messageId=" + r.hard())))
        .containsExactly(r.hard());
    assertThat(messageIds(shop.get("/api/bounces?since=" + q(secondReceived))))
        .containsExactly(r.unknown(), r.complaint(), r.soft());
    assertThat(messageIds(shop.get("/api/bounces?until=" + q(secondReceived))))
        .containsExactly(r.hard());
    assertThat(
            messageIds(
                shop.get(
                    "/api/bounces?type=hard&since="
                        + q(secondReceived)
                        + "&until="
                        + q(clock.instant()))))
        .containsExactly(r.unknown());

    List<String> paged = new ArrayList<>();
    Http.Answer page = shop.get("/api/bounces?limit=3");
    paged.addAll(messageIds(page));
    assertThat(paged).hasSize(3);
    String cursor = page.json().get("nextCursor").asString();
    assertThat(cursor).isNotBlank();
    // A report arriving between two pages is newer than the cursor: it neither shifts nor repeats.
    String late = sent(shop, "zoe@example.com");
    bounce(DsnFixtures.GMAIL, late, "zoe@example.com");
    page = shop.get("/api/bounces?limit=3&cursor=" + q(cursor));
    paged.addAll(messageIds(page));
    assertThat(page.json().get("nextCursor").isNull()).isTrue();
    assertThat(paged).containsExactly(r.unknown(), r.complaint(), r.soft(), r.hard());
    assertThat(messageIds(shop.get("/api/bounces?limit=1"))).containsExactly(late);
  }

  @Test
  void a_sender_sees_only_its_own_client_s_bounces_and_an_admin_sees_every_client_s()
      throws Exception {
    String shops = sent(shop, "ann@example.com");
    String others = sent(other, "bob@example.com");
    bounce(DsnFixtures.POSTFIX_HARD, shops, "ann@example.com");
    bounce(DsnFixtures.GMAIL, others, "bob@example.com");

    assertThat(messageIds(shop.get("/api/bounces"))).containsExactly(shops);
    assertThat(messageIds(other.get("/api/bounces"))).containsExactly(others);
    // Another client's message id finds nothing, and says nothing about it.
    assertThat(messageIds(shop.get("/api/bounces?messageId=" + others))).isEmpty();
    // An admin key's own client has no bounces; the admin listing has every client's.
    assertThat(messageIds(http.get("/api/bounces"))).isEmpty();
    assertThat(messageIds(http.get("/api/admin/bounces"))).containsExactly(others, shops);
    List<JsonNode> shopOnly = items(http.get("/api/admin/bounces?clientId=shop"));
    assertThat(shopOnly).extracting(i -> i.get("messageId").asString()).containsExactly(shops);
    assertThat(shopOnly.get(0).get("clientId").asString()).isEqualTo("shop");
    assertThat(messageIds(http.get("/api/admin/bounces?clientId=other&type=hard")))
        .containsExactly(others);
    assertThat(messageIds(http.get("/api/admin/bounces?clientId=nobody"))).isEmpty();
    Http.Answer refused = shop.get("/api/admin/bounces");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.contentType()).startsWith("application/problem+json");
  }

  @Test
  void bad_filters_are_400_problems_naming_the_parameter() {
    record Case(String path, String parameter) {}
    for (Case c :
        List.of(
            new Case("/api/bounces?type=bounced", "type"),
            new Case("/api/admin/bounces?type=hardish", "type"),
            new Case("/api/bounces?since=yesterday", "since"),
            new Case("/api/bounces?until=2026-13-01T00:00:00Z", "until"),
            new Case("/api/admin/bounces?since=2026-01-01", "since"),
            new Case("/api/bounces?messageId=not-a-uuid", "messageId"),
            new Case("/api/bounces?limit=0", "limit"),
            new Case("/api/bounces?limit=201", "limit"),
            new Case("/api/bounces?cursor=bm9wZQ", "cursor"),
            new Case(
                "/api/bounces?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until"))) {
      Http.Answer a = (c.path().startsWith("/api/admin/") ? http : shop).get(c.path());
      assertThat(a.status()).as(c.path() + " " + a.body()).isEqualTo(400);
      assertThat(a.contentType()).as(c.path()).startsWith("application/problem+json");
      JsonNode p = a.json();
      String named =
          p.has("errors")
              ? p.get("errors").get(0).get("field").asString()
              : p.get("detail").asString();
      assertThat(named).as(c.path()).contains(c.parameter());
    }
  }
}
