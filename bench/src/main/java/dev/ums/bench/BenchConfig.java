package dev.ums.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Harness parameters, from system properties ({@code -Dbench.n=20000}). Quick mode ({@code
 * -Dbench.quick=true}) shrinks everything to a few seconds per scenario.
 *
 * @param root project root (holds {@code app/target/ums.jar} and {@code bench/})
 * @param n messages per drain and per batch-intake run
 * @param connections SMTP connection cap and dispatch workers given to UMS (and to the raw client)
 * @param delayMillis simulated SMTP round trip per client turn for the "slow relay" runs
 * @param warmupSeconds intake warm-up before each measured intake run
 * @param intakeSeconds measured duration of each closed-loop intake run
 * @param e2eSeconds measured duration of each open-loop end-to-end run
 * @param rates messages/s for the end-to-end runs
 * @param drainOnly run only UMS's two drains ({@code -Dbench.drainOnly=true}), to measure a
 *     dispatch change quickly; results go to {@code bench/target/bench-drain.md}
 * @param composeOnly run only the compose drains ({@code -Dbench.composeOnly=true}): plain,
 *     templated and with an attachment; results go to {@code bench/target/bench-compose.md}
 * @param composeN messages per compose drain ({@code -Dbench.composeN})
 * @param umsOnly run only UMS's loopback drain (with memory) and intake ({@code
 *     -Dbench.umsOnly=true}), to compare two UMS builds; results go to {@code
 *     bench/target/bench-ums.md}
 */
