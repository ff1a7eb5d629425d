package dev.ums.openapi;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Completes what springdoc reads from the controllers, without annotating them: the bearer scheme,
 * the problem+json answers each endpoint can give (with an example each), operation ids that do not
 * depend on scan order, and the success status where a controller sets it at run time. An endpoint
 * missing from {@link Operations#ALL} still appears, with the answers every {@code /api} call can
 * give; {@code OpenApiSpecTest} keeps the committed description in step.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsConfig {

  static final String BEARER = "bearerKey";
  static final String PROBLEM = "Problem";
  static final String PROBLEM_JSON = "application/problem+json";

  @Bean
  OpenAPI umsOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("UMS API")
                .version("1")
                .license(new License().name("Proprietary"))
                .description(
                    """
                    Transactional email delivery: `POST /api/messages` stores a message and answers \
                    `202` once it is committed; dispatchers deliver it over SMTP in the background.

                    Every call carries `Authorization: Bearer <key>` (`ums_` + 28–252 URL-safe \
                    base64 characters). A `SENDER` key sends and reads its own client's messages; an \
                    `ADMIN` key may also call `/api/admin` and `/api/dev`. Every error is an RFC 9457 \
                    `application/problem+json` document (`type`, `title`, `status`, `detail`, and \
                    `errors` for validation), never with a stack trace or an echoed value."""))
        .servers(List.of(new Server().url("/").description("this UMS")))
        .components(
            new Components()
                .addSecuritySchemes(
                    BEARER,
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .bearerFormat("ums_ API key")
                        .description("An API key: `Authorization: Bearer ums_...`"))
                .addSchemas(PROBLEM, problemSchema()))
        .addSecurityItem(new SecurityRequirement().addList(BEARER));
  }

  @Bean
  OpenApiCustomizer umsOperations() {
    return api -> {
      if (api.getPaths() == null) {
        return;
      }
      api.getPaths()
          .forEach(
              (path, item) -> {
                for (Map.Entry<PathItem.HttpMethod, Operation> e :
                    item.readOperationsMap().entrySet()) {
                  complete(path, e.getKey().name(), e.getValue());
                }
              });
      // A stable order of schemas, whatever order the controllers were scanned in.
      if (api.getComponents() != null && api.getComponents().getSchemas() != null) {
        api.getComponents().setSchemas(new TreeMap<>(api.getComponents().getSchemas()));
      }
    };
  }

  private static void complete(String path, String method, Operation op) {
    Operations.Doc doc = Operations.ALL.get(method + " " + path);
    op.setOperationId(doc != null ? doc.operationId() : fallbackId(method, path));
    if (doc != null) {
      op.setSummary(doc.summary());
      if (doc.description() != null) {
        op.setDescription(doc.description());
      }
      if (doc.success() != 200 && op.getResponses() != null) {
        ApiResponse ok = op.getResponses().remove("200");
        if (ok != null) {
          ok.setDescription(Operations.successText(doc.success()));
          op.getResponses().addApiResponse(Integer.toString(doc.success()), ok);
        }
      }
    }
    ApiResponses responses = op.getResponses() == null ? new ApiResponses() : op.getResponses();
    for (Problems.Kind k : Problems.forOperation(method, path, op, doc)) {
      responses.addApiResponse(Integer.toString(k.status()), problemResponse(k));
    }
    op.setResponses(sorted(responses));
  }

  private static ApiResponses sorted(ApiResponses in) {
    ApiResponses out = new ApiResponses();
    new TreeMap<>(in).forEach(out::addApiResponse);
    return out;
  }

  private static ApiResponse problemResponse(Problems.Kind k) {
    Map<String, Example> examples = new LinkedHashMap<>();
    for (Problems.Sample s : k.samples()) {
      examples.put(s.type(), new Example().summary(s.title()).value(s.body(k.status())));
    }
    MediaType media =
        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM));
    media.setExamples(examples);
    return new ApiResponse()
        .description(k.description())
        .content(new Content().addMediaType(PROBLEM_JSON, media));
  }

  static String fallbackId(String method, String path) {
    return (method.toLowerCase(Locale.ROOT) + path.replaceAll("[^A-Za-z0-9]+", "_"))
        .replaceAll("_+$", "");
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Schema problemSchema() {
    Schema error =
        new ObjectSchema()
            .addProperty("index", new IntegerSchema().description("item of a batch, when any"))
            .addProperty("field", new StringSchema().example("to[0]"))
            .addProperty("message", new StringSchema().example("not a valid RFC 5322 address"));
    return new ObjectSchema()
        .description("RFC 9457 problem details")
        .addProperty("type", new StringSchema().example("/problems/validation"))
        .addProperty("title", new StringSchema().example("Invalid request"))
        .addProperty("status", new IntegerSchema().example(400))
        .addProperty("detail", new StringSchema().example("to[0]: not a valid RFC 5322 address"))
        .addProperty("instance", new StringSchema().example("/api/messages"))
        .addProperty(
            "errors",
            new ArraySchema().items(error).description("one entry per bad field (validation)"))
        .addProperty(
            "currentStatus",
            new StringSchema().description("the message's status, on a 409 about it"))
        .required(List.of("type", "title", "status"));
  }
}
