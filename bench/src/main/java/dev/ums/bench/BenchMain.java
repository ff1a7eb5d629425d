package dev.ums.bench;

import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs every scenario once and writes {@code bench/results/latest.md} and {@code latest.json}
 * (quick mode: {@code bench/target/bench-quick.*}). Exit code 1 if any correctness check failed.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Report report = run(BenchConfig.fromSystemProperties());
    System.exit(report.checks().stream().allMatch(Report.Check::passed) ? 0 : 1);
  }

  static Report run(BenchConfig cfg) throws Exception {
    if (!BenchConfig.privatePg()) {
      return run(cfg, null);
    }
    Bench.progress("starting a private PostgreSQL with pg_stat_statements");
    try (PrivatePostgres own = PrivatePostgres.start()) {
      Bench.progress("private PostgreSQL at " + own.server());
      return run(cfg.withPgServer(own.server()), own);
    }
  }

  private static Report run(BenchConfig cfg, PrivatePostgres own) throws Exception {
    Report report = new Report();
    try (ScriptedSmtpServer sink = ScriptedSmtpServer.sink()) {
      Bench bench = new Bench(cfg, report, sink, own);
      describe(cfg, report, bench.postgres());
      long t0 = System.nanoTime();
      report.machine("load average at start", loadAverage());
      try {
        bench.runAll();
      } finally {
        report.machine("load average at end", loadAverage());
        report.setting(
            "harness wall time", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s");
        report.write(cfg.resultsMd(), cfg.resultsJson());
        Bench.progress("wrote " + cfg.resultsMd() + " and " + cfg.resultsJson());
      }
    }
    return report;
  }

  private static void describe(BenchConfig cfg, Report r, Postgres pg) {
    r.machine("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
    r.machine("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
    r.machine("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
    r.machine(
        "java",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    r.machine("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    r.machine(
        "database",
        pg.version()
            + " at "
            + cfg.pgServer()
            + (BenchConfig.privatePg()
                ? " (the harness's own server: initdb defaults, pg_stat_statements preloaded)"
                : ""));
    r.setting("mode", cfg.quick() ? "quick" : "full");
    if (BenchConfig.webhooks()) {
      r.setting(
          "UMS",
          "separate JVM, -Xmx256m, --ums.smtp.max-connections=32 --ums.dispatch.workers=32,"
              + " webhook settings at their defaults (one endpoint: one delivery at a time),"
              + " fresh PostgreSQL database per run");
      r.note(
          "All processes (PostgreSQL, UMS, the SMTP sink, the webhook receiver and the load"
              + " generator) share this machine's CPUs, and other projects' builds and benchmarks"
              + " ran on it at the same time (see the load averages): numbers are for this box at"
              + " that moment only.");
      return;
    }
    r.setting("N (drain, batch intake)", Integer.toString(cfg.n()));
    r.setting(
        "UMS",
        "separate JVM, -Xmx256m, --ums.smtp.max-connections="
            + cfg.connections()
            + " --ums.dispatch.workers="
            + cfg.connections()
            + ", fresh PostgreSQL database per scenario");
    r.setting(
        "peers",
        GruelboxPeer.NAME
            + ", "
            + DbSchedulerPeer.NAME
            + ": each on its own fresh database, the same N, sink, delays, email and "
            + cfg.connections()
            + " SMTP connections as UMS; the backlog is queued before the timed drain");
    r.setting("slow relay delay", cfg.delayMillis() + " ms per SMTP client turn");
    r.setting(
        "intake",
        "warm-up " + cfg.warmupSeconds() + " s, measure " + cfg.intakeSeconds() + " s per run");
    r.setting(
        "end to end",
        "warm-up " + cfg.e2eWarmupSeconds() + " s, measure " + cfg.e2eSeconds() + " s per rate");
    r.note(
        "All processes (PostgreSQL, UMS, the SMTP sink and the load generator) share this machine's"
            + " CPUs; numbers are for this box only.");
  }

  /** 1/5/15-minute load: shows whether something else was using the machine. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String firstValue(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "unknown";
  }
}
