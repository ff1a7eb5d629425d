package dev.ums.bench;

import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The scenarios. Each one records numbers and correctness checks in a {@link Report}; UMS always
 * runs as its own JVM with {@code -Xmx256m}, 32 SMTP connections and 32 dispatch workers.
 */
final class Bench {

  static final String DRAIN = "1 drain, loopback";
  static final String DRAIN_SLOW = "2 drain, slow relay";
  static final String RAW = "3 raw SMTP ceiling";
  static final String PEERS = "3 peers";
  static final String INTAKE = "4 intake";
  static final String E2E = "5 end to end";
  static final String MEMORY = "6 memory (drain)";
  static final String COMPOSE = "7 compose drain, loopback";
  static final String RATE_CAP = "8 global rate cap, two instances";
  static final String TRANSPORT = "9 transport drain, loopback";

  private static final int BATCH = 500;
  private static final int INSERT_THREADS = 2;

  private final BenchConfig cfg;
  private final Report report;
  private final Postgres pg;
  private final ScriptedSmtpServer sink;
  private final PrivatePostgres own;
  private int umsRuns;

  /**
   * @param own the harness's own server, when {@code cfg.pgServer()} is it ({@code
   *     -Dbench.privatePg=true}), else null
   */
  Bench(BenchConfig cfg, Report report, ScriptedSmtpServer sink, PrivatePostgres own) {
    this.cfg = cfg;
    this.report = report;
    this.pg = new Postgres(cfg.pgServer(), "postgres", "");
    this.sink = sink;
    this.own = own;
  }

  Postgres postgres() {
    return pg;
  }

  void runAll() throws Exception {
    if (!Files.isRegularFile(cfg.jar())) {
      throw new IllegalStateException(
          cfg.jar() + " is missing: build it first (./mvnw -B -pl bench -am package -DskipTests)");
    }
    if (BenchConfig.kafka()) {
      transports(BenchConfig.kafkaBootstrap());
      return;
    }
    if (BenchConfig.webhooks()) {
      new WebhookBench(this, cfg, report, sink).run();
      return;
    }
    if (!BenchConfig.control().isEmpty()) {
      new ControlBench(this, cfg, report, pg, sink).run(BenchConfig.control());
      return;
    }
    if (BenchConfig.rateCap() > 0) {
      rateCap(BenchConfig.rateCap(), Integer.getInteger("bench.rateCapSeconds", 60));
      return;
    }
    if (cfg.composeOnly()) {
      for (UmsClient.Shape shape : UmsClient.Shape.values()) {
        composeDrain(shape);
      }
      return;
    }
    if (cfg.drainOnly()) {
      drain(DRAIN, 0, true);
      drain(DRAIN_SLOW, cfg.delayMillis(), false);
      return;
    }
    if (cfg.umsOnly()) {
      drain(DRAIN, 0, true);
      intake();
      return;
    }
    sinkCeiling();
    raw(0, "loopback");
    raw(cfg.delayMillis(), cfg.delayMillis() + " ms per turn");
    peers(0, "loopback");
    peers(cfg.delayMillis(), cfg.delayMillis() + " ms per turn");
    drain(DRAIN, 0, true);
    drain(DRAIN_SLOW, cfg.delayMillis(), false);
    ratio(DRAIN, RAW, "Jakarta Mail loopback emails/s");
    ratio(DRAIN_SLOW, RAW, "Jakarta Mail " + cfg.delayMillis() + " ms per turn emails/s");
    peerRatio(DRAIN, "loopback");
    peerRatio(DRAIN_SLOW, cfg.delayMillis() + " ms per turn");
    intake();
    endToEnd();
    if (cfg.quick()) {
      // The slow-rule scenario at a small size: rules keep apart end to end with the built jar.
      new ControlBench(this, cfg, report, pg, sink).run(java.util.Set.of("slow"));
    }
  }

  // ---- 3: ceilings -----------------------------------------------------------------------

  private void sinkCeiling() throws Exception {
    progress("sink ceiling: raw pipelined client, " + cfg.connections() + " connections");
    int n = cfg.quick() ? cfg.n() : Math.max(cfg.n(), 20_000);
    sink.roundTripDelay(Duration.ZERO);
    sink.reset();
    RawSmtp.blast(sink.port(), cfg.connections(), n);
    report.row(
        RAW,
        "sink ceiling (raw socket client) emails/s",
        rate(n, sink.firstAt(), sink.lastAt()),
        "emails/s",
        n + " messages, " + cfg.connections() + " connections, 2 turns per message");
    report.check(RAW, "sink got " + n + " raw messages exactly once", exactlyOnce(n));
  }

