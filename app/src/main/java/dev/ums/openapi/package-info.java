/**
 * The API description: OpenAPI 3.1 for every {@code /api} endpoint, generated from the controllers
 * by springdoc and completed here (bearer scheme, problem+json answers, stable operation ids,
 * summaries). Served at {@code /v3/api-docs} with Swagger UI at {@code /swagger-ui.html}, and kept
 * in the repository as {@code docs/openapi.json}.
 */
package dev.ums.openapi;
