package dev.ums.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole harness in quick mode (N = 2,000, a few seconds per scenario) against the real jar,
 * PostgreSQL and the sink. It asserts completion and exactly-once delivery only; no timing.
 */
class BenchQuickTest {

  @Test
  void every_scenario_completes_and_delivers_each_message_exactly_once() throws Exception {
    System.setProperty("bench.quick", "true");
    Report report = BenchMain.run(BenchConfig.fromSystemProperties());

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
            Bench.MEMORY)) {
      assertTrue(
          report.rows().stream().anyMatch(r -> r.scenario().equals(scenario)),
          "no result for " + scenario);
    }
    assertFalse(report.checks().isEmpty());
  }
}