  private void raw(long delay, String label) throws Exception {
    progress("raw Jakarta Mail, " + label);
    int n = delay == 0 ? cfg.n() : Math.min(cfg.n(), 20_000);
    sink.roundTripDelay(Duration.ofMillis(delay));
    sink.reset();
    RawSmtp.jakartaMail(sink.port(), cfg.connections(), n);
    report.row(
        RAW,
        "Jakarta Mail " + label + " emails/s",
        rate(n, sink.firstAt(), sink.lastAt()),
        "emails/s",
        n
            + " messages, "
            + cfg.connections()
            + " threads x 1 reused Transport, no database; "
            + turnsPerMessage()
            + " turns/message");
    report.check(
        RAW, "Jakarta Mail " + label + ": " + n + " messages exactly once", exactlyOnce(n));
    sink.roundTripDelay(Duration.ZERO);
  }

  // ---- 3: peers ---------------------------------------------------------------------------

  /** Opens a peer on a fresh database. */
  private interface PeerFactory {
    Peer open(String db) throws Exception;
  }

  private static final List<String> PEER_NAMES = List.of(GruelboxPeer.NAME, DbSchedulerPeer.NAME);

  private void peers(long delay, String label) {
    peer(
        GruelboxPeer.NAME,
        db -> new GruelboxPeer(pg, db, sink.port(), cfg.connections()),
        delay,
        label);
    peer(
        DbSchedulerPeer.NAME,
        db -> new DbSchedulerPeer(pg, db, sink.port(), cfg.connections()),
        delay,
        label);
  }

  /**
   * One peer drains the same N emails as UMS's drain, to the same sink at the same delay, with the
   * same SMTP connection cap; queueing them is set-up, not timed. A peer that throws fails its
   * check and the run goes on.
   */
  private void peer(String name, PeerFactory factory, long delay, String label) {
    int n = cfg.n();
    String db = pg.create("ums_bench_peer");
    try (Peer peer = factory.open(db)) {
      sink.roundTripDelay(Duration.ZERO);
      progress(PEERS + ": " + name + ", queueing " + n + " emails");
      peer.enqueue(n);
      sink.reset();
      sink.roundTripDelay(Duration.ofMillis(delay));
      progress(PEERS + ": " + name + ", draining " + n + " emails, " + label);
      boolean all = peer.drain(n, 60_000 + n * (delay > 0 ? 20L : 5L));
      report.row(
          PEERS,
          name + " " + label + " emails/s",
          rate(n, sink.firstAt(), sink.lastAt()),
          "emails/s",
          n
              + " queued, first to last received; "
              + peer.tuning()
              + "; "
              + turnsPerMessage()
              + " turns/message, "
              + sink.connections()
              + " connections");
      report.check(
          PEERS, name + " " + label + ": " + n + " messages exactly once", all && exactlyOnce(n));
    } catch (Exception e) {
      report.check(PEERS, name + " " + label + ": failed: " + e, false);
    } finally {
      sink.roundTripDelay(Duration.ZERO);
      pg.drop(db);
    }
  }

  /** UMS's drain over the faster peer's, at the same delay. */
  private void peerRatio(String scenario, String label) {
    String best = null;
    double bestRate = Double.NaN;
    for (String name : PEER_NAMES) {
      double v = report.value(PEERS, name + " " + label + " emails/s");
      if (Double.isFinite(v) && (best == null || v > bestRate)) {
        best = name;
        bestRate = v;
      }
    }
    double ums = report.value(scenario, "UMS dispatch emails/s");
    report.row(
        scenario,
        "UMS / best peer",
        ums / bestRate,
        "ratio",
        "best peer " + label + ": " + best + "; same N, sink, delay and SMTP connection cap");
  }

  // ---- 1, 2, 6: dispatch drain ------------------------------------------------------------

