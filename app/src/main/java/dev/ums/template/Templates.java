package dev.ums.template;

import com.samskivert.mustache.Template;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Each client's templates: named, with immutable numbered versions (saving a name again makes its
 * next version), any of which can be retired. Rendering is {@link TemplateEngine}'s logic-less
 * Mustache. A client only ever sees and uses its own templates: every method takes its client id.
 *
 * <p>Templates are stored in the clear: they are the client's wording, the same for every
 * recipient. What makes a message personal is its variables, which are never stored here: intake
 * renders them into the message's sealed content.
 */
@Service
public class Templates {

  private static final Logger log = LoggerFactory.getLogger(Templates.class);

  /** A template name: safe in a URL path and a log line. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  static final int MAX_SUBJECT_CHARS = 998;
  private static final int MAX_CACHED = 1_000;
  private static final int INSERT_TRIES = 5;

  private final TemplateRepository repo;
  private final TemplateLimits limits;
  private final Clock clock;

  /** Compiled versions: versions never change, so a compiled one stays right. */
  private final Map<Key, Compiled> compiled = new ConcurrentHashMap<>();

  private record Key(String clientId, String name, int version) {}

  private record Compiled(Template subject, Template html, Template text) {}

  Templates(TemplateRepository repo, TemplateLimits limits, Clock clock) {
    this.repo = repo;
    this.limits = limits;
    this.clock = clock;
  }

  /**
   * Stores {@code r} as the next version of its name (version 1 for a new name).
   *
   * @throws ApiProblem 400 for an invalid name or part (a part that does not compile names its
   *     line), 413 when the parts together exceed the message size limit
   */
  TemplateVersion create(String clientId, TemplateRequest r) {
    List<FieldProblem> errors = new ArrayList<>();
    if (r.name() == null || !NAME.matcher(r.name()).matches()) {
      errors.add(
          FieldProblem.of(
              "name",
              "1..64 letters, digits, '.', '_' or '-', starting with one of the first two"));
    }
    if (r.subject() != null) {
      if (r.subject().length() > MAX_SUBJECT_CHARS) {
        errors.add(FieldProblem.of("subject", "longer than " + MAX_SUBJECT_CHARS + " characters"));
      } else if (hasControl(r.subject())) {
        errors.add(FieldProblem.of("subject", "must not contain CR, LF or control characters"));
      }
    }
    if (r.text() == null && r.html() == null) {
      errors.add(FieldProblem.of("text", "text or html is required"));
    }
    long bytes = utf8(r.subject()) + utf8(r.html()) + utf8(r.text());
    if (bytes > limits.maxBytes()) {
      throw new ApiProblem(
              HttpStatus.CONTENT_TOO_LARGE,
              "too-large",
              "Template too large",
              "subject, html and text take " + bytes + " bytes; the limit is " + limits.maxBytes())
          .with("limit", limits.maxBytes());
    }
    check(TemplateEngine.Part.SUBJECT, r.subject(), errors);
    check(TemplateEngine.Part.HTML, r.html(), errors);
    check(TemplateEngine.Part.TEXT, r.text(), errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    for (int i = 1; ; i++) {
      TemplateVersion v =
          new TemplateVersion(
              r.name(),
              repo.nextVersion(clientId, r.name()),
              r.subject(),
              r.html(),
              r.text(),
              now,
              null);
      try {
        repo.insert(clientId, v);
        log.info(
            "event=template_version_created client_id={} template={} version={}",
            clientId,
            v.name(),
            v.version());
        return v;
      } catch (DuplicateKeyException race) {
        if (i == INSERT_TRIES) {
          throw new ApiProblem(
              HttpStatus.CONFLICT,
              "template-busy",
              "Template busy",
              "Other versions of this template are being saved right now; send it again");
        }
      }
    }
  }

  private static void check(TemplateEngine.Part part, String source, List<FieldProblem> errors) {
    if (source == null) {
      return;
    }
    String why = TemplateEngine.check(part, source);
    if (why != null) {
      errors.add(FieldProblem.of(part.field, why));
    }
  }

  /** Whether {@code name} could be a template's name. */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  List<TemplateSummary> list(String clientId) {
    return repo.list(clientId);
  }

  Optional<TemplateDetails> details(String clientId, String name) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    List<TemplateDetails.VersionInfo> versions = repo.versions(clientId, name);
    if (versions.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new TemplateDetails(name, repo.newestInUse(clientId, name).orElse(null), versions));
  }

  Optional<TemplateVersion> version(String clientId, String name, int version) {
    return NAME.matcher(name).matches() ? repo.find(clientId, name, version) : Optional.empty();
  }

  /** Retires a version (again: no change); empty if it does not exist. */
  Optional<TemplateVersion> retire(String clientId, String name, int version) {
    if (!NAME.matcher(name).matches()
        || !repo.retire(clientId, name, version, clock.instant().truncatedTo(ChronoUnit.MICROS))) {
      return Optional.empty();
    }
    log.info(
        "event=template_version_retired client_id={} template={} version={}",
        clientId,
        name,
        version);
    return repo.find(clientId, name, version);
  }

  /**
   * The version a send or a preview names: {@code version} itself (retired or not: the caller
   * decides), or with {@code version} null the newest one in use. Empty when there is no such
   * version for this client.
   */
  public Optional<TemplateVersion> resolve(String clientId, String name, Integer version) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return version == null ? repo.newestInUse(clientId, name) : repo.find(clientId, name, version);
  }

  /** A rendering: the parts, or the problems with the variables. */
  public record Result(Rendered rendered, List<FieldProblem> errors) {}

  /**
   * Renders {@code t} for {@code clientId} with {@code variables}. Missing variables and variables
   * the template cannot use are {@code errors}, reported as {@code prefix + "variables..."}.
   *
   * @throws ApiProblem 413 when a part renders to more than the message size limit
   */
  public Result render(
      String clientId, TemplateVersion t, Map<String, Object> variables, String prefix) {
    Compiled c =
        compiled.computeIfAbsent(
            new Key(clientId, t.name(), t.version()),
            k -> {
              if (compiled.size() >= MAX_CACHED) {
                compiled.clear();
              }
              return new Compiled(
                  compile(TemplateEngine.Part.SUBJECT, t.subject()),
                  compile(TemplateEngine.Part.HTML, t.html()),
                  compile(TemplateEngine.Part.TEXT, t.text()));
            });
    int maxChars = (int) Math.min(Integer.MAX_VALUE, limits.maxBytes());
    TemplateEngine.Output out =
        TemplateEngine.render(c.subject(), c.html(), c.text(), variables, maxChars, prefix);
    if (out.tooLarge() != null) {
      throw new ApiProblem(
              HttpStatus.CONTENT_TOO_LARGE,
              "too-large",
              "Message too large",
              "the template's "
                  + out.tooLarge()
                  + " renders to more than "
                  + maxChars
                  + " characters")
          .with("limit", limits.maxBytes());
    }
    if (!out.errors().isEmpty()) {
      return new Result(null, out.errors());
    }
    return new Result(
        new Rendered(t.name(), t.version(), out.subject(), out.html(), out.text()), List.of());
  }

  private static Template compile(TemplateEngine.Part part, String source) {
    return source == null ? null : TemplateEngine.compile(part, source);
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\t' && Character.isISOControl(c)) {
        return true;
      }
    }
    return false;
  }

  private static long utf8(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
