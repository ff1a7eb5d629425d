package dev.ums.bench;

import dev.ums.testkit.smtp.RateLimitedReply;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The delivery-control scenarios ({@code
 * -Dbench.control=slow|throttle|priority|fair|nolimits|all}): each queues its backlog through a UMS
 * process with dispatch off, then drains it with one UMS process of the built jar (32 workers) into
 * the sink, on a fresh PostgreSQL database. What each message's delivery time is comes from the
 * sink ({@code receivedAt} by message id), so every figure is per group of ids the harness queued.
 * Quick mode shrinks the sizes.
 */
final class ControlBench {

  static final List<String> SCENARIOS = List.of("slow", "throttle", "priority", "fair", "nolimits");

  static final String SLOW = "12 slow rule beside other mail";
  static final String THROTTLE = "13 relay throttling one domain";
  static final String PRIORITY = "14 high priority behind a bulk backlog";
  static final String FAIR = "15 fair share, two clients";
  static final String NOLIMITS = "16 control unused: loopback drain";

  private static final int BATCH = 500;
  private static final int INSERT_THREADS = 2;
  private static final long SECOND = 1_000_000_000L;
  private static final String OTHER = "example.com";

  private final Bench bench;
  private final BenchConfig cfg;
  private final Report report;
  private final Postgres pg;
  private final ScriptedSmtpServer sink;

  ControlBench(Bench bench, BenchConfig cfg, Report report, Postgres pg, ScriptedSmtpServer sink) {
    this.bench = bench;
    this.cfg = cfg;
    this.report = report;
    this.pg = pg;
    this.sink = sink;
  }

  void run(Set<String> which) throws Exception {
    for (String s : which) {
      switch (s) {
        case "slow" -> slow();
        case "throttle" -> throttle();
        case "priority" -> priority();
        case "fair" -> fair();
        case "nolimits" -> noLimits();
        default -> throw new IllegalArgumentException(s);
      }
    }
  }

  private int size(String property, int full, int quick) {
    return Integer.getInteger(property, cfg.quick() ? quick : full);
  }

  // ---- 9: a slow rule holding a backlog beside other mail ----------------------------------