  private void drain(String scenario, long delay, boolean memory) throws Exception {
    int n = cfg.n();
    String db = pg.create("ums_bench");
    try {
      sink.roundTripDelay(Duration.ZERO);
      sink.reset();
      List<String> ids;
      progress(scenario + ": inserting " + n + " messages (dispatch disabled)");
      try (UmsProcess ums = ums(db, false)) {
        long t0 = System.nanoTime();
        ids = insertBatches(new UmsClient(ums.base()), n, INSERT_THREADS);
        report.row(
            scenario,
            "insert via batch endpoint msgs/s",
            n / secs(System.nanoTime() - t0),
            "msgs/s",
            "setup, " + BATCH + " per request, " + INSERT_THREADS + " clients");
      }
      sink.reset();
      sink.roundTripDelay(Duration.ofMillis(delay));
      progress(scenario + ": draining " + n + " messages, " + delay + " ms per SMTP turn");
      try (UmsProcess ums = ums(db, true)) {
        MemorySampler mem = memory ? new MemorySampler(ums) : null;
        boolean all = await(scenario, n, 60_000 + n * (delay > 0 ? 20L : 5L));
        if (mem != null) {
          mem.stop();
        }
        Thread.sleep(1000); // a late duplicate would show up here
        report.row(
            scenario,
            "UMS dispatch emails/s",
            rate(n, sink.firstAt(), sink.lastAt()),
            "emails/s",
            n
                + " queued, first to last received; "
                + delay
                + " ms per turn; "
                + turnsPerMessage()
                + " turns/message, "
                + sink.connections()
                + " connections");
        report.check(scenario, n + " messages delivered exactly once", all && allOnce(ids));
        if (mem != null) {
          report.row(MEMORY, "peak heap used", mem.peakHeap / 1e6, "MB", "-Xmx256m, sampled 5/s");
          report.row(MEMORY, "peak RSS (sampled)", mem.peakRss / 1e6, "MB", "VmRSS during drain");
          report.row(MEMORY, "peak RSS (VmHWM)", ums.peakRss() / 1e6, "MB", "whole process life");
        }
      }
    } finally {
      sink.roundTripDelay(Duration.ZERO);
      pg.drop(db);
    }
  }

  // ---- 7: compose drain ----------------------------------------------------------------------

  /**
   * The loopback drain of {@code bench.composeN} messages of one shape (plain; rendered from a 20
   * KB HTML template at intake; with a 100 KB attachment), with the dispatcher's emails/s and the
   * UMS process's peak heap.
   */
  private void composeDrain(UmsClient.Shape shape) throws Exception {
    int n = cfg.composeN();
    String db = pg.create("ums_bench");
    try {
      sink.roundTripDelay(Duration.ZERO);
      sink.reset();
      List<String> ids = Collections.synchronizedList(new ArrayList<>(n));
      progress(COMPOSE + ": inserting " + n + " " + shape.label + " messages (dispatch disabled)");
      try (UmsProcess ums = ums(db, false)) {
        UmsClient client = new UmsClient(ums.base());
        client.prepare(shape);
        AtomicInteger left = new AtomicInteger(n);
        RawSmtp.runAll(
            INSERT_THREADS,
            () -> {
              int k;
              while ((k = take(left, shape.batch)) > 0) {
                ids.addAll(client.sendBatch(k, shape));
              }
              return null;
            });
      }
      sink.reset();
      progress(COMPOSE + ": draining " + n + " " + shape.label + " messages");
      try (UmsProcess ums = ums(db, true)) {
        MemorySampler mem = new MemorySampler(ums);
        boolean all = await(COMPOSE, n, 60_000 + n * 20L);
        mem.stop();
        Thread.sleep(1000); // a late duplicate would show up here
        report.row(
            COMPOSE,
            shape.label + " emails/s",
            rate(n, sink.firstAt(), sink.lastAt()),
            "emails/s",
            n + " queued, first to last received; " + turnsPerMessage() + " turns/message");
        report.row(
            COMPOSE,
            shape.label + " peak heap used",
            mem.peakHeap / 1e6,
            "MB",
            "-Xmx256m, sampled 5/s, workers + prefetch = "
                + (cfg.connections() + Integer.getInteger("bench.prefetch", 32)));
        report.check(
            COMPOSE, shape.label + ": " + n + " delivered exactly once", all && allOnce(ids));
      }
    } finally {
      pg.drop(db);
    }
  }

  List<String> insertBatches(UmsClient client, int n, int threads) throws Exception {
    List<String> ids = Collections.synchronizedList(new ArrayList<>(n));
    AtomicInteger left = new AtomicInteger(n);
    RawSmtp.runAll(
        threads,
        () -> {
          int k;
          while ((k = take(left, BATCH)) > 0) {
            ids.addAll(client.sendBatch(k));
          }
          return null;
        });
    return ids;
  }

  static int take(AtomicInteger left, int max) {
    while (true) {
      int l = left.get();
      if (l <= 0) {
        return 0;
      }
      int k = Math.min(l, max);
      if (left.compareAndSet(l, l - k)) {
        return k;
      }
    }
  }

  // ---- 4: intake --------------------------------------------------------------------------

