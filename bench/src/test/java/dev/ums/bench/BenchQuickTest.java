package dev.ums.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ums.testing.LocalPostgres;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole harness in quick mode (N = 2,000, a few seconds per scenario) against the real jar,
 * PostgreSQL and the sink. It asserts completion and exactly-once delivery only; no timing. When
 * nothing answers at {@code bench.pg} (default {@code 127.0.0.1:5432}), it runs against a private
 * server ({@link LocalPostgres}) instead.
 */
class BenchQuickTest {

  @Test
  void every_scenario_completes_and_delivers_each_message_exactly_once() throws Exception {
    System.setProperty("bench.quick", "true");
    String configured = System.getProperty("bench.pg", "127.0.0.1:5432");
    String[] hostPort = configured.split(":");
    LocalPostgres local = null;
    if (!LocalPostgres.accepts(hostPort[0], Integer.parseInt(hostPort[1]))) {
      local = LocalPostgres.start("bench");
      System.setProperty("bench.pg", local.server());
    }
    Report report;
    try {
      report = BenchMain.run(BenchConfig.fromSystemProperties());
    } finally {
      if (local != null) {
        local.close();
        System.setProperty("bench.pg", configured);
      }
    }

    List<Report.Check> failed = report.checks().stream().filter(c -> !c.passed()).toList();
    assertEquals(List.of(), failed);
    for (String scenario :
        List.of(
            Bench.RAW,
            Bench.PEERS,
            Bench.DRAIN,
            Bench.DRAIN_SLOW,
            Bench.INTAKE,
            Bench.E2E,
            Bench.MEMORY,
            ControlBench.SLOW)) {
      assertTrue(
          report.rows().stream().anyMatch(r -> r.scenario().equals(scenario)),
          "no result for " + scenario);
    }
    assertFalse(report.checks().isEmpty());
  }
}