  /**
   * A rule {@code slow} limited to 10/s holding its backlog, queued ahead of 20,000 messages to
   * other domains: the others drain at (nearly) the rate they drain at alone, measured first in the
   * same run with the same settings; {@code slow} drains at its rate, without failures and without
   * attempts charged for waiting.
   */
  private void slow() throws Exception {
    int slowN = size("bench.control.slowN", 1_000, 30);
    int othersN = size("bench.control.othersN", 20_000, 1_000);
    int rate = 10;
    String[] rule = {
      "--ums.delivery.domains.slow.match=slow.example", "--ums.delivery.domains.slow.rate=" + rate
    };
    load(SLOW);

    // Alone: the others' unthrottled rate, same settings.
    String db = pg.create("ums_bench");
    double alone;
    try {
      List<String> others;
      // Rules are matched at intake: the intake process has them too.
      try (UmsProcess ums = bench.ums(db, false, rule)) {
        UmsClient c = new UmsClient(ums.base());
        others = queue(c, UmsProcess.ADMIN_KEY, othersN, OTHER, null);
      }
      sink.reset();
      Bench.progress(SLOW + ": draining " + othersN + " to other domains alone");
      try (UmsProcess ums = bench.ums(db, true, rule)) {
        boolean all = bench.await(SLOW, othersN, 60_000 + othersN * 10L);
        long[] t = times(others);
        alone = rate(t);
        report.row(
            SLOW,
            "others alone emails/s",
            alone,
            "emails/s",
            othersN + " to " + OTHER + " queued, nothing else; first to last received");
        report.check(SLOW, "alone: " + othersN + " delivered exactly once", all && onceAll(others));
      }
    } finally {
      pg.drop(db);
    }

    // Together: the slow backlog queued first (at the head of the queue), then the others.
    db = pg.create("ums_bench");
    try {
      List<String> slowIds;
      List<String> others;
      try (UmsProcess ums = bench.ums(db, false, rule)) {
        UmsClient c = new UmsClient(ums.base());
        slowIds = queue(c, UmsProcess.ADMIN_KEY, slowN, "slow.example", null);
        others = queue(c, UmsProcess.ADMIN_KEY, othersN, OTHER, null);
      }
      sink.reset();
      Bench.progress(
          SLOW + ": draining " + slowN + " to slow.example (10/s) and " + othersN + " others");
      try (UmsProcess ums = bench.ums(db, true, rule)) {
        boolean all =
            bench.await(SLOW, slowN + othersN, 120_000 + slowN * 2_000L / rate + othersN * 10L);
        Thread.sleep(1000); // a late duplicate would show up here
        long[] o = times(others);
        long[] s = times(slowIds);
        double together = rate(o);
        double slowRate = rate(s);
        report.row(
            SLOW,
            "others beside the slow backlog emails/s",
            together,
            "emails/s",
            othersN + " to " + OTHER + ", queued after " + slowN + " to slow.example");
        report.row(
            SLOW,
            "others beside / alone",
            together / alone,
            "ratio",
            "the claim for the rest skips the slow rule's rows at the head of the queue");
        report.row(
            SLOW,
            "slow rule emails/s",
            slowRate,
            "emails/s",
            slowN + " to slow.example, rule rate " + rate + "/s; first to last received");
        report.row(
            SLOW,
            "slow rule most in one second",
            maxInWindow(s, SECOND),
            "emails",
            "sliding 1 s window");
        long failures = count(db, "SELECT COUNT(*) FROM send_failure");
        long attempts = count(db, "SELECT COALESCE(SUM(attempts), 0) FROM message");
        long failed = count(db, "SELECT COUNT(*) FROM message WHERE status = 'FAILED'");
        report.row(SLOW, "send failures recorded", failures, "rows", "send_failure");
        report.row(
            SLOW,
            "attempts per message",
            attempts / (double) (slowN + othersN),
            "attempts",
            "sum of message.attempts / messages");
        report.check(
            SLOW,
            (slowN + othersN) + " delivered exactly once",
            all && onceAll(union(slowIds, others)));
        timing(SLOW, "others drain at >= 90% of their rate alone", together >= 0.9 * alone);
        timing(
            SLOW,
            "slow drains at " + rate + "/s +- 10%",
            slowRate >= rate * 0.9 && slowRate <= rate * 1.1);
        report.check(
            SLOW,
            "0 failures, 0 dead letters, 1 attempt per message (waiting is not an attempt)",
            failures == 0 && failed == 0 && attempts == slowN + othersN);
      }
    } finally {
      pg.drop(db);
      load(SLOW);
    }
  }

  // ---- 10: a relay that throttles one domain ----------------------------------------------

