package dev.ums.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Http;
import dev.ums.testing.UmsIntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API description: served without a key, complete (every {@code /api} controller endpoint is in
 * it, with the bearer scheme and its problem answers), and identical to {@code docs/openapi.json}.
 * After a deliberate API change, refresh that file with {@code ./mvnw -pl app -am verify
 * -Dtest=OpenApiSpecTest -Dsurefire.failIfNoSpecifiedTests=false -Dums.openapi.update=true} and
 * commit it.
 */
@UmsIntegrationTest
class OpenApiSpecTest {

  static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Autowired Http http;

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  JsonNode spec() {
    Http.Answer a = http.as(null).get("/v3/api-docs");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return a.json();
  }

  @Test
  void the_description_is_openapi_3_1_with_the_bearer_scheme_and_problem_answers() {
    JsonNode spec = spec();

    assertThat(spec.get("openapi").asString()).startsWith("3.1");
    assertThat(spec.at("/components/securitySchemes/bearerKey/scheme").asString())
        .isEqualTo("bearer");
    assertThat(spec.at("/security/0").has("bearerKey")).isTrue();
    spec.get("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        op -> {
                          JsonNode unauthorized = op.getValue().at("/responses/401/content");
                          assertThat(unauthorized.has("application/problem+json"))
                              .as(op.getKey() + " " + path.getKey())
                              .isTrue();
                          assertThat(
                                  unauthorized.at("/application~1problem+json/examples").isEmpty())
                              .isFalse();
                        }));
    assertThat(spec.at("/paths/~1api~1messages/post/responses").has("202")).isTrue();
    assertThat(spec.at("/paths/~1api~1admin~1keys/post/responses").has("201")).isTrue();
  }

  @Test
  void every_api_endpoint_of_the_controllers_is_described_and_nothing_else_is_served() {
    JsonNode paths = spec().get("paths");
    List<String> missing = new ArrayList<>();
    List<String> undeclared = new ArrayList<>();
    for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mappings.getHandlerMethods().entrySet()) {
      RequestMappingInfo info = e.getKey();
      for (String pattern : info.getPatternValues()) {
        if (pattern.startsWith("/api/")) {
          for (RequestMethod m : info.getMethodsCondition().getMethods()) {
            if (!paths.has(pattern) || !paths.get(pattern).has(m.name().toLowerCase(Locale.ROOT))) {
              missing.add(m + " " + pattern);
            }
          }
        } else if (!(pattern.equals("/")
            || pattern.startsWith("/console")
            || pattern.equals("/error")
            || pattern.startsWith("/v3/api-docs")
            || pattern.startsWith("/swagger-ui"))) {
          undeclared.add(pattern + " (" + e.getValue().getBeanType().getSimpleName() + ")");
        }
      }
    }
    assertThat(missing).as("controller endpoints missing from the description").isEmpty();
    assertThat(undeclared)
        .as("served outside /api, the console and the API description: decide where they belong")
        .isEmpty();
  }

  @Test
  void swagger_ui_is_served_without_a_key_from_the_jar() {
    Http.Answer redirect = http.as(null).get("/swagger-ui.html");
    assertThat(redirect.status()).isIn(200, 302);
    Http.Answer page = http.as(null).get("/swagger-ui/index.html");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("swagger-ui");
    assertThat(page.headers().allValues("Set-Cookie")).isEmpty();
  }

  @Test
  void docs_openapi_json_is_the_description_served() throws IOException {
    String served = canonical(spec());
    Path file = root().resolve("docs").resolve("openapi.json");
    if (Boolean.getBoolean("ums.openapi.update")) {
      Files.writeString(file, served, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(file)).as(file + " exists").isTrue();
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as(
            "docs/openapi.json differs from the served description; if the API change is"
                + " meant, run this test with -Dums.openapi.update=true and commit the file")
        .isEqualTo(served);
  }

  /** Keys sorted at every level, two-space indents, one trailing newline: diffs stay small. */
  static String canonical(JsonNode node) {
    return JSON.writeValueAsString(sorted(node)) + "\n";
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      node.properties().forEach(e -> fields.put(e.getKey(), sorted(e.getValue())));
      ObjectNode out = JSON.createObjectNode();
      fields.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      var out = JSON.createArrayNode();
      node.forEach(n -> out.add(sorted(n)));
      return out;
    }
    return node;
  }

  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no project root above " + Path.of("").toAbsolutePath());
    }
    return p;
  }
}
