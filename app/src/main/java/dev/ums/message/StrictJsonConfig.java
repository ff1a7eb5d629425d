package dev.ums.message;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.http.converter.autoconfigure.ServerHttpMessageConvertersCustomizer;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * How request bodies are parsed: strictly. The HTTP JSON converter gets its own mapper, built with
 * every {@code spring.jackson} customization the application's {@link JsonMapper} has, plus:
 *
 * <ul>
 *   <li>a repeated key in one object is refused (it would otherwise silently replace the first, so
 *       a second {@code "to"} could swap the recipients);
 *   <li>numbers and booleans are not turned into strings;
 *   <li>stream read limits: the document no longer than {@code ums.limits.max-request-bytes}, one
 *       string no longer than {@code ums.limits.max-message-bytes} (the content limit, which such a
 *       string would break anyway; an attachment's base64 is decoded to bytes as it is read and is
 *       bounded by {@code ums.limits.max-attachment-bytes} instead, so a 10 MB file, 13.3 MB of
 *       base64, passes), nesting at most {@value #MAX_DEPTH} levels (a batch request needs 4),
 *       numbers at most {@value #MAX_NUMBER_LENGTH} characters (the API has none).
 * </ul>
 *
 * <p>The application's own {@code JsonMapper} bean, which reads stored content back, stays as it
 * is: content stored under earlier limits must stay readable. UTF-8 well-formedness is checked on
 * the raw bytes by {@link dev.ums.web.BoundedBody}.
 */
@Configuration(proxyBeanMethods = false)
class StrictJsonConfig {

  static final int MAX_DEPTH = 8;
  static final int MAX_NUMBER_LENGTH = 20;

  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE) // after Spring Boot's, so this converter is the one used
  ServerHttpMessageConvertersCustomizer strictJsonRequests(
      ObjectProvider<JsonMapperBuilderCustomizer> customizers, LimitsProperties limits) {
    JsonMapper strict = strictMapper(customizers, limits);
    return converters -> converters.withJsonConverter(new JacksonJsonHttpMessageConverter(strict));
  }

  static JsonMapper strictMapper(
      ObjectProvider<JsonMapperBuilderCustomizer> customizers, LimitsProperties limits) {
    StreamReadConstraints constraints =
        StreamReadConstraints.builder()
            .maxDocumentLength(limits.maxRequestBytes().toBytes())
            .maxStringLength((int) Math.min(Integer.MAX_VALUE, limits.maxMessageBytes().toBytes()))
            .maxNestingDepth(MAX_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .build();
    JsonMapper.Builder builder =
        JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build());
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .withCoercionConfig(
            LogicalType.Textual,
            c ->
                c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .build();
  }
}
