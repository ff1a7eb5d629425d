package dev.ums.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One invalid field. {@code index} is the position in a batch request, absent for single ones;
 * {@code field} is a path such as {@code to[2]} or {@code headers.X-Tag}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FieldProblem(Integer index, String field, String message) {

  public static FieldProblem of(String field, String message) {
    return new FieldProblem(null, field, message);
  }

  public FieldProblem atIndex(int i) {
    return new FieldProblem(i, field, message);
  }
}