  /**
   * The sink refuses RCPTs to {@code throttled.example} with {@code 421 4.7.0 Too many messages}
   * above 50 in any second; UMS has a rule for that domain at 100/s (adaptive). The delivered rate
   * per 10 s, the rule's adapted rate sampled every second from the actuator, and that nothing is
   * lost, dead-lettered or charged as an attempt.
   */
  private void throttle() throws Exception {
    int n = size("bench.control.throttleN", 4_000, 300);
    int limit = 50;
    String domain = "throttled.example";
    load(THROTTLE);
    String db = pg.create("ums_bench");
    RateLimitedReply quota =
        RateLimitedReply.forDomain(domain, limit, "421 4.7.0 Too many messages");
    try {
      List<String> ids;
      String[] rule = {
        "--ums.delivery.domains.limited.match=" + domain, "--ums.delivery.domains.limited.rate=100"
      };
      // Rules are matched at intake: the intake process has them too.
      try (UmsProcess ums = bench.ums(db, false, rule)) {
        ids = queue(new UmsClient(ums.base()), UmsProcess.ADMIN_KEY, n, domain, null);
      }
      sink.reset();
      sink.rcptReply(quota);
      Bench.progress(THROTTLE + ": draining " + n + " to a relay allowing " + limit + "/s");
      try (UmsProcess ums = bench.ums(db, true, rule)) {
        long start = System.nanoTime();
        List<double[]> samples = Collections.synchronizedList(new ArrayList<>());
        Thread sampler =
            new Thread(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    double r = ums.metricValue("ums.delivery.rate.current?tag=rule:limited");
                    samples.add(new double[] {(System.nanoTime() - start) / 1e9, r});
                    try {
                      Thread.sleep(1000);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                },
                "bench-rate-sampler");
        sampler.setDaemon(true);
        sampler.start();
        boolean all = bench.await(THROTTLE, n, 120_000 + n * 60L);
        sampler.interrupt();
        sampler.join();
        Thread.sleep(1000);
        double throttles = ums.metricValue("ums.delivery.throttled?tag=rule:limited");
        long[] t = times(ids);
        long first = t[0];
        long settle = first + 30 * SECOND;
        int early = countBetween(t, first, settle);
        int late = t.length - early;
        double lateRate =
            late <= 1 ? Double.NaN : late / Bench.secs(t[t.length - 1] - Math.max(settle, first));
        StringBuilder per10 = new StringBuilder();
        for (long w = first; w <= t[t.length - 1]; w += 10 * SECOND) {
          per10.append(per10.length() == 0 ? "" : " ");
          per10.append(
              Report.fmt(countBetween(t, w, Math.min(w + 10 * SECOND, t[t.length - 1] + 1)) / 10d));
        }
        double[] adapted =
            samples.stream()
                .filter(x -> x[0] >= 30 && Double.isFinite(x[1]))
                .mapToDouble(x -> x[1])
                .toArray();
        report.row(
            THROTTLE,
            "delivered emails/s, first 30 s",
            early / 30d,
            "emails/s",
            "from the first delivery; relay allows " + limit + "/s, rule rate 100/s");
        report.row(
            THROTTLE,
            "delivered emails/s after 30 s",
            lateRate,
            "emails/s",
            "30 s after the first delivery to the last");
        report.row(THROTTLE, "delivered emails/s per 10 s", Double.NaN, "", per10.toString());
        report.row(
            THROTTLE,
            "adapted rule rate after 30 s, mean",
            Arrays.stream(adapted).average().orElse(Double.NaN),
            "emails/s",
            "ums.delivery.rate.current{rule=limited}, sampled every second; min "
                + Report.fmt(Arrays.stream(adapted).min().orElse(Double.NaN))
                + ", max "
                + Report.fmt(Arrays.stream(adapted).max().orElse(Double.NaN)));
        report.row(THROTTLE, "421 replies from the relay", quota.refused(), "replies", "");
        report.row(
            THROTTLE,
            "throttle events counted",
            throttles,
            "events",
            "ums.delivery.throttled{rule=limited}");
        long failed = count(db, "SELECT COUNT(*) FROM message WHERE status = 'FAILED'");
        long attempts = count(db, "SELECT COALESCE(SUM(attempts), 0) FROM message");
        report.row(
            THROTTLE,
            "attempts per message",
            attempts / (double) n,
            "attempts",
            "sum of message.attempts / messages; a throttled try is not charged");
        report.check(THROTTLE, n + " delivered exactly once", all && onceAll(ids));
        report.check(THROTTLE, "nothing dead-lettered", failed == 0);
        report.check(THROTTLE, "1 attempt per message", attempts == n);
        timing(
            THROTTLE,
            "after 30 s the delivered rate is within 20% under " + limit + "/s",
            lateRate >= limit * 0.8 && lateRate <= limit * 1.02);
      }
    } finally {
      sink.rcptReply("250 2.1.5 Ok");
      pg.drop(db);
      load(THROTTLE);
    }
  }

  // ---- 11: high priority singles behind a bulk backlog ------------------------------------

