package dev.ums.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.UmsIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The template API over HTTP: versions, retiring, previews, per-client isolation, every error. */
@UmsIntegrationTest
class TemplateApiTest {

  static final String WELCOME =
      """
      {"name": "welcome", "subject": "Hello {{name}} & co",
       "html": "<p>Hello {{name}}</p>{{#items}}<li>{{title}}</li>{{/items}}{{{signature}}}",
       "text": "Hello {{name}}"}
      """;

  @Autowired Http http;
  @Autowired Db db;
  Http shop;
  Http other;

  @BeforeEach
  void clean() {
    shop = http.as(key("shop"));
    other = http.as(key("other"));
  }

  String key(String client) {
    Answer a =
        http.postJson(
            "/api/admin/keys",
            "{\"clientId\": \"" + client + "\", \"role\": \"SENDER\", \"name\": \"t\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    return a.json().get("key").asString();
  }

  Answer save(Http as, String body) {
    return as.postJson("/api/templates", body);
  }

  @Test
  void saving_a_name_again_makes_its_next_immutable_version() {
    Answer v1 = save(shop, WELCOME);
    Answer v2 = save(shop, WELCOME.replace("Hello {{name}}\"}", "Hi {{name}}\"}"));

    assertThat(v1.status()).as(v1.body()).isEqualTo(201);
    assertThat(v1.json().get("version").asInt()).isEqualTo(1);
    assertThat(v1.header("Location")).isEqualTo("/api/templates/welcome/versions/1");
    assertThat(v2.json().get("version").asInt()).isEqualTo(2);

    JsonNode list = shop.get("/api/templates").json().get("templates");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("name").asString()).isEqualTo("welcome");
    assertThat(list.get(0).get("latestVersion").asInt()).isEqualTo(2);
    assertThat(list.get(0).get("versions").asInt()).isEqualTo(2);

    JsonNode details = shop.get("/api/templates/welcome").json();
    assertThat(details.get("latest").get("version").asInt()).isEqualTo(2);
    assertThat(details.get("latest").get("text").asString()).isEqualTo("Hi {{name}}");
    assertThat(details.get("versions")).hasSize(2);
    JsonNode first = shop.get("/api/templates/welcome/versions/1").json();
    assertThat(first.get("text").asString()).isEqualTo("Hello {{name}}");
  }

  @Test
  void concurrent_saves_of_one_name_get_distinct_versions() throws Exception {
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Answer>> answers = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        answers.add(pool.submit(() -> save(shop, WELCOME)));
      }
      List<Integer> versions = new ArrayList<>();
      for (Future<Answer> f : answers) {
        Answer a = f.get();
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        versions.add(a.json().get("version").asInt());
      }
      assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a_retired_version_stays_readable_but_the_newest_in_use_is_latest() {
    save(shop, WELCOME);
    save(shop, WELCOME);

    Answer retired = shop.method("DELETE", "/api/templates/welcome/versions/2");
    assertThat(retired.status()).as(retired.body()).isEqualTo(200);
    assertThat(retired.json().get("retiredAt").isNull()).isFalse();
    assertThat(shop.method("DELETE", "/api/templates/welcome/versions/2").status())
        .isEqualTo(200); // again: no change
    assertThat(shop.method("DELETE", "/api/templates/welcome/versions/9").status()).isEqualTo(404);

    JsonNode details = shop.get("/api/templates/welcome").json();
    assertThat(details.get("latest").get("version").asInt()).isEqualTo(1);
    assertThat(
            shop.get("/api/templates").json().get("templates").get(0).get("latestVersion").asInt())
        .isEqualTo(1);

    Answer preview =
        shop.postJson(
            "/api/templates/welcome/render", "{\"version\": 2, \"variables\": {\"name\": \"x\"}}");
    assertThat(preview.status()).isEqualTo(422);
    assertThat(preview.json().get("type").asString()).isEqualTo("/problems/template-unusable");

    shop.method("DELETE", "/api/templates/welcome/versions/1");
    assertThat(shop.get("/api/templates/welcome").json().get("latest").isNull()).isTrue();
  }

  @Test
  void a_preview_escapes_html_only_in_the_html_part_and_stores_nothing() {
    save(shop, WELCOME);

    Answer a =
        shop.postJson(
            "/api/templates/welcome/render",
            """
            {"variables": {"name": "<Ann & \\"Bob\\">", "signature": "<hr>",
                           "items": [{"title": "a<b"}, {"title": "c"}]}}
            """);

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode r = a.json();
    assertThat(r.get("version").asInt()).isEqualTo(1);
    assertThat(r.get("subject").asString()).isEqualTo("Hello <Ann & \"Bob\"> & co");
    assertThat(r.get("text").asString()).isEqualTo("Hello <Ann & \"Bob\">");
    assertThat(r.get("html").asString())
        .isEqualTo("<p>Hello &lt;Ann &amp; &quot;Bob&quot;&gt;</p><li>a&lt;b</li><li>c</li><hr>");
    assertThat(db.count("message")).isZero();
  }