  private void intake() throws Exception {
    String db = pg.create("ums_bench");
    try {
      try (UmsProcess ums = ums(db, false)) {
        UmsClient client = new UmsClient(ums.base());
        for (int c : cfg.intakeClients()) {
          progress(INTAKE + ": " + c + " clients, single POST, " + cfg.intakeSeconds() + " s");
          closedLoop(client, c, cfg.warmupSeconds(), false);
          Loop l = closedLoop(client, c, cfg.intakeSeconds(), true);
          String note = c + " clients back to back, " + cfg.intakeSeconds() + " s after warm-up";
          report.row(INTAKE, "single POST req/s, " + c + " clients", l.perSecond(), "req/s", note);
          report.row(
              INTAKE, "single POST p50, " + c + " clients", l.lat.percentileMillis(50), "ms", "");
          report.row(
              INTAKE, "single POST p99, " + c + " clients", l.lat.percentileMillis(99), "ms", "");
          report.check(INTAKE, c + " clients: no failed requests", l.errors.get() == 0);
        }
        progress(INTAKE + ": batch endpoint, " + cfg.n() + " messages");
        long t0 = System.nanoTime();
        List<String> ids = insertBatches(client, cfg.n(), INSERT_THREADS);
        report.row(
            INTAKE,
            "batch POST msgs/s",
            cfg.n() / secs(System.nanoTime() - t0),
            "msgs/s",
            cfg.n() + " messages, " + BATCH + " per request, " + INSERT_THREADS + " clients");
        report.check(INTAKE, "batch: " + cfg.n() + " ids returned", ids.size() == cfg.n());
      }
      progress(INTAKE + ": raw JDBC ceiling");
      jdbcCeiling(db);
    } finally {
      pg.drop(db);
    }
  }

  private record Loop(Stats lat, AtomicLong errors, long count, double seconds) {
    double perSecond() {
      return count / seconds;
    }
  }

