package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.security.ContentCipher;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.UmsIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sending with a template, attachments and tags over HTTP: what is stored (sealed, rendered at
 * intake) and every refusal (400, 413, 422), with nothing stored for a refused request.
 */
@UmsIntegrationTest
class ComposeIntakeTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired ContentCipher cipher;
  @Autowired JsonMapper json;
  Http shop;

  @BeforeEach
  void clean() {
    Answer k =
        http.postJson(
            "/api/admin/keys", "{\"clientId\": \"shop\", \"role\": \"SENDER\", \"name\": \"t\"}");
    shop = http.as(k.json().get("key").asString());
    Answer t =
        shop.postJson(
            "/api/templates",
            """
            {"name": "receipt", "subject": "Receipt {{order}}",
             "html": "<p>Thanks {{name}}</p><img src=\\"cid:logo\\">", "text": "Thanks {{name}}"}
            """);
    assertThat(t.status()).as(t.body()).isEqualTo(201);
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  MailContent stored(String id) {
    byte[] sealed =
        db.jdbc()
            .queryForObject(
                "SELECT content FROM message WHERE id = ?", byte[].class, UUID.fromString(id));
    return json.readValue(cipher.open(UUID.fromString(id), sealed), MailContent.class);
  }

  static List<String> fields(Answer a) {
    List<String> out = new ArrayList<>();
    a.json().get("errors").forEach(e -> out.add(e.get("field").asString()));
    return out;
  }

  @Test
  void a_templated_message_is_rendered_at_intake_and_stored_sealed_with_its_attachments() {
    Answer a =
        shop.postJson(
            "/api/messages",
            """
            {"to": ["ann@example.com"],
             "template": {"name": "receipt", "variables": {"name": "<Ann>", "order": "42"}},
             "attachments": [
               {"filename": "../invoice 42.pdf", "contentType": "application/pdf", "content": "%s"},
               {"filename": "logo.png", "contentType": "image/png", "content": "%s",
                "contentId": "logo", "disposition": "inline"}],
             "tags": {"kind": "receipt", "shop": "eu-1"}}
            """
                .formatted(b64("%PDF-1.7 invoice"), b64("PNG")));

    assertThat(a.status()).as(a.body()).isEqualTo(202);
    String id = a.json().get("id").asString();
    MailContent c = stored(id);
    assertThat(c.subject()).isEqualTo("Receipt 42");
    assertThat(c.html()).isEqualTo("<p>Thanks &lt;Ann&gt;</p><img src=\"cid:logo\">");
    assertThat(c.text()).isEqualTo("Thanks <Ann>");
    assertThat(c.template()).isEqualTo(new MailContent.TemplateUsed("receipt", 1));
    assertThat(c.attachmentList()).hasSize(2);
    assertThat(c.attachmentList().get(0).filename()).isEqualTo("invoice 42.pdf");
    assertThat(new String(c.attachmentList().get(0).content(), StandardCharsets.UTF_8))
        .isEqualTo("%PDF-1.7 invoice");
    assertThat(c.attachmentList().get(1).inline()).isTrue();

    JsonNode view = shop.get("/api/messages/" + id).json();
    assertThat(view.get("tags").get("kind").asString()).isEqualTo("receipt");
    assertThat(view.get("tags").get("shop").asString()).isEqualTo("eu-1");
    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT array_to_string(tags, ',') FROM message WHERE id = ?",
                    String.class,
                    UUID.fromString(id)))
        .isEqualTo("kind:receipt,shop:eu-1");
  }

  @Test
  void the_newest_version_in_use_is_taken_unless_one_is_named() {
    shop.postJson(
        "/api/templates",
        "{\"name\": \"receipt\", \"subject\": \"v2\", \"text\": \"v2 {{name}}\"}");
    String latest =
        shop.postJson(
                "/api/messages",
                "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\","
                    + " \"variables\": {\"name\": \"Ann\"}}}")
            .json()
            .get("id")
            .asString();
    String pinned =
        shop.postJson(
                "/api/messages",
                "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\","
                    + " \"version\": 1, \"variables\": {\"name\": \"Ann\", \"order\": \"7\"}}}")
            .json()
            .get("id")
            .asString();

    assertThat(stored(latest).text()).isEqualTo("v2 Ann");
    assertThat(stored(pinned).text()).isEqualTo("Thanks Ann");
  }

  @Test
  void template_mistakes_are_400_and_unusable_templates_422_storing_nothing() {
    Answer both =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"subject\": \"s\", \"template\": {\"name\":"
                + " \"receipt\", \"variables\": {}}}");
    assertThat(both.status()).isEqualTo(400);
    assertThat(fields(both)).contains("template");

    Answer missing =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\","
                + " \"variables\": {\"name\": \"Ann\"}}}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(fields(missing)).containsExactly("template.variables.order");

    Answer injected =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\","
                + " \"variables\": {\"name\": \"Ann\", \"order\": \"1\\r\\nBcc: x@example.com\"}}}");
    assertThat(injected.status()).isEqualTo(400);
    assertThat(fields(injected)).containsExactly("template");
    assertThat(injected.json().get("errors").get(0).get("message").asString())
        .startsWith("the rendered subject");

    Answer badVersion =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\", \"version\": 0}}");
    assertThat(fields(badVersion)).containsExactly("template.version");

    Answer unknown =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"nope\", \"variables\": {}}}");
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().get("type").asString()).isEqualTo("/problems/template-unusable");
    assertThat(fields(unknown)).containsExactly("template.name");

    Answer noVersion =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\", \"version\": 5,"
                + " \"variables\": {}}}");
    assertThat(noVersion.status()).isEqualTo(422);
    assertThat(fields(noVersion)).containsExactly("template.version");

    shop.method("DELETE", "/api/templates/receipt/versions/1");
    Answer retired =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\", \"version\": 1,"
                + " \"variables\": {\"name\": \"a\", \"order\": \"1\"}}}");
    assertThat(retired.status()).isEqualTo(422);

    Answer otherFieldsToo =
        shop.postJson(
            "/api/messages", "{\"to\": [\"not an address\"], \"template\": {\"name\": \"nope\"}}");
    assertThat(otherFieldsToo.status()).isEqualTo(400); // malformed first, then 422
    assertThat(fields(otherFieldsToo)).containsExactly("to[0]");

    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void another_clients_template_cannot_be_used() {
    Answer a =
        http.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\","
                + " \"variables\": {\"name\": \"a\", \"order\": \"1\"}}}");
    assertThat(a.status()).isEqualTo(422); // the admin key's client has no such template
  }

  @Test
  void a_batch_renders_each_message_and_names_each_bad_one_by_index() {
    String ok =
        "{\"to\": [\"ann@example.com\"], \"template\": {\"name\": \"receipt\","
            + " \"variables\": {\"name\": \"Ann\", \"order\": \"1\"}}, \"tags\": {\"kind\": \"b\"}}";
    String bad =
        "{\"to\": [\"bob@example.com\"], \"template\": {\"name\": \"receipt\","
            + " \"variables\": {\"order\": \"2\"}}}";
    Answer refused =
        shop.postJson("/api/messages/batch", "{\"messages\": [" + ok + "," + bad + "]}");
    assertThat(refused.status()).isEqualTo(400);
    JsonNode e = refused.json().get("errors").get(0);
    assertThat(e.get("index").asInt()).isEqualTo(1);
    assertThat(e.get("field").asString()).isEqualTo("template.variables.name");
    assertThat(db.intakeRows()).isZero();

    Answer accepted =
        shop.postJson("/api/messages/batch", "{\"messages\": [" + ok + "," + ok + "]}");
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    for (JsonNode m : accepted.json().get("messages")) {
      String id = m.get("id").asString();
      assertThat(stored(id).subject()).isEqualTo("Receipt 1");
      assertThat(shop.get("/api/messages/" + id).json().get("tags").get("kind").asString())
          .isEqualTo("b");
    }
  }

  @Test
  void refused_attachment_types_are_422_and_malformed_ones_400() {
    Answer exe =
        shop.postJson(
            "/api/messages",
            """
            {"to": ["ann@example.com"], "text": "t",
             "attachments": [{"filename": "setup.exe", "content": "TVo="}]}
            """);
    assertThat(exe.status()).isEqualTo(422);
    assertThat(exe.json().get("type").asString()).isEqualTo("/problems/attachment-refused");
    assertThat(fields(exe)).containsExactly("attachments[0].filename");

    Answer type =
        shop.postJson(
            "/api/messages",
            """
            {"to": ["ann@example.com"], "text": "t",
             "attachments": [{"filename": "a.pdf", "contentType": "application/x-msdownload",
                              "content": "TVo="}]}
            """);
    assertThat(type.status()).isEqualTo(422);
    assertThat(fields(type)).containsExactly("attachments[0].contentType");

    Answer notBase64 =
        shop.postJson(
            "/api/messages",
            """
            {"to": ["ann@example.com"], "text": "t",
             "attachments": [{"filename": "a.txt", "content": "not base64!"}]}
            """);
    assertThat(notBase64.status()).isEqualTo(400);
    assertThat(notBase64.contentType()).startsWith("application/problem+json");
    assertThat(fields(notBase64)).containsExactly("attachments[0].content");
    assertThat(notBase64.json().get("errors").get(0).get("message").asString())
        .isEqualTo("not valid base64");

    Answer unknownField =
        shop.postJson(
            "/api/messages",
            """
            {"to": ["ann@example.com"], "text": "t",
             "attachments": [{"filename": "a.txt", "content": "", "path": "/etc/passwd"}]}
            """);
    assertThat(unknownField.status()).isEqualTo(400);

    Answer badTags =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"text\": \"t\", \"tags\": {\"Kind\": \"x\"}}");
    assertThat(badTags.status()).isEqualTo(400);
    assertThat(fields(badTags)).containsExactly("tags.Kind");
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void a_key_replays_a_request_with_attachments_and_refuses_different_bytes() {
    String body =
        """
        {"to": ["ann@example.com"], "text": "t", "tags": {"a": "1", "b": "2"},
         "attachments": [{"filename": "a.txt", "content": "%s"}]}
        """;
    Answer first =
        shop.postJson("/api/messages", body.formatted(b64("one")), "Idempotency-Key", "k");
    String reordered =
        """
        {"attachments": [{"content": "%s", "filename": "a.txt"}],
         "tags": {"b": "2", "a": "1"}, "text": "t", "to": ["ann@example.com"]}
        """;
    Answer again =
        shop.postJson("/api/messages", reordered.formatted(b64("one")), "Idempotency-Key", "k");
    Answer other =
        shop.postJson("/api/messages", body.formatted(b64("two")), "Idempotency-Key", "k");

    assertThat(first.status()).isEqualTo(202);
    assertThat(again.header("Idempotency-Replay")).isEqualTo("true");
    assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
    assertThat(other.status()).isEqualTo(422);
    assertThat(db.count("message")).isEqualTo(1);
  }

  @Test
  void admins_find_messages_by_tag() {
    String tagged =
        shop.postJson(
                "/api/messages",
                "{\"to\": [\"ann@example.com\"], \"text\": \"t\", \"tags\": {\"kind\": \"receipt\"}}")
            .json()
            .get("id")
            .asString();
    shop.postJson(
        "/api/messages",
        "{\"to\": [\"ann@example.com\"], \"text\": \"t\", \"tags\": {\"kind\": \"other\"}}");

    JsonNode page = http.get("/api/admin/messages?tag=kind:receipt").json();
    assertThat(page.get("items")).hasSize(1);
    assertThat(page.get("items").get(0).get("message").get("id").asString()).isEqualTo(tagged);
    assertThat(http.get("/api/admin/messages?tag=kind").status()).isEqualTo(400);
    assertThat(
            http.get("/api/admin/messages?tag=kind:receipt&domain=example.org").json().get("items"))
        .isEmpty();
  }
}