  @Test
  void a_missing_variable_or_section_is_a_400_naming_it_and_null_renders_empty() {
    save(shop, WELCOME);

    Answer missing =
        shop.postJson(
            "/api/templates/welcome/render", "{\"variables\": {\"name\": \"Ann\", \"items\": []}}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("errors").get(0).get("field").asString())
        .isEqualTo("variables.signature");

    Answer noSection =
        shop.postJson(
            "/api/templates/welcome/render",
            "{\"variables\": {\"name\": \"Ann\", \"signature\": \"\"}}");
    assertThat(noSection.json().get("errors").get(0).get("field").asString())
        .isEqualTo("variables.items");

    Answer nulls =
        shop.postJson(
            "/api/templates/welcome/render",
            "{\"variables\": {\"name\": null, \"items\": null, \"signature\": null}}");
    assertThat(nulls.status()).as(nulls.body()).isEqualTo(200);
    assertThat(nulls.json().get("html").asString()).isEqualTo("<p>Hello </p>");
  }

  @Test
  void a_client_sees_only_its_own_templates() {
    save(shop, WELCOME);

    assertThat(other.get("/api/templates").json().get("templates")).isEmpty();
    assertThat(other.get("/api/templates/welcome").status()).isEqualTo(404);
    assertThat(other.get("/api/templates/welcome/versions/1").status()).isEqualTo(404);
    assertThat(other.method("DELETE", "/api/templates/welcome/versions/1").status()).isEqualTo(404);
    assertThat(other.postJson("/api/templates/welcome/render", "{\"variables\": {}}").status())
        .isEqualTo(404);
    // The same name for another client is its own template, numbered from 1.
    assertThat(save(other, WELCOME).json().get("version").asInt()).isEqualTo(1);
    assertThat(http.get("/api/templates").json().get("templates")).isEmpty(); // admin's own
    assertThat(http.as(null).get("/api/templates").status()).isEqualTo(401);
  }

  @Test
  void invalid_templates_are_400_naming_each_part() {
    Answer a =
        save(
            shop,
            """
            {"name": "bad name!", "subject": "a\\r\\nBcc: x@example.com",
             "html": "<p>{{#open}}</p>", "text": "{{> footer}}"}
            """);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.contentType()).startsWith("application/problem+json");
    JsonNode errors = a.json().get("errors");
    List<String> fields = new ArrayList<>();
    errors.forEach(e -> fields.add(e.get("field").asString()));
    assertThat(fields).containsExactly("name", "subject", "html", "text");
    assertThat(errors.get(2).get("message").asString()).contains("line 1");
    assertThat(errors.get(3).get("message").asString()).contains("partial");

    Answer empty = save(shop, "{\"name\": \"x\", \"subject\": \"s\"}");
    assertThat(empty.json().get("errors").get(0).get("field").asString()).isEqualTo("text");
    assertThat(save(shop, "{\"name\": \"x\", \"text\": \"t\", \"extra\": 1}").status())
        .isEqualTo(400);
    assertThat(db.count("message_template")).isZero();
  }

  @Test
  void a_template_over_the_message_size_limit_is_413() {
    String big = "x".repeat(1024 * 1024 + 1); // ums.limits.max-message-bytes is 1MB here
    Answer a = save(shop, "{\"name\": \"big\", \"text\": \"" + big + "\"}");
    assertThat(a.status()).isEqualTo(413);
    assertThat(a.json().get("type").asString()).isEqualTo("/problems/too-large");
  }

  @Test
  void rendering_is_bounded_in_iterations_and_in_size() {
    save(
        shop,
        "{\"name\": \"loop\", \"text\": \"{{#a}}{{#a}}{{#a}}{{#a}}.{{/a}}{{/a}}{{/a}}{{/a}}\"}");
    StringBuilder items = new StringBuilder("[");
    for (int i = 0; i < 100; i++) {
      items.append(i == 0 ? "" : ",").append("{}");
    }
    items.append("]");
    Answer loops =
        shop.postJson("/api/templates/loop/render", "{\"variables\": {\"a\": " + items + "}}");
    assertThat(loops.status()).as(loops.body()).isEqualTo(400);
    assertThat(loops.json().get("errors").get(0).get("message").asString())
        .contains("more than " + TemplateEngine.MAX_ITERATIONS);

    save(shop, "{\"name\": \"grow\", \"text\": \"{{#a}}{{{b}}}{{/a}}\"}");
    String b = "y".repeat(100_000);
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i < 20; i++) {
      many.append(i == 0 ? "" : ",").append("1");
    }
    many.append("]");
    Answer grows =
        shop.postJson(
            "/api/templates/grow/render",
            "{\"variables\": {\"a\": " + many + ", \"b\": \"" + b + "\"}}");
    assertThat(grows.status()).as(grows.body()).isEqualTo(413);
  }

  @Test
  void no_part_of_the_api_reaches_java_objects_through_a_template() {
    save(shop, "{\"name\": \"probe\", \"text\": \"{{name.class}}{{name.bytes}}\"}");
    Answer a = shop.postJson("/api/templates/probe/render", "{\"variables\": {\"name\": \"Ann\"}}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().get("errors").get(0).get("field").asString())
        .isEqualTo("variables.name.class");
  }
}