  private Loop closedLoop(UmsClient client, int threads, int seconds, boolean measure)
      throws Exception {
    Stats all = new Stats();
    AtomicLong errors = new AtomicLong();
    AtomicLong count = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    RawSmtp.runAll(
        threads,
        () -> {
          Stats mine = new Stats();
          while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            try {
              client.send();
              mine.add(System.nanoTime() - t0);
              count.incrementAndGet();
            } catch (Exception e) {
              errors.incrementAndGet();
            }
          }
          if (measure) {
            all.addAll(mine);
          }
          return null;
        });
    return new Loop(all, errors, count.get(), secs(System.nanoTime() - start));
  }

  /** Plain JDBC: the same two rows per message into a scratch copy of the tables. */
  private void jdbcCeiling(String db) throws Exception {
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE bench_message (LIKE message INCLUDING ALL)");
      s.execute("CREATE TABLE bench_outbox (LIKE outbox INCLUDING ALL)");
      s.execute(
          "ALTER TABLE bench_outbox ADD FOREIGN KEY (message_id) REFERENCES bench_message (id)"
              + " ON DELETE CASCADE");
    }
    int n = cfg.n();
    AtomicInteger left = new AtomicInteger(n);
    long t0 = System.nanoTime();
    RawSmtp.runAll(
        INSERT_THREADS,
        () -> {
          try (Connection c = pg.connect(db)) {
            c.setAutoCommit(false);
            int k;
            while ((k = take(left, BATCH)) > 0) {
              insertRows(c, k);
              c.commit();
            }
          }
          return null;
        });
    report.row(
        INTAKE,
        "raw JDBC batched msgs/s",
        n / secs(System.nanoTime() - t0),
        "msgs/s",
        "ceiling for batch POST: "
            + BATCH
            + " msgs (2 rows each) per tx, "
            + INSERT_THREADS
            + " connections");
    int threads = cfg.intakeClients()[0];
    AtomicLong count = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(cfg.intakeSeconds());
    long t1 = System.nanoTime();
    RawSmtp.runAll(
        threads,
        () -> {
          try (Connection c = pg.connect(db)) {
            c.setAutoCommit(false);
            while (System.nanoTime() < end) {
              insertRows(c, 1);
              c.commit();
              count.incrementAndGet();
            }
          }
          return null;
        });
    report.row(
        INTAKE,
        "raw JDBC one msg per tx, " + threads + " connections",
        count.get() / secs(System.nanoTime() - t1),
        "msgs/s",
        "ceiling for single POST: 2 rows per tx, no HTTP");
  }

  private static void insertRows(Connection c, int k) throws Exception {
    Timestamp now = Timestamp.from(Instant.now());
    try (PreparedStatement m =
            c.prepareStatement(
                "INSERT INTO bench_message (id, client_id, status, content, recipient_count,"
                    + " created_at, updated_at) VALUES (?, 'default', 'QUEUED', ?, 1, ?, ?)");
        PreparedStatement o =
            c.prepareStatement(
                "INSERT INTO bench_outbox (message_id, next_attempt_at) VALUES (?, ?)")) {
      List<UUID> ids = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        UUID id = uuid7();
        ids.add(id);
        m.setObject(1, id);
        m.setBytes(2, UmsClient.messageJson().getBytes(StandardCharsets.UTF_8));
        m.setTimestamp(3, now);
        m.setTimestamp(4, now);
        m.addBatch();
      }
      m.executeBatch();
      for (UUID id : ids) {
        o.setObject(1, id);
        o.setTimestamp(2, now);
        o.addBatch();
      }
      o.executeBatch();
    }
  }

  /** Time-ordered UUID like UMS's ids, so the index sees the same insert pattern. */
  private static UUID uuid7() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (System.currentTimeMillis() << 16) | 0x7000L | (r.nextLong() & 0xFFFL);
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  // ---- 5: end to end ----------------------------------------------------------------------

  private void endToEnd() throws Exception {
    String db = pg.create("ums_bench");
    try {
      sink.roundTripDelay(Duration.ZERO);
      sink.reset();
      try (UmsProcess ums = ums(db, true)) {
        UmsClient client = new UmsClient(ums.base());
        for (int rate : cfg.rates()) {
          progress(E2E + ": " + rate + " msgs/s, warm-up " + cfg.e2eWarmupSeconds() + " s");
          sink.reset();
          Map<String, Long> warm = openLoop(client, rate, cfg.e2eWarmupSeconds()).sent();
          await(E2E + " warm-up", warm.size(), 60_000);
          sink.reset();
          progress(E2E + ": " + rate + " msgs/s for " + cfg.e2eSeconds() + " s");
          long t0 = System.nanoTime();
          Open run = openLoop(client, rate, cfg.e2eSeconds());
          Map<String, Long> sent = run.sent();
          double achieved = sent.size() / secs(System.nanoTime() - t0);
          boolean all = await(E2E, sent.size(), 120_000);
          Stats lat = new Stats();
          sent.forEach(
              (id, t) -> {
                Long got = sink.receivedAt(id);
                if (got != null) {
                  lat.add(got - t);
                }
              });
          String label = "at " + rate + "/s";
          String note =
              "open loop, "
                  + cfg.e2eSeconds()
                  + " s, achieved "
                  + Report.fmt(achieved)
                  + " msgs/s; accept to received by sink";
          report.row(E2E, "latency p50 " + label, lat.percentileMillis(50), "ms", note);
          report.row(E2E, "latency p95 " + label, lat.percentileMillis(95), "ms", "");
          report.row(E2E, "latency p99 " + label, lat.percentileMillis(99), "ms", "");
          report.row(E2E, "latency max " + label, lat.maxMillis(), "ms", "");
          report.row(
              E2E,
              "generator lag p99 " + label,
              run.lag().percentileMillis(99),
              "ms",
              "POST start behind schedule (> 0: UMS intake could not keep up; not in latency)");
          report.check(
              E2E,
              label + ": " + sent.size() + " messages delivered exactly once",
              all && allOnce(sent.keySet()));
        }
      }
    } finally {
      pg.drop(db);
    }
  }

  /**
   * Sends single POSTs at a fixed rate for {@code seconds}, from a pool large enough that a slow
   * answer does not hold back the schedule. Returns id → nanoTime taken just before the POST.
   */
  private Open openLoop(UmsClient client, int rate, int seconds) throws Exception {
    Map<String, Long> sent = new ConcurrentHashMap<>();
    Stats lag = new Stats();
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(64);
    long period = 1_000_000_000L / rate;
    long start = System.nanoTime() + 10_000_000;
    long total = (long) rate * seconds;
    for (long i = 0; i < total; i++) {
      long due = start + i * period;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      pool.execute(
          () -> {
            long t0 = System.nanoTime();
            lag.add(t0 - due);
            try {
              sent.put(client.send(), t0);
            } catch (Exception e) {
              errors.incrementAndGet();
            }
          });
    }
    pool.shutdown();
    if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
      pool.shutdownNow();
    }
    if (errors.get() > 0) {
      report.check(E2E, rate + "/s: " + errors.get() + " POSTs failed", false);
    }
    return new Open(sent, lag);
  }

  /** What an open-loop run sent (id to nanoTime before the POST) and how far behind it ran. */
  private record Open(Map<String, Long> sent, Stats lag) {}

  // ---- helpers ----------------------------------------------------------------------------

  private void ratio(String scenario, String rawScenario, String rawMeasure) {
    double ums = report.value(scenario, "UMS dispatch emails/s");
    double raw = report.value(rawScenario, rawMeasure);
    report.row(scenario, "UMS / raw Jakarta Mail", ums / raw, "ratio", "same sink, same delay");
  }

  UmsProcess ums(String db, boolean dispatch, String... extra) throws Exception {
    Path log = cfg.logDir().resolve("ums-" + (++umsRuns) + (dispatch ? "-dispatch" : "") + ".log");
    // -Dbench.umsArgs="--a=b --c=d": more arguments for every UMS process, after the scenario's.
    String more = System.getProperty("bench.umsArgs", "").trim();
    if (!more.isEmpty()) {
      List<String> all = new ArrayList<>(List.of(extra));
      all.addAll(List.of(more.split("\\s+")));
      extra = all.toArray(String[]::new);
    }
    return UmsProcess.start(cfg.jar(), pg, db, sink.port(), dispatch, log, extra);
  }

  // ---- 7: global rate cap across two instances ------------------------------------------

  /**
   * {@code rate × seconds} messages queued, then drained by two UMS processes on one database with
   * {@code ums.delivery.max-rate=rate}: the delivered rate over the run (first to last received)
   * and the most received in any one-second window.
   */
  private void rateCap(int rate, int seconds) throws Exception {
    int n = rate * seconds;
    String db = pg.create("ums_bench");
    try {
      sink.roundTripDelay(Duration.ZERO);
      sink.reset();
      progress(RATE_CAP + ": inserting " + n + " messages (dispatch disabled)");
      List<String> ids;
      try (UmsProcess ums = ums(db, false)) {
        ids = insertBatches(new UmsClient(ums.base()), n, INSERT_THREADS);
      }
      sink.reset();
      progress(RATE_CAP + ": draining at most " + rate + "/s with two instances");
      String cap = "--ums.delivery.max-rate=" + rate;
      try (UmsProcess a = ums(db, true, cap, "--ums.dispatch.instance-id=bench-a");
          UmsProcess b = ums(db, true, cap, "--ums.dispatch.instance-id=bench-b")) {
        boolean all = await(RATE_CAP, n, seconds * 3_000L + 60_000);
        Thread.sleep(1000);
        long[] at =
            ids.stream()
                .map(sink::receivedAt)
                .filter(java.util.Objects::nonNull)
                .mapToLong(Long::longValue)
                .sorted()
                .toArray();
        int maxWindow = 0;
        for (int i = 0, j = 0; i < at.length; i++) {
          while (at[i] - at[j] >= 1_000_000_000L) {
            j++;
          }
          maxWindow = Math.max(maxWindow, i - j + 1);
        }
        report.row(
            RATE_CAP,
            "delivered emails/s",
            rate(n, sink.firstAt(), sink.lastAt()),
            "emails/s",
            n + " queued, first to last received; max-rate " + rate + ", 2 instances x 32 workers");
        report.row(
            RATE_CAP, "most received in one second", maxWindow, "emails", "sliding 1 s window");
        report.check(RATE_CAP, n + " messages delivered exactly once", all && allOnce(ids));
      }
    } finally {
      pg.drop(db);
    }
  }

  // ---- 9: database transport against Kafka transport ---------------------------------------

  /**
   * The loopback drain of N messages in database mode (one process), then in Kafka mode with the
   * relay and the sender in separate processes, then with both roles in one process, each on a
   * fresh database and a fresh topic: emails/s and the database work per delivered message.
   */
  private void transports(String bootstrap) throws Exception {
    boolean statements = PgActivity.statementsAvailable(pg);
    report.setting(
        "command",
        "ops/kafka/kafka.sh start; ./mvnw -B -pl bench -am package -DskipTests && java"
            + (own == null ? "" : " -Dbench.privatePg=true")
            + (Integer.getInteger("bench.n") == null ? "" : " -Dbench.n=" + cfg.n())
            + " -Dbench.kafka=true -jar bench/target/ums-bench.jar");
    report.setting(
        "Kafka",
        "broker "
            + bootstrap
            + " (ops/kafka/kafka.sh: single node, Kafka 4.1.2), a topic of 12 partitions per run,"
            + " ums.kafka.sender.batch-size and relay batch-size at their defaults (100, 500)");
    report.setting(
        "database work",
        "pg_stat_database deltas of the scenario's database over the drain processes' whole life"
            + " (start-up and shutdown included); pg_stat_statements "
            + (statements
                ? "deltas (reset before the drain processes start, read after they exit) of the"
                    + " statements the scenario's database ran, calls per delivered message by"
                    + " kind; a JDBC batch of k statements counts as k, BEGIN as one (COMMIT"
                    + " was not counted by PostgreSQL 15 here)"
                : "is not loaded on this server, so no statement counts (-Dbench.privatePg=true"
                    + " runs a server of the harness's own that loads it)"));
    double database = transportDrain("database", List.<String[]>of(new String[0]), statements);
    // Two dispatchers on one database: the process count of the split Kafka layout.
    transportDrain(
        "database, 2 processes", List.<String[]>of(new String[0], new String[0]), statements);
    String splitTopic = topic("split");
    double split =
        transportDrain(
            "kafka, 1 relay + 1 sender process",
            List.of(
                kafka(bootstrap, splitTopic, false, true), // the sender first: it waits for records
                kafka(bootstrap, splitTopic, true, false)),
            statements);
    double both =
        transportDrain(
            "kafka, relay and sender in one process",
            List.<String[]>of(kafka(bootstrap, topic("one"), true, true)),
            statements);
    report.row(
        TRANSPORT,
        "kafka (relay + sender process) / database",
        split / database,
        "ratio",
        "goal >= 0.6");
    report.row(
        TRANSPORT, "kafka (one process) / database", both / database, "ratio", "goal >= 0.6");
  }

  /** A topic (and consumer group) of one run's own. */
  private static String topic(String run) {
    return "ums.bench." + run + "." + Long.toHexString(System.nanoTime());
  }

  private static String[] kafka(String bootstrap, String topic, boolean relay, boolean sender) {
    return new String[] {
      "--ums.transport=kafka",
      "--ums.kafka.bootstrap-servers=" + bootstrap,
      "--ums.kafka.topic=" + topic,
      "--ums.kafka.group-id=" + topic + ".senders",
      "--ums.kafka.relay.enabled=" + relay,
      "--ums.kafka.sender.enabled=" + sender
    };
  }

  /**
   * One drain of N messages queued beforehand by a process with dispatch off, by {@code processes}
   * (their extra arguments, started in this order), with the statements it ran when {@code
   * statements} ({@code pg_stat_statements} is loaded). Returns the emails/s.
   */
  private double transportDrain(String mode, List<String[]> processes, boolean statements)
      throws Exception {
    int n = cfg.n();
    String db = pg.create("ums_bench");
    try {
      sink.roundTripDelay(Duration.ZERO);
      sink.reset();
      progress(TRANSPORT + ", " + mode + ": inserting " + n + " messages (dispatch disabled)");
      List<String> ids;
      try (UmsProcess ums = ums(db, false)) {
        ids = insertBatches(new UmsClient(ums.base()), n, INSERT_THREADS);
      }
      Thread.sleep(1000); // the closed connections' backends flush their counters as they exit
      Map<String, Long> tablesBefore = PgActivity.writesByTable(pg, db);
      Thread.sleep(1000);
      PgActivity before = PgActivity.of(pg, db);
      long postmaster = own == null ? -1 : own.pid();
      long cpuBefore = PgActivity.serverCpuMillis(postmaster);
      if (statements) {
        PgStatements.reset(pg);
      }
      sink.reset();
      progress(TRANSPORT + ", " + mode + ": draining " + n + " messages");
      List<UmsProcess> running = new ArrayList<>();
      boolean all;
      try {
        for (String[] extra : processes) {
          running.add(ums(db, true, extra));
        }
        all = await(TRANSPORT + ", " + mode, n, 60_000 + n * 5L);
        Thread.sleep(1000); // a late duplicate would show up here
      } finally {
        for (UmsProcess p : running) {
          p.close(); // graceful: every result is recorded before the process exits
        }
      }
      double rate = rate(n, sink.firstAt(), sink.lastAt());
      Thread.sleep(1000);
      long cpu = PgActivity.serverCpuMillis(postmaster) - cpuBefore;
      PgActivity d = PgActivity.of(pg, db).minus(before);
      if (statements) {
        statements(mode, PgStatements.of(pg, db), n);
      }
      Map<String, Long> tablesAfter = PgActivity.writesByTable(pg, db);
      long sent = countSent(db);
      StringBuilder byTable = new StringBuilder();
      tablesAfter.forEach(
          (table, w) -> {
            long delta = w - tablesBefore.getOrDefault(table, 0L);
            if (delta > 0) {
              byTable.append(byTable.length() == 0 ? "" : ", ");
              byTable.append(table).append(' ');
              byTable.append(String.format(java.util.Locale.ROOT, "%.2f", delta / (double) n));
            }
          });
      report.note(TRANSPORT + ", " + mode + ": rows written per message by table: " + byTable);
      report.row(
          TRANSPORT,
          mode + " emails/s",
          rate,
          "emails/s",
          n + " queued, first to last received; " + processes.size() + " process(es)");
      report.row(
          TRANSPORT,
          mode + " transactions per message",
          d.transactions() / (double) n,
          "xacts/msg",
          d.commits() + " commits + " + d.rollbacks() + " rollbacks");
      report.row(
          TRANSPORT,
          mode + " rows written per message",
          d.rowsWritten() / (double) n,
          "rows/msg",
          d.inserted() + " inserted, " + d.updated() + " updated, " + d.deleted() + " deleted");
      if (cpuBefore >= 0) {
        report.row(
            TRANSPORT,
            mode + " PostgreSQL CPU per 1,000 messages",
            cpu * 1000.0 / n,
            "ms",
            own == null
                ? "user + system time of every postgres process, drain processes' whole life; the"
                    + " server's every database"
                : "user + system time of the harness's own server's processes, drain processes'"
                    + " whole life");
      }
      report.check(
          TRANSPORT,
          mode + ": " + n + " delivered exactly once and recorded SENT",
          all && allOnce(ids) && sent == n);
      return rate;
    } finally {
      pg.drop(db);
    }
  }

  /** Statement calls per delivered message: in all, by kind, and the top statements in a note. */
  private void statements(String mode, PgStatements st, int n) {
    report.row(
        TRANSPORT,
        mode + " statements per message",
        st.calls() / (double) n,
        "calls/msg",
        st.calls()
            + " calls from the clients, "
            + String.format(java.util.Locale.ROOT, "%.2f", st.rows() / (double) n)
            + " rows/msg returned or changed; "
            + st.nestedCalls()
            + " nested calls");
    st.byKind()
        .forEach(
            (kind, callsRows) ->
                report.row(
                    TRANSPORT,
                    mode + " statements per message: " + kind,
                    callsRows[0] / (double) n,
                    "calls/msg",
                    callsRows[0]
                        + " calls, "
                        + String.format(java.util.Locale.ROOT, "%.2f", callsRows[1] / (double) n)
                        + " rows/msg"));
    StringBuilder top = new StringBuilder();
    st.entries().stream()
        .filter(PgStatements.Entry::toplevel)
        .limit(12)
        .forEach(
            e ->
                top.append(
                        String.format(java.util.Locale.ROOT, "\n  - %.3f", e.calls() / (double) n))
                    .append(" calls/msg, ")
                    .append(String.format(java.util.Locale.ROOT, "%.2f", e.rows() / (double) n))
                    .append(" rows/msg [")
                    .append(e.kind())
                    .append("] `")
                    .append(PgStatements.shortText(e.query(), 160).replace('`', '\''))
                    .append('`'));
    st.entries().stream()
        .filter(e -> !e.toplevel())
        .limit(4)
        .forEach(
            e ->
                top.append(
                        String.format(java.util.Locale.ROOT, "\n  - %.3f", e.calls() / (double) n))
                    .append(
                        " calls/msg, nested (run inside another statement, e.g. a foreign-key check; not in the totals) `")
                    .append(PgStatements.shortText(e.query(), 160).replace('`', '\''))
                    .append('`'));
    report.note(TRANSPORT + ", " + mode + ": top statements by calls:" + top);
  }

  private long countSent(String db) throws Exception {
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM message WHERE status = 'SENT'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Waits for {@code n} unique messages at the sink, printing progress every 5 s. */
  boolean await(String what, long n, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      long left = Math.min(5_000, deadline - System.currentTimeMillis());
      if (sink.awaitDistinct(n, Duration.ofMillis(Math.max(1, left)))) {
        return true;
      }
      progress(what + ": " + sink.distinct() + "/" + n + " received");
    }
    return sink.distinct() >= n;
  }

  private boolean exactlyOnce(long n) {
    return sink.distinct() == n && sink.deliveries() == n && sink.duplicates() == 0;
  }

  boolean allOnce(java.util.Collection<String> ids) {
    if (!exactlyOnce(ids.size())) {
      return false;
    }
    for (String id : ids) {
      if (sink.receivedAt(id) == null) {
        return false;
      }
    }
    return true;
  }

  private String turnsPerMessage() {
    long a = sink.deliveries();
    return a == 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f", sink.turns() / (double) a);
  }

  static double rate(long n, long firstNanos, long lastNanos) {
    return n <= 1 || lastNanos <= firstNanos ? Double.NaN : (n - 1) / secs(lastNanos - firstNanos);
  }

  static double secs(long nanos) {
    return nanos / 1e9;
  }

  static void progress(String line) {
    System.out.println("[bench] " + Instant.now().toString().substring(11, 19) + " " + line);
  }

  /** Samples heap (actuator) and RSS (/proc) of UMS five times a second. */
  private static final class MemorySampler {
    private final Thread thread;
    private volatile boolean running = true;
    volatile long peakHeap;
    volatile long peakRss;

    MemorySampler(UmsProcess ums) {
      thread =
          new Thread(
              () -> {
                while (running) {
                  peakHeap = Math.max(peakHeap, ums.heapUsed());
                  peakRss = Math.max(peakRss, ums.rss());
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "bench-memory");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
