package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.UmsIntegrationTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/** Every kind of bad input gets its status, a problem+json body, and writes nothing. */
@UmsIntegrationTest
class BadInputTest {

  @Autowired Http http;
  @Autowired Db db;

  static String mail(String extra) {
    return "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"" + extra + "}";
  }

  static Stream<Arguments> badBodies() {
    String longSubject = "s".repeat(999);
    String tooManyTo =
        Stream.iterate(0, i -> i + 1)
            .limit(51)
            .map(i -> "\"u" + i + "@example.com\"")
            .reduce((a, b) -> a + "," + b)
            .orElseThrow();
    return Stream.of(
        Arguments.of("invalid JSON", "{\"to\": [", 400, "/problems/malformed-json", null),
        Arguments.of("unknown field", mail(", \"bogus\": 1"), 400, "/problems/validation", "bogus"),
        Arguments.of(
            "wrong type",
            mail(", \"subject\": {\"a\": 1}"),
            400,
            "/problems/validation",
            "subject"),
        Arguments.of("no recipient", "{\"text\": \"hi\"}", 400, "/problems/validation", "to"),
        Arguments.of(
            "invalid address",
            "{\"to\": [\"ann@@example.com\"], \"text\": \"hi\"}",
            400,
            "/problems/validation",
            "to[0]"),
        Arguments.of(
            "address without domain",
            "{\"to\": [\"ann\"], \"text\": \"hi\"}",
            400,
            "/problems/validation",
            "to[0]"),
        Arguments.of(
            "invalid from", mail(", \"from\": \"nobody\""), 400, "/problems/validation", "from"),
        Arguments.of(
            "source route",
            "{\"to\": [\"<@relay.example:ann@example.com>\"], \"text\": \"hi\"}",
            400,
            "/problems/validation",
            "to[0]"),
        Arguments.of(
            "non-ASCII address (no SMTPUTF8)",
            "{\"to\": [\"jörg@example.de\"], \"text\": \"hi\"}",
            400,
            "/problems/validation",
            "to[0]"),
        Arguments.of(
            "quoted local part with spaces",
            "{\"to\": [\"\\\"ann lee\\\"@example.com\"], \"text\": \"hi\"}",
            400,
            "/problems/validation",
            "to[0]"),
        Arguments.of(
            "display name encoding CR LF",
            mail(", \"from\": \"=?utf-8?B?QW5uDQpCY2M6IHhAZXhhbXBsZS5jb20=?= <ann@example.com>\""),
            400,
            "/problems/validation",
            "from"),
        Arguments.of(
            "subject encoding CR LF",
            mail(", \"subject\": \"=?utf-8?Q?Hi=0D=0ABcc:_x@example.com?=\""),
            400,
            "/problems/validation",
            "subject"),
        Arguments.of(
            "trusted header X-MS-Exchange-Organization-SCL",
            mail(", \"headers\": {\"X-MS-Exchange-Organization-SCL\": \"-1\"}"),
            400,
            "/problems/validation",
            "headers.X-MS-Exchange-Organization-SCL"),
        Arguments.of(
            "trusted header X-Spam-Status",
            mail(", \"headers\": {\"x-spam-status\": \"No, score=-5\"}"),
            400,
            "/problems/validation",
            "headers.x-spam-status"),
        Arguments.of(
            "CR LF in subject",
            mail(", \"subject\": \"Hi\\r\\nBcc: victim@example.com\""),
            400,
            "/problems/validation",
            "subject"),
        Arguments.of(
            "LF in display name",
            "{\"to\": [\"Ann\\nBcc: x@example.com <ann@example.com>\"], \"text\": \"hi\"}",
            400,
            "/problems/validation",
            "to[0]"),
        Arguments.of(
            "CR in custom header",
            mail(", \"headers\": {\"X-Tag\": \"a\\rBcc: x@example.com\"}"),
            400,
            "/problems/validation",
            "headers.X-Tag"),
        Arguments.of(
            "non X- header",
            mail(", \"headers\": {\"Bcc\": \"x@example.com\"}"),
            400,
            "/problems/validation",
            "headers.Bcc"),
        Arguments.of(
            "subject over 998 chars",
            mail(", \"subject\": \"" + longSubject + "\""),
            400,
            "/problems/validation",
            "subject"),
        Arguments.of(
            "no body", "{\"to\": [\"ann@example.com\"]}", 400, "/problems/validation", "text"),
        Arguments.of(
            "51 recipients",
            "{\"to\": [" + tooManyTo + "], \"text\": \"hi\"}",
            400,
            "/problems/validation",
            "to"),
        Arguments.of(
            "sendAt unparseable",
            mail(", \"sendAt\": \"tomorrow\""),
            400,
            "/problems/validation",
            "sendAt"),
        Arguments.of(
            "sendAt beyond 30 days",
            mail(", \"sendAt\": \"" + java.time.Instant.now().plusSeconds(31L * 86400) + "\""),
            400,
            "/problems/validation",
            "sendAt"),
        Arguments.of(
            "too much metadata",
            mail(
                ", \"metadata\": {"
                    + Stream.iterate(0, i -> i + 1)
                        .limit(21)
                        .map(i -> "\"k" + i + "\": \"v\"")
                        .reduce((a, b) -> a + "," + b)
                        .orElseThrow()
                    + "}"),
            400,
            "/problems/validation",
            "metadata"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void bad_body_is_refused_with_a_problem_and_nothing_stored(
      String name, String body, int status, String type, String field) {
    Answer a = http.postJson("/api/messages", body, "Idempotency-Key", "bad-" + name.hashCode());

    assertThat(a.status()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.json().get("type").asString()).isEqualTo(type);
    assertThat(a.json().get("status").asInt()).isEqualTo(status);
    if (field != null) {
      assertThat(a.json().get("errors").findValuesAsString("field")).contains(field);
    }
    assertThat(a.body()).doesNotContain("Exception").doesNotContain("at dev.ums");
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void oversized_body_is_413() {
    // The test context sets ums.limits.max-message-bytes=1MB.
    String big = "x".repeat(1024 * 1024 + 1);

    Answer a = http.postJson("/api/messages", mail(", \"html\": \"" + big + "\""));

    assertThat(a.status()).isEqualTo(413);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.json().get("type").asString()).isEqualTo("/problems/too-large");
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void request_over_the_raw_size_limit_is_413_before_parsing() {
    String big = "x".repeat(4 * 1024 * 1024 + 1);

    Answer a = http.postJson("/api/messages", mail(", \"html\": \"" + big + "\""));

    assertThat(a.status()).isEqualTo(413);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void wrong_content_type_is_415() {
    Answer a = http.post("/api/messages", "text/plain", mail(""));

    assertThat(a.status()).isEqualTo(415);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void malformed_idempotency_key_is_400() {
    Answer tooLong = http.postJson("/api/messages", mail(""), "Idempotency-Key", "k".repeat(256));
    Answer controlChar = http.postJson("/api/messages", mail(""), "Idempotency-Key", "tab\there");

    for (Answer a : new Answer[] {tooLong, controlChar}) {
      assertThat(a.status()).as(a.body()).isEqualTo(400);
      assertThat(a.json().get("type").asString()).isEqualTo("/problems/bad-idempotency-key");
    }
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void unknown_id_is_404_and_malformed_id_is_400() {
    Answer unknown = http.get("/api/messages/0190f0c2-7f3a-7000-8000-000000000000");
    Answer malformed = http.get("/api/messages/not-a-uuid");

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).startsWith("application/problem+json");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.contentType()).startsWith("application/problem+json");
  }

  @Test
  void wrong_method_is_405() {
    Answer a = http.method("DELETE", "/api/messages");

    assertThat(a.status()).isEqualTo(405);
    assertThat(a.contentType()).startsWith("application/problem+json");
  }
}