  /**
   * 100,000 bulk messages from client {@code bulk-a} queued, then, while they drain, 100 single
   * {@code high} messages from client {@code urgent-b} at 10/s: their accept-to-SMTP latency.
   */
  private void priority() throws Exception {
    int bulkN = size("bench.control.bulkN", 100_000, 2_000);
    int highN = size("bench.control.highN", 100, 10);
    int perSecond = 10;
    load(PRIORITY);
    String db = pg.create("ums_bench");
    try {
      List<String> bulk;
      String keyB;
      try (UmsProcess ums = bench.ums(db, false)) {
        UmsClient c = new UmsClient(ums.base());
        String keyA = c.createSenderKey("bulk-a");
        keyB = c.createSenderKey("urgent-b");
        bulk = queue(c, keyA, bulkN, OTHER, null); // a batch is bulk by default
      }
      sink.reset();
      Bench.progress(PRIORITY + ": draining " + bulkN + " bulk; " + highN + " high at 10/s");
      try (UmsProcess ums = bench.ums(db, true)) {
        UmsClient c = new UmsClient(ums.base());
        // The drain starts with the process: wait until it is under way, then send.
        sink.awaitDistinct(Math.min(1_000, bulkN / 10), Duration.ofSeconds(60));
        Map<String, Long> accepted = new ConcurrentHashMap<>();
        Map<String, Long> sent = paced(c, keyB, highN, perSecond, "high", accepted);
        boolean all = bench.await(PRIORITY, bulkN + sent.size(), 120_000 + bulkN * 10L);
        Thread.sleep(1000);
        Stats lat = new Stats();
        Stats fromPost = new Stats();
        Stats post = new Stats();
        long lastHigh = 0;
        for (Map.Entry<String, Long> e : sent.entrySet()) {
          Long got = sink.receivedAt(e.getKey());
          long ack = accepted.get(e.getKey());
          post.add(ack - e.getValue());
          if (got != null) {
            // The relay may have the message before the 202 reaches the client.
            lat.add(Math.max(0, got - ack));
            fromPost.add(got - e.getValue());
            lastHigh = Math.max(lastHigh, got);
          }
        }
        long[] b = times(bulk);
        int bulkAfter = b.length - countBetween(b, b[0], lastHigh + 1);
        report.row(
            PRIORITY,
            "high accept to SMTP p50",
            lat.percentileMillis(50),
            "ms",
            highN
                + " single POSTs of client urgent-b at "
                + perSecond
                + "/s; from the 202 answer to received by the sink");
        report.row(PRIORITY, "high accept to SMTP p99", lat.percentileMillis(99), "ms", "");
        report.row(PRIORITY, "high accept to SMTP max", lat.maxMillis(), "ms", "");
        report.row(
            PRIORITY,
            "high POST start to SMTP p50",
            fromPost.percentileMillis(50),
            "ms",
            "p99 "
                + Report.fmt(fromPost.percentileMillis(99))
                + " ms; the POST itself (start to 202) p50 "
                + Report.fmt(post.percentileMillis(50))
                + " ms, p99 "
                + Report.fmt(post.percentileMillis(99))
                + " ms");
        report.row(
            PRIORITY,
            "bulk emails/s",
            rate(b),
            "emails/s",
            bulkN + " bulk of client bulk-a, queued before; first to last received");
        report.row(
            PRIORITY,
            "bulk delivered after the last high one",
            bulkAfter,
            "emails",
            "the bulk backlog was still draining");
        report.check(
            PRIORITY,
            (bulkN + highN) + " delivered exactly once",
            all && sent.size() == highN && onceAll(union(bulk, sent.keySet())));
        timing(PRIORITY, "high p99 < 500 ms", lat.percentileMillis(99) < 500);
        timing(PRIORITY, "bulk still draining after the last high one", bulkAfter > 0);
      }
    } finally {
      pg.drop(db);
      load(PRIORITY);
    }
  }

