package dev.ums.template;

import java.util.Map;

/**
 * The body of {@code POST /api/templates/{name}/render}.
 *
 * @param version null: the newest version in use
 */
record RenderRequest(Integer version, Map<String, Object> variables) {

  /** Never prints the variables. */
  @Override
  public String toString() {
    return "RenderRequest[v" + version + "]";
  }
}
