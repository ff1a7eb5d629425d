package dev.ums.template;

/** A rendered template version: what a message made from it would say. */
public record Rendered(String name, int version, String subject, String html, String text) {

  /** Never prints the rendered text (it holds the variables). */
  @Override
  public String toString() {
    return "Rendered[" + name + " v" + version + "]";
  }
}
