package dev.ums.template;

import java.time.Instant;

/**
 * One immutable version of a client's template.
 *
 * @param retiredAt when it was retired (it can no longer be used to send); null while in use
 */
public record TemplateVersion(
    String name,
    int version,
    String subject,
    String html,
    String text,
    Instant createdAt,
    Instant retiredAt) {

  public boolean retired() {
    return retiredAt != null;
  }
}
