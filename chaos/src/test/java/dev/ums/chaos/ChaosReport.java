package dev.ums.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One markdown table row per scenario, printed as each scenario ends and again as a table when the
 * suite ends, and written to {@code chaos/target/chaos-report.md} (rewritten by each run).
 */
final class ChaosReport {

  static final String HEADER =
      "| scenario | messages | lost | duplicates (bound) | stuck (SENDING) | dead-lettered"
          + " | recovery (fault end → all SENT) | relay connections/min during fault |\n"
          + "|---|---|---|---|---|---|---|---|";

  private static final List<String> ROWS = new ArrayList<>();

  private ChaosReport() {}

  record Row(
      String scenario,
      int messages,
      int lost,
      int duplicates,
      int bound,
      int stuck,
      int dead,
      Duration recovery,
      String connectionsPerMinute) {

    String markdown() {
      return "| "
          + String.join(
              " | ",
              scenario,
              Integer.toString(messages),
              Integer.toString(lost),
              duplicates + " (≤ " + bound + ")",
              Integer.toString(stuck),
              Integer.toString(dead),
              recovery == null ? "not within timeout" : seconds(recovery),
              connectionsPerMinute)
          + " |";
    }
  }

  static synchronized void add(Row row) {
    String line = row.markdown();
    ROWS.add(line);
    System.out.println("[chaos] " + HEADER.lines().findFirst().orElseThrow());
    System.out.println("[chaos] " + line);
    Path file =
        Path.of(System.getProperty("ums.root", "..")).resolve("chaos/target/chaos-report.md");
    try {
      Files.createDirectories(file.getParent());
      if (ROWS.size() == 1) {
        Files.writeString(file, HEADER + "\n"); // a new suite run starts a new report
      }
      Files.writeString(file, line + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.out.println("[chaos] could not write " + file + ": " + e);
    }
  }

  static synchronized void printTable() {
    if (ROWS.isEmpty()) {
      return;
    }
    System.out.println();
    System.out.println(HEADER);
    ROWS.forEach(System.out::println);
    System.out.println();
  }

  static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
