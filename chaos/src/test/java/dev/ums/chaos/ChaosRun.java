package dev.ums.chaos;

import dev.ums.testing.LocalPostgres;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * One scenario's world: a database of its own on a {@link LocalPostgres} (the suite's, or a server
 * of its own that the scenario may stop), a {@link ScriptedSmtpServer} relay, the UMS nodes it
 * starts, and JDBC checks over the message table. Everything a node writes goes to {@code
 * chaos/target/chaos-runs/<scenario>/}.
 */
final class ChaosRun implements AutoCloseable {

  /** {@code -Dchaos.long=true}: full durations and thousands of messages. */
  static final boolean LONG = Boolean.getBoolean("chaos.long");

  /** Claim lease of every node; the reaper runs every 2 s. */
  static final Duration LEASE = Duration.ofSeconds(15);

  private static LocalPostgres shared;

  final String scenario;
  final LocalPostgres pg;
  final ScriptedSmtpServer smtp;
  final Intake intake;
  final Path dir;
  private final boolean ownServer;
  private final String db;
  private final List<UmsNode> nodes = new ArrayList<>();

  private ChaosRun(String scenario, LocalPostgres pg, boolean ownServer) throws Exception {
    this.scenario = scenario;
    this.pg = pg;
    this.ownServer = ownServer;
    this.db = "chaos_" + scenario;
    Path root = Path.of(System.getProperty("ums.root", ".."));
    this.dir = root.resolve("chaos/target/chaos-runs/" + scenario);
    deleteTree(dir);
    Files.createDirectories(dir);
    try (Connection c = pg.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + db);
    }
    this.smtp = relay();
    this.intake = new Intake(scenario);
  }

  /**
   * The relay every scenario starts with: pipelining and chunking like Postfix, everything
   * accepted, deliveries counted per Message-ID, no transcript (thousands of messages).
   */
  private static ScriptedSmtpServer relay() throws IOException {
    return ScriptedSmtpServer.builder()
        .hostname("127.0.0.1")
        .advertise("PIPELINING", "CHUNKING", "8BITMIME", "ENHANCEDSTATUSCODES")
        .transcript(false)
        .backlog(256)
        .start();
  }

  /** A scenario on the suite's shared PostgreSQL (started on first use). */
  static ChaosRun open(String scenario) throws Exception {
    synchronized (ChaosRun.class) {
      if (shared == null) {
        shared = LocalPostgres.start("chaos");
      }
    }
    return new ChaosRun(scenario, shared, false);
  }

  /** A scenario with a PostgreSQL server of its own, which it may stop and start. */
  static ChaosRun openWithOwnDatabaseServer(String scenario) throws Exception {
    return new ChaosRun(scenario, LocalPostgres.start("chaos-" + scenario), true);
  }

  /**
   * Starts {@code count} nodes with the common settings plus {@code extra} (applied last) and waits
   * until all are ready. The first starts alone: it writes the shared development keyset.
   */
  List<UmsNode> start(int count, String... extra) throws Exception {
    List<UmsNode> started = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String name = scenario + "-" + (nodes.size() + 1);
      UmsNode node = new UmsNode(name, jar(), dir.resolve(name + ".log"), args(extra));
      nodes.add(node);
      started.add(node.launch());
      if (i == 1) {
        node.awaitReady();
      }
    }
    for (UmsNode n : started) {
      n.awaitReady();
    }
    return started;
  }

  private List<String> args(String... extra) {
    List<String> a = new ArrayList<>();
    a.add("--spring.datasource.url=" + pg.url(db) + "?reWriteBatchedInserts=true");
    a.add("--spring.datasource.username=" + pg.user());
    a.add("--ums.smtp.host=127.0.0.1");
    a.add("--ums.smtp.port=" + smtp.port());
    a.add("--UMS_BOOTSTRAP_ADMIN_KEY=" + UmsNode.ADMIN_KEY);
    a.add("--ums.ratelimit.enabled=false");
    a.add("--spring.profiles.active=dev");
    a.add("--ums.crypto.dev-keyset-path=" + dir.resolve("keyset.json"));
    a.add("--management.endpoints.web.exposure.include=health,prometheus");
    a.add("--ums.smtp.connect-timeout=1s");
    a.add("--ums.smtp.read-timeout=3s");
    a.add("--ums.smtp.write-timeout=3s");
    a.add("--ums.dispatch.lease=" + LEASE.toSeconds() + "s");
    a.add("--ums.dispatch.reap-interval=2s");
    a.add("--ums.dispatch.poll-interval=500ms");
    a.add("--ums.dispatch.shutdown-timeout=10s");
    a.add("--ums.retry.base=1s");
    a.add("--ums.retry.cap=" + (LONG ? "30s" : "5s"));
    a.add("--ums.dispatch.workers=" + ChaosScenariosTest.WORKERS);
    a.add("--ums.dispatch.prefetch=" + ChaosScenariosTest.PREFETCH);
    a.addAll(List.of(extra));
    // Spring Boot joins a repeated --key into "a,b": keep one value per key, the last given.
    Map<String, String> byKey = new LinkedHashMap<>();
    for (String arg : a) {
      byKey.put(arg.substring(0, arg.indexOf('=')), arg);
    }
    return List.copyOf(byKey.values());
  }

  private static Path jar() {
    Path jar = Path.of(System.getProperty("ums.root", "..")).resolve("app/target/ums.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build with ./mvnw -pl chaos -am verify");
    }
    return jar;
  }

  Connection connect() throws SQLException {
    return pg.connect(db);
  }

  /** Messages by status (QUEUED, SENDING, SENT, FAILED, CANCELLED), all rows of the database. */
  Map<String, Integer> statusCounts() throws SQLException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String s : List.of("QUEUED", "SENDING", "SENT", "FAILED", "CANCELLED")) {
      counts.put(s, 0);
    }
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT status, count(*) FROM message GROUP BY status")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getInt(2));
      }
    }
    return counts;
  }

  /** How many of {@code ids} are SENT. */
  int sent(Collection<UUID> ids) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM message WHERE status = 'SENT' AND id = ANY(?)")) {
      Array array = c.createArrayOf("uuid", ids.toArray());
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Rows claimed right now, by instance id. */
  Map<String, Integer> claimedBy() throws SQLException {
    Map<String, Integer> claimed = new LinkedHashMap<>();
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT claimed_by, count(*) FROM outbox WHERE claim_token IS NOT NULL"
                    + " GROUP BY claimed_by ORDER BY count(*) DESC")) {
      while (rs.next()) {
        claimed.put(rs.getString(1), rs.getInt(2));
      }
    }
    return claimed;
  }

  /** How many of {@code ids} are final: SENT, FAILED or CANCELLED. */
  int settled(Collection<UUID> ids) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM message WHERE status IN ('SENT', 'FAILED', 'CANCELLED')"
                    + " AND id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Waits until every id is final (SENT, FAILED or CANCELLED); the time it took if all are SENT,
   * null when one is not or {@code timeout} passed first. Database errors (a stopped server) count
   * as not yet.
   */
  Duration awaitAllSent(Collection<UUID> ids, Duration timeout) throws InterruptedException {
    Instant start = Instant.now();
    await(
        timeout,
        Duration.ofMillis(200),
        () -> {
          try {
            return settled(ids) == ids.size();
          } catch (SQLException e) {
            return false;
          }
        });
    Instant end = Instant.now();
    try {
      return sent(ids) == ids.size() ? Duration.between(start, end) : null;
    } catch (SQLException e) {
      return null;
    }
  }

  /** Waits until the relay has answered 250 to at least {@code n} messages. */
  void awaitDeliveries(int n, Duration timeout) throws InterruptedException {
    if (!await(timeout, () -> smtp.deliveries() >= n)) {
      throw new IllegalStateException(
          "only " + smtp.deliveries() + " of " + n + " deliveries within " + timeout);
    }
  }

  /** Polls {@code condition} every 10 ms until it holds (true) or {@code timeout} passes. */
  static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    return await(timeout, Duration.ofMillis(10), condition);
  }

  /** Polls {@code condition} every {@code interval} until it holds or {@code timeout} passes. */
  static boolean await(Duration timeout, Duration interval, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(interval.toMillis());
    }
    return true;
  }

  List<UmsNode> nodes() {
    return List.copyOf(nodes);
  }

  @Override
  public void close() throws Exception {
    for (UmsNode n : nodes) {
      if (n.alive()) {
        n.kill9(); // nothing is checked after this point; a graceful stop would only cost time
      }
    }
    smtp.close();
    if (ownServer) {
      pg.close();
    } else {
      try (Connection c = pg.connect("postgres");
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.exists(p)) {
      try (var paths = Files.walk(p)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
