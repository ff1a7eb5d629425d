package dev.ums.template;

import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * The 422 of a send or preview that names a template it cannot use: unknown to this client, or a
 * retired version. It is checked only when the request is otherwise well-formed.
 */
public final class TemplateProblems {

  private TemplateProblems() {}

  /** The problem for {@code errors} ({@code template.name} / {@code template.version} entries). */
  public static ApiProblem unusable(List<FieldProblem> errors) {
    String detail =
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " messages name templates that cannot be used";
    return new ApiProblem(
            HttpStatus.UNPROCESSABLE_CONTENT,
            "template-unusable",
            "Template cannot be used",
            detail)
        .with("errors", errors);
  }

  /** No such template (or version) for this client. */
  public static FieldProblem unknown(String name, Integer version, String prefix) {
    return version == null
        ? FieldProblem.of(prefix + "name", "no template of that name is in use")
        : FieldProblem.of(prefix + "version", "this template has no version " + version);
  }

  /** A retired version. */
  public static FieldProblem retiredField(TemplateVersion t, String prefix) {
    return FieldProblem.of(
        prefix + "version", "version " + t.version() + " is retired and can no longer be used");
  }

  static ApiProblem retired(TemplateVersion t) {
    return new ApiProblem(
        HttpStatus.UNPROCESSABLE_CONTENT,
        "template-unusable",
        "Template cannot be used",
        "version " + t.version() + " is retired and can no longer be used");
  }
}
