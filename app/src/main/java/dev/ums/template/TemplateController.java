package dev.ums.template;

import dev.ums.ratelimit.RateLimiter;
import dev.ums.security.Caller;
import dev.ums.web.ApiProblem;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The template API, scoped to the caller's client (ADMIN keys included: they manage their own
 * client's templates): save a version, list, read, retire a version, preview a rendering. Another
 * client's template is "not found".
 */
@RestController
@RequestMapping(path = "/api/templates", produces = MediaType.APPLICATION_JSON_VALUE)
class TemplateController {

  private final Templates templates;
  private final RateLimiter rateLimiter;

  TemplateController(Templates templates, RateLimiter rateLimiter) {
    this.templates = templates;
    this.rateLimiter = rateLimiter;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<TemplateVersion> create(@RequestBody TemplateRequest r) {
    String clientId = Caller.current().clientId();
    rateLimiter.checkRequest(clientId);
    TemplateVersion v = templates.create(clientId, r);
    return ResponseEntity.status(HttpStatus.CREATED)
        .location(URI.create("/api/templates/" + v.name() + "/versions/" + v.version()))
        .body(v);
  }

  @GetMapping
  Map<String, List<TemplateSummary>> list() {
    return Map.of("templates", templates.list(Caller.current().clientId()));
  }

  @GetMapping("/{name}")
  TemplateDetails get(@PathVariable String name) {
    return templates
        .details(Caller.current().clientId(), name)
        .orElseThrow(() -> ApiProblem.notFound("Template"));
  }

  @GetMapping("/{name}/versions/{version}")
  TemplateVersion version(@PathVariable String name, @PathVariable int version) {
    return templates
        .version(Caller.current().clientId(), name, version)
        .orElseThrow(() -> ApiProblem.notFound("Template version"));
  }

  /** Retires a version: it stays readable but can no longer be used to send. Idempotent. */
  @DeleteMapping("/{name}/versions/{version}")
  TemplateVersion retire(@PathVariable String name, @PathVariable int version) {
    return templates
        .retire(Caller.current().clientId(), name, version)
        .orElseThrow(() -> ApiProblem.notFound("Template version"));
  }

  /**
   * Renders a version with the given variables, exactly as a send would, without sending or storing
   * anything.
   */
  @PostMapping(path = "/{name}/render", consumes = MediaType.APPLICATION_JSON_VALUE)
  Rendered render(@PathVariable String name, @RequestBody RenderRequest r) {
    String clientId = Caller.current().clientId();
    rateLimiter.checkRequest(clientId);
    TemplateVersion t =
        templates
            .resolve(clientId, name, r.version())
            .orElseThrow(() -> ApiProblem.notFound("Template version"));
    if (t.retired()) {
      throw TemplateProblems.retired(t)
          .with("errors", List.of(TemplateProblems.retiredField(t, "")));
    }
    Templates.Result result = templates.render(clientId, t, r.variables(), "");
    if (!result.errors().isEmpty()) {
      throw ApiProblem.validation(result.errors());
    }
    return result.rendered();
  }
}