record BenchConfig(
    boolean quick,
    boolean drainOnly,
    boolean composeOnly,
    int composeN,
    boolean umsOnly,
    Path root,
    Path jar,
    String pgServer,
    int n,
    int connections,
    long delayMillis,
    int warmupSeconds,
    int intakeSeconds,
    int e2eWarmupSeconds,
    int e2eSeconds,
    int[] rates,
    int[] intakeClients) {

  static BenchConfig fromSystemProperties() {
    boolean quick = Boolean.getBoolean("bench.quick");
    Path root = findRoot();
    Path jar =
        Path.of(System.getProperty("bench.jar", root.resolve("app/target/ums.jar").toString()));
    return new BenchConfig(
        quick,
        Boolean.getBoolean("bench.drainOnly"),
        Boolean.getBoolean("bench.composeOnly"),
        Integer.getInteger("bench.composeN", quick ? 500 : 5_000),
        Boolean.getBoolean("bench.umsOnly"),
        root,
        jar,
        System.getProperty("bench.pg", "127.0.0.1:5432"),
        Integer.getInteger("bench.n", quick ? 2_000 : 50_000),
        32,
        Long.getLong("bench.delayMillis", 5),
        Integer.getInteger("bench.warmupSeconds", quick ? 1 : 5),
        Integer.getInteger("bench.intakeSeconds", quick ? 3 : 20),
        Integer.getInteger("bench.e2eWarmupSeconds", quick ? 1 : 5),
        Integer.getInteger("bench.e2eSeconds", quick ? 3 : 60),
        ints(System.getProperty("bench.rates", "500,200")),
        ints(System.getProperty("bench.intakeClients", "32,128")));
  }

  /** {@code -Dbench.rateCap=R}: run only scenario 7 at R emails/s (0: not run). */
  static int rateCap() {
    return Integer.getInteger("bench.rateCap", 0);
  }

  /**
   * {@code -Dbench.kafka=true}: run only scenario 9, database against Kafka transport; results go
   * to {@code bench/results/kafka.md}.
   */
  static boolean kafka() {
    return Boolean.getBoolean("bench.kafka");
  }

  /**
   * {@code -Dbench.privatePg=true}: the harness runs its own PostgreSQL server with {@code
   * pg_stat_statements} preloaded ({@link PrivatePostgres}) instead of {@code bench.pg}, and
   * scenario 9 counts statements per message; its results then go to {@code
   * bench/results/kafka-statements.md}, leaving {@code bench/results/kafka.md} alone.
   */
  static boolean privatePg() {
    return Boolean.getBoolean("bench.privatePg");
  }

  /** This configuration on another PostgreSQL server. */
  BenchConfig withPgServer(String server) {
    return new BenchConfig(
        quick,
        drainOnly,
        composeOnly,
        composeN,
        umsOnly,
        root,
        jar,
        server,
        n,
        connections,
        delayMillis,
        warmupSeconds,
        intakeSeconds,
        e2eWarmupSeconds,
        e2eSeconds,
        rates,
        intakeClients);
  }

  /** {@code -Dbench.kafkaBootstrap}, else {@code UMS_TEST_KAFKA}, else 127.0.0.1:19092. */
  static String kafkaBootstrap() {
    String env = System.getenv("UMS_TEST_KAFKA");
    return System.getProperty(
        "bench.kafkaBootstrap", env == null || env.isBlank() ? "127.0.0.1:19092" : env);
  }

  /** {@code -Dbench.webhooks=true}: run only the webhook scenarios ({@link WebhookBench}). */
  static boolean webhooks() {
    return Boolean.getBoolean("bench.webhooks");
  }

  /**
   * {@code -Dbench.control=slow,throttle,priority,fair,nolimits} (or {@code all}): run only these
   * delivery-control scenarios; empty when not set.
   */
  static java.util.Set<String> control() {
    String v = System.getProperty("bench.control", "").trim();
    if (v.isEmpty()) {
      return java.util.Set.of();
    }
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (String s : v.split(",")) {
      String name = s.trim().toLowerCase(java.util.Locale.ROOT);
      if (name.equals("all")) {
        out.addAll(ControlBench.SCENARIOS);
      } else if (ControlBench.SCENARIOS.contains(name)) {
        out.add(name);
      } else {
        throw new IllegalArgumentException(
            "bench.control: '" + name + "' is none of " + ControlBench.SCENARIOS + " or all");
      }
    }
    return out;
  }

  Path resultsMd() {
    return kafka()
        ? root.resolve(privatePg() ? "bench/results/kafka-statements.md" : "bench/results/kafka.md")
        : webhooks()
            ? root.resolve(quick ? "bench/target/bench-webhooks.md" : "bench/results/webhooks.md")
            : !control().isEmpty()
                ? root.resolve("bench/target/bench-control.md")
                : rateCap() > 0
                    ? root.resolve("bench/target/bench-ratecap.md")
                    : composeOnly
                        ? root.resolve("bench/target/bench-compose.md")
                        : drainOnly
                            ? root.resolve("bench/target/bench-drain.md")
                            : umsOnly
                                ? root.resolve("bench/target/bench-ums.md")
                                : quick
                                    ? root.resolve("bench/target/bench-quick.md")
                                    : root.resolve("bench/results/latest.md");
  }

  Path resultsJson() {
    return kafka()
        ? root.resolve(
            privatePg() ? "bench/results/kafka-statements.json" : "bench/results/kafka.json")
        : webhooks()
            ? root.resolve("bench/target/bench-webhooks.json")
            : !control().isEmpty()
                ? root.resolve("bench/target/bench-control.json")
                : rateCap() > 0
                    ? root.resolve("bench/target/bench-ratecap.json")
                    : composeOnly
                        ? root.resolve("bench/target/bench-compose.json")
                        : drainOnly
                            ? root.resolve("bench/target/bench-drain.json")
                            : umsOnly
                                ? root.resolve("bench/target/bench-ums.json")
                                : quick
                                    ? root.resolve("bench/target/bench-quick.json")
                                    : root.resolve("bench/results/latest.json");
  }

  Path logDir() {
    return root.resolve("bench/target/logs");
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }

  /** {@code -Dums.root}, else the nearest directory upwards holding both app/ and bench/. */
  private static Path findRoot() {
    String explicit = System.getProperty("ums.root");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit).toAbsolutePath().normalize();
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.isDirectory(p.resolve("app")) && Files.isDirectory(p.resolve("bench"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("run from inside the UMS project (or set -Dums.root)");
  }
}
