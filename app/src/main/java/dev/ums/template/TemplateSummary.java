package dev.ums.template;

import java.time.Instant;

/**
 * One template in the listing.
 *
 * @param latestVersion the newest version in use; null when every version is retired
 * @param versions how many versions exist, retired ones included
 * @param updatedAt when its newest version was created
 */
record TemplateSummary(String name, Integer latestVersion, int versions, Instant updatedAt) {}
