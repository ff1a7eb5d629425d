package dev.ums.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects result rows and checks, and writes them as Markdown and JSON. */
final class Report {

  /** One measured number. */
  record Row(String scenario, String measure, double value, String unit, String note) {}

  /** One correctness check (e.g. every message arrived exactly once). */
  record Check(String scenario, String what, boolean passed) {}

  private final Map<String, String> machine = new LinkedHashMap<>();
  private final Map<String, String> settings = new LinkedHashMap<>();
  private final List<Row> rows = new ArrayList<>();
  private final List<Check> checks = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void machine(String key, String value) {
    machine.put(key, value);
  }

  void setting(String key, String value) {
    settings.put(key, value);
  }

  synchronized void row(String scenario, String measure, double value, String unit, String note) {
    rows.add(new Row(scenario, measure, value, unit, note == null ? "" : note));
    System.out.printf(
        Locale.ROOT, "[bench] %-28s %-44s %12s %s%n", scenario, measure, fmt(value), unit);
  }

  synchronized void check(String scenario, String what, boolean passed) {
    checks.add(new Check(scenario, what, passed));
    System.out.printf(
        Locale.ROOT, "[bench] %-28s check %s: %s%n", scenario, what, passed ? "ok" : "FAILED");
  }

  synchronized void note(String text) {
    notes.add(text);
  }

  synchronized List<Row> rows() {
    return List.copyOf(rows);
  }

  synchronized List<Check> checks() {
    return List.copyOf(checks);
  }

  /** The value of a row, or NaN. */
  synchronized double value(String scenario, String measure) {
    return rows.stream()
        .filter(r -> r.scenario().equals(scenario) && r.measure().equals(measure))
        .mapToDouble(Row::value)
        .findFirst()
        .orElse(Double.NaN);
  }

  synchronized void write(Path md, Path json) throws IOException {
    Files.createDirectories(md.getParent());
    StringBuilder b = new StringBuilder("# UMS benchmark results\n\n## Machine\n\n");
    machine.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
    b.append("\n## Settings\n\n");
    settings.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
    b.append(
        "\n## Results\n\n| scenario | measure | value | unit | note |\n|---|---|---:|---|---|\n");
    for (Row r : rows) {
      b.append("| ")
          .append(r.scenario())
          .append(" | ")
          .append(r.measure())
          .append(" | ")
          .append(fmt(r.value()))
          .append(" | ")
          .append(r.unit())
          .append(" | ")
          .append(r.note())
          .append(" |\n");
    }
    b.append("\n## Checks\n\n");
    for (Check c : checks) {
      b.append("- ")
          .append(c.passed() ? "ok" : "FAILED")
          .append(": ")
          .append(c.scenario())
          .append(" — ")
          .append(c.what())
          .append('\n');
    }
    if (!notes.isEmpty()) {
      b.append("\n## Notes\n\n");
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
    }
    Files.writeString(md, b.toString());

    StringBuilder j = new StringBuilder("{\n  \"machine\": ");
    object(j, machine);
    j.append(",\n  \"settings\": ");
    object(j, settings);
    j.append(",\n  \"results\": [");
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      j.append(i == 0 ? "\n" : ",\n")
          .append("    {\"scenario\": ")
          .append(str(r.scenario()))
          .append(", \"measure\": ")
          .append(str(r.measure()))
          .append(", \"value\": ")
          .append(Double.isFinite(r.value()) ? fmt(r.value()) : "null")
          .append(", \"unit\": ")
          .append(str(r.unit()))
          .append(", \"note\": ")
          .append(str(r.note()))
          .append('}');
    }
    j.append("\n  ],\n  \"checks\": [");
    for (int i = 0; i < checks.size(); i++) {
      Check c = checks.get(i);
      j.append(i == 0 ? "\n" : ",\n")
          .append("    {\"scenario\": ")
          .append(str(c.scenario()))
          .append(", \"check\": ")
          .append(str(c.what()))
          .append(", \"passed\": ")
          .append(c.passed())
          .append('}');
    }
    j.append("\n  ],\n  \"notes\": [");
    for (int i = 0; i < notes.size(); i++) {
      j.append(i == 0 ? "\n    " : ",\n    ").append(str(notes.get(i)));
    }
    j.append("\n  ]\n}\n");
    Files.writeString(json, j.toString());
  }

  private static void object(StringBuilder j, Map<String, String> m) {
    j.append('{');
    int i = 0;
    for (var e : m.entrySet()) {
      j.append(i++ == 0 ? "\n    " : ",\n    ")
          .append(str(e.getKey()))
          .append(": ")
          .append(str(e.getValue()));
    }
    j.append("\n  }");
  }

  static String fmt(double v) {
    if (!Double.isFinite(v)) {
      return "n/a";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString((long) v);
    }
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