  /**
   * {@code n} single POSTs at {@code perSecond} from a small pool; id → nanoTime before the POST
   * (and into {@code accepted}: after its 202).
   */
  private Map<String, Long> paced(
      UmsClient c, String key, int n, int perSecond, String priority, Map<String, Long> accepted)
      throws Exception {
    Map<String, Long> sent = new ConcurrentHashMap<>();
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long period = SECOND / perSecond;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * period;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      pool.execute(
          () -> {
            long t0 = System.nanoTime();
            try {
              String id = c.sendOne(key, OTHER, priority);
              accepted.put(id, System.nanoTime());
              sent.put(id, t0);
            } catch (Exception e) {
              errors.incrementAndGet();
            }
          });
    }
    pool.shutdown();
    pool.awaitTermination(2, TimeUnit.MINUTES);
    if (errors.get() > 0) {
      report.check(PRIORITY, errors.get() + " single POSTs failed", false);
    }
    return sent;
  }

  // ---- 12: fair share between two clients ---------------------------------------------------

  /**
   * Clients {@code fair-a} and {@code fair-b} each queue 50,000 (all of a's first), fair share on:
   * each one's part of what was delivered while both still had mail, overall and per 5 s.
   */
  private void fair() throws Exception {
    int each = size("bench.control.fairN", 50_000, 1_000);
    load(FAIR);
    String db = pg.create("ums_bench");
    try {
      List<String> a;
      List<String> b;
      try (UmsProcess ums = bench.ums(db, false)) {
        UmsClient c = new UmsClient(ums.base());
        String keyA = c.createSenderKey("fair-a");
        String keyB = c.createSenderKey("fair-b");
        a = queue(c, keyA, each, OTHER, null);
        b = queue(c, keyB, each, OTHER, null);
      }
      sink.reset();
      Bench.progress(FAIR + ": draining " + each + " + " + each + " with fair share on");
      try (UmsProcess ums = bench.ums(db, true, "--ums.delivery.fair-share.enabled=true")) {
        boolean all = bench.await(FAIR, 2L * each, 120_000 + each * 20L);
        Thread.sleep(1000);
        long[] ta = times(a);
        long[] tb = times(b);
        long from = Math.min(ta[0], tb[0]);
        long until = Math.min(ta[ta.length - 1], tb[tb.length - 1]) + 1;
        int ca = countBetween(ta, from, until);
        int cb = countBetween(tb, from, until);
        double share = ca / (double) (ca + cb);
        double min = 1;
        double max = 0;
        for (long w = from; w + 5 * SECOND <= until; w += 5 * SECOND) {
          int wa = countBetween(ta, w, w + 5 * SECOND);
          int wb = countBetween(tb, w, w + 5 * SECOND);
          if (wa + wb > 0) {
            double s = wa / (double) (wa + wb);
            min = Math.min(min, s);
            max = Math.max(max, s);
          }
        }
        report.row(
            FAIR,
            "client a's share while both had mail",
            share * 100,
            "%",
            ca
                + " of "
                + (ca + cb)
                + " delivered in "
                + Report.fmt(Bench.secs(until - from))
                + " s; a's "
                + each
                + " were queued before b's");
        report.row(
            FAIR,
            "client a's share per 5 s, min / max",
            Double.NaN,
            "%",
            Report.fmt(min * 100) + " / " + Report.fmt(max * 100) + " (whole 5 s windows)");
        long[] both = times(union(a, b));
        report.row(FAIR, "drain emails/s", rate(both), "emails/s", 2 * each + " messages");
        report.check(FAIR, 2 * each + " delivered exactly once", all && onceAll(union(a, b)));
        timing(FAIR, "a's share 50% +- 10%", share >= 0.4 && share <= 0.6);
      }
    } finally {
      pg.drop(db);
      load(FAIR);
    }
  }

  // ---- 13: no limits configured ---------------------------------------------------------------

  /**
   * The loopback drain of N messages without delivery settings, with a rule that limits nothing
   * (control stays off: the same claim), and with a global rate far above reach (control on: a
   * budget statement per claim); the first run repeated last, to show the spread between runs.
   */
  private void noLimits() throws Exception {
    int n = size("bench.control.drainN", cfg.n(), cfg.n());
    load(NOLIMITS);
    double base1 = drain(n, "no delivery settings (1)");
    double rule =
        drain(
            n,
            "a rule without limits (control off)",
            "--ums.delivery.domains.named.match=named.example");
    double on = drain(n, "max-rate 1,000,000/s (control on)", "--ums.delivery.max-rate=1000000");
    double base2 = drain(n, "no delivery settings (2)");
    double base = (base1 + base2) / 2;
    report.row(
        NOLIMITS,
        "rule without limits / no settings",
        rule / base,
        "ratio",
        "mean of the two runs without settings");
    report.row(
        NOLIMITS,
        "max-rate out of reach / no settings",
        on / base,
        "ratio",
        "mean of the two runs without settings");
    report.row(
        NOLIMITS,
        "no settings run 2 / run 1",
        base2 / base1,
        "ratio",
        "the spread between identical runs");
    timing(NOLIMITS, "a rule without limits within 5% of no settings", rule >= 0.95 * base);
    load(NOLIMITS);
  }

  private double drain(int n, String label, String... extra) throws Exception {
    String db = pg.create("ums_bench");
    try {
      List<String> ids;
      try (UmsProcess ums = bench.ums(db, false, extra)) {
        ids = queue(new UmsClient(ums.base()), UmsProcess.ADMIN_KEY, n, OTHER, null);
      }
      sink.reset();
      Bench.progress(NOLIMITS + ": draining " + n + ", " + label);
      try (UmsProcess ums = bench.ums(db, true, extra)) {
        boolean all = bench.await(NOLIMITS, n, 60_000 + n * 5L);
        Thread.sleep(1000);
        double r = Bench.rate(n, sink.firstAt(), sink.lastAt());
        report.row(
            NOLIMITS,
            label + " emails/s",
            r,
            "emails/s",
            n + " queued, first to last received; load " + BenchMain.loadAverage());
        report.check(NOLIMITS, label + ": " + n + " delivered exactly once", all && onceAll(ids));
        return r;
      }
    } finally {
      pg.drop(db);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * A check on a measured figure: a check in full mode; in quick mode (a few seconds, a busy CI
   * machine) only noted, so the quick run asserts correctness and never timing.
   */
  private void timing(String scenario, String what, boolean passed) {
    if (cfg.quick()) {
      report.note(
          scenario + ": " + what + ": " + (passed ? "yes" : "no") + " (quick, not checked)");
    } else {
      report.check(scenario, what, passed);
    }
  }

  private void load(String scenario) {
    report.note(scenario + ": load average " + BenchMain.loadAverage() + " (1/5/15 min)");
  }

  /** Queues {@code n} messages to {@code domain} with {@code key} in batches; their ids. */
  private List<String> queue(UmsClient c, String key, int n, String domain, String priority)
      throws Exception {
    List<String> ids = Collections.synchronizedList(new ArrayList<>(n));
    AtomicInteger left = new AtomicInteger(n);
    RawSmtp.runAll(
        INSERT_THREADS,
        () -> {
          int k;
          while ((k = Bench.take(left, BATCH)) > 0) {
            ids.addAll(c.sendBatch(key, k, domain, priority));
          }
          return null;
        });
    return new ArrayList<>(ids);
  }

  /** When the sink received each of {@code ids} (missing ones left out), sorted. */
  private long[] times(Collection<String> ids) {
    return ids.stream()
        .map(sink::receivedAt)
        .filter(Objects::nonNull)
        .mapToLong(Long::longValue)
        .sorted()
        .toArray();
  }

  private static double rate(long[] t) {
    return t.length < 2 ? Double.NaN : Bench.rate(t.length, t[0], t[t.length - 1]);
  }

  /** How many of the sorted times {@code t} are in [from, until). */
  private static int countBetween(long[] t, long from, long until) {
    return lowerBound(t, until) - lowerBound(t, from);
  }

  private static int lowerBound(long[] t, long v) {
    int i = Arrays.binarySearch(t, v);
    if (i < 0) {
      return -i - 1;
    }
    while (i > 0 && t[i - 1] == v) {
      i--;
    }
    return i;
  }

  private static int maxInWindow(long[] t, long window) {
    int max = 0;
    for (int i = 0, j = 0; i < t.length; i++) {
      while (t[i] - t[j] >= window) {
        j++;
      }
      max = Math.max(max, i - j + 1);
    }
    return max;
  }

  /** Every id delivered exactly once and nothing else (the sink was reset before the drain). */
  private boolean onceAll(Collection<String> ids) {
    return bench.allOnce(ids);
  }

  private static List<String> union(Collection<String> a, Collection<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private long count(String db, String sql) throws Exception {
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
