package dev.ums.template;

import java.time.Instant;
import java.util.List;

/**
 * What {@code GET /api/templates/{name}} shows.
 *
 * @param latest the newest version in use, with its content; null when every version is retired
 * @param versions every version, oldest first
 */
record TemplateDetails(String name, TemplateVersion latest, List<VersionInfo> versions) {

  /** A version without its content. */
  record VersionInfo(int version, Instant createdAt, Instant retiredAt) {}
}
