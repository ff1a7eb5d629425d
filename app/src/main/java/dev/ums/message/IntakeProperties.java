package dev.ums.message;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.intake.*}: group commit of single-message requests on PostgreSQL ({@link
 * GroupCommit}).
 *
 * @param groupCommit write concurrent single requests together, one transaction per group
 * @param writers threads (and database connections) writing groups
 * @param maxGroup most requests in one group
 */
@ConfigurationProperties("ums.intake")
record IntakeProperties(
    @DefaultValue("true") boolean groupCommit,
    @DefaultValue("2") int writers,
    @DefaultValue("256") int maxGroup) {

  IntakeProperties {
    if (writers < 1 || maxGroup < 1) {
      throw new IllegalArgumentException("ums.intake.writers and max-group must be at least 1");
    }
  }
}
