package dev.ums.observability;

import org.springframework.boot.health.contributor.Status;

/** Health statuses of UMS's own beyond Spring Boot's UP, DOWN, OUT_OF_SERVICE and UNKNOWN. */
final class HealthStatus {

  /**
   * Degraded but serving. Ordered between DOWN and UP and answered with HTTP 200 (see
   * application.yml), so the aggregate shows it while probes and load balancers keep the instance;
   * the component's details say what is wrong, and an alert rule is what wakes a person. Shared by
   * every component that uses it: the aggregate repeats one component's status, description
   * included, so the description must fit them all.
   */
  static final Status WARN = new Status("WARN", "serving, but a component needs attention");

  private HealthStatus() {}
}
