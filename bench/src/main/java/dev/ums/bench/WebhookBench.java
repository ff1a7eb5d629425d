package dev.ums.bench;

import com.sun.net.httpserver.HttpServer;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The webhook scenarios ({@code -Dbench.webhooks=true}), in one run:
 *
 * <ol>
 *   <li><b>Drain with and without webhooks</b>: the loopback drain of {@code bench.webhooksN}
 *       messages (as scenario 1: queued through the batch endpoint with the dispatcher off, then
 *       drained by a restarted UMS), once with no webhook endpoint and once with one endpoint
 *       subscribed to every event (the receiver below), alternately {@code bench.webhooksRepeats}
 *       times; emails/s first to last received by the sink, and the ratio of the medians. With
 *       webhooks, the intake's {@code message.queued} events are delivered before the drain starts,
 *       so the drain carries the {@code message.sent} events, one per email.
 *   <li><b>Event latency</b>: open-loop single POSTs at {@code bench.webhookRate / 2} messages/s
 *       with the dispatcher on, so {@code bench.webhookRate} status changes (queued and sent) per
 *       second, for {@code bench.webhookSeconds} after a warm-up; per event, the receiver's arrival
 *       time minus the event's {@code timestamp} in the payload (when the ledger wrote the change,
 *       just before its commit).
 * </ol>
 *
 * The receiver is a JDK {@code HttpServer} in this process answering 204; UMS and the harness read
 * the same system clock.
 */
final class WebhookBench {

  static final String DRAIN = "10 loopback drain, webhooks off and on";
  static final String LATENCY = "11 webhook event latency";

  private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([a-z.]+)\"");
  private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern EVENT_ID =
      Pattern.compile("\"eventId\"\\s*:\\s*\"([0-9a-f-]{36})\"");
  private static final Pattern MESSAGE_ID =
      Pattern.compile("\"messageId\"\\s*:\\s*\"([0-9a-f-]{36})\"");

  private final Bench bench;
  private final BenchConfig cfg;
  private final Report report;
  private final ScriptedSmtpServer sink;

  WebhookBench(Bench bench, BenchConfig cfg, Report report, ScriptedSmtpServer sink) {
    this.bench = bench;
    this.cfg = cfg;
    this.report = report;
    this.sink = sink;
  }

  void run() throws Exception {
    int n = Integer.getInteger("bench.webhooksN", cfg.quick() ? 2_000 : 20_000);
    int repeats = Integer.getInteger("bench.webhooksRepeats", 1);
    report.setting("webhook drain N", n + " messages, " + repeats + " run(s) each, off then on");
    double[] off = new double[repeats];
    double[] on = new double[repeats];
    for (int i = 0; i < repeats && n > 0; i++) {
      off[i] = drain(n, false, i + 1);
      on[i] = drain(n, true, i + 1);
    }
    if (n == 0) {
      latencyOnly();
      return;
    }
    double ratio = median(on) / median(off);
    report.row(
        DRAIN, "webhooks on / off (medians)", ratio, "ratio", "target: at least 0.85 (within 15%)");
    report.check(DRAIN, "drain with webhooks within 15% of without", ratio >= 0.85);
    latencyOnly();
  }

  private void latencyOnly() throws Exception {
    latency(
        Integer.getInteger("bench.webhookRate", 500),
        Integer.getInteger("bench.webhookWarmupSeconds", cfg.quick() ? 1 : 5),
        Integer.getInteger("bench.webhookSeconds", cfg.quick() ? 3 : 60));
  }

  /** One loopback drain of {@code n} messages; returns emails/s. */
  private double drain(int n, boolean webhooks, int run) throws Exception {
    String label = (webhooks ? "webhooks on" : "webhooks off") + ", run " + run;
    Postgres pg = bench.postgres();
    String db = pg.create("ums_bench");
    try (Receiver receiver = webhooks ? new Receiver() : null) {
      sink.roundTripDelay(Duration.ZERO);
      sink.reset();
      List<String> ids;
      Bench.progress(DRAIN + ": " + label + ": inserting " + n + " messages");
      try (UmsProcess ums = bench.ums(db, false, privateHooks())) {
        UmsClient client = new UmsClient(ums.base());
        if (webhooks) {
          client.createWebhook(receiver.url());
        }
        ids = bench.insertBatches(client, n, 2);
        if (webhooks && !receiver.await(ids, 1, 300_000)) {
          report.check(DRAIN, label + ": every message.queued event delivered", false);
        }
      }
      sink.reset();
      long sentBefore = receiver == null ? 0 : receiver.count();
      Bench.progress(DRAIN + ": " + label + ": draining");
      double rate;
      try (UmsProcess ums = bench.ums(db, true, privateHooks())) {
        boolean all = bench.await(DRAIN, n, 60_000 + n * 5L);
        rate = Bench.rate(n, sink.firstAt(), sink.lastAt());
        report.row(
            DRAIN,
            "UMS dispatch emails/s, " + label,
            rate,
            "emails/s",
            n + " queued, first to last received");
        report.check(
            DRAIN,
            label + ": " + n + " messages delivered exactly once",
            all && bench.allOnce(ids));
        if (webhooks) {
          boolean events = receiver.await(ids, 2, 300_000);
          report.check(DRAIN, label + ": every queued and sent event delivered", events);
          report.row(
              DRAIN,
              "events delivered twice, " + label,
              receiver.duplicates(),
              "events",
              "at least once: a delivery that timed out is sent again");
          Stats sent = receiver.latency(ids, "message.sent");
          report.row(
              DRAIN,
              "message.sent event latency p99 during the drain, " + label,
              sent.percentileMillis(99),
              "ms",
              (receiver.count() - sentBefore)
                  + " events; payload timestamp to arrival (the drain sends faster than the"
                  + " latency target's rate)");
        }
      }
      return rate;
    } finally {
      pg.drop(db);
    }
  }

  /** Open-loop sends producing {@code changesPerSecond} events/s; latency per event. */
  private void latency(int changesPerSecond, int warmupSeconds, int seconds) throws Exception {
    int messagesPerSecond = Math.max(1, changesPerSecond / 2);
    Postgres pg = bench.postgres();
    String db = pg.create("ums_bench");
    try (Receiver receiver = new Receiver()) {
      sink.roundTripDelay(Duration.ZERO);
      sink.reset();
      try (UmsProcess ums = bench.ums(db, true, privateHooks())) {
        UmsClient client = new UmsClient(ums.base());
        client.createWebhook(receiver.url());
        Bench.progress(LATENCY + ": warm-up " + warmupSeconds + " s");
        Collection<String> warm = openLoop(client, messagesPerSecond, warmupSeconds);
        receiver.await(warm, 2, 120_000);
        Bench.progress(
            LATENCY
                + ": "
                + messagesPerSecond
                + " messages/s ("
                + changesPerSecond
                + " status changes/s) for "
                + seconds
                + " s");
        long t0 = System.nanoTime();
        Collection<String> ids = openLoop(client, messagesPerSecond, seconds);
        double achieved = 2 * ids.size() / Bench.secs(System.nanoTime() - t0);
        boolean all = receiver.await(ids, 2, 120_000);
        Stats lat = receiver.latency(ids, null);
        String label = "at " + changesPerSecond + " status changes/s";
        report.row(
            LATENCY,
            "event latency p50 " + label,
            lat.percentileMillis(50),
            "ms",
            "open loop, "
                + seconds
                + " s, "
                + lat.count()
                + " events (queued and sent), achieved "
                + Report.fmt(achieved)
                + " changes/s; payload timestamp to arrival at the receiver");
        report.row(LATENCY, "event latency p95 " + label, lat.percentileMillis(95), "ms", "");
        report.row(LATENCY, "event latency p99 " + label, lat.percentileMillis(99), "ms", "");
        report.row(LATENCY, "event latency max " + label, lat.maxMillis(), "ms", "");
        report.row(
            LATENCY,
            "events delivered twice " + label,
            receiver.duplicates(),
            "events",
            "at least once: a delivery that timed out is sent again");
        report.check(
            LATENCY, label + ": every event of " + ids.size() + " messages delivered", all);
        report.check(LATENCY, label + ": p99 under 1 s", lat.percentileMillis(99) < 1000);
      }
    } finally {
      pg.drop(db);
    }
  }

  /** The bench receiver listens on loopback: UMS must be told to allow it. */
  private static String privateHooks() {
    return "--ums.webhooks.allow-private-addresses=true";
  }

  /** Single POSTs at {@code rate}/s for {@code seconds}; returns the ids accepted. */
  private Collection<String> openLoop(UmsClient client, int rate, int seconds) throws Exception {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(32);
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
            try {
              ids.add(client.send());
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
      report.check(LATENCY, rate + " msgs/s: " + errors.get() + " POSTs failed", false);
    }
    return ids;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static long epochNanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** A webhook receiver: records each event's arrival time, answers 204. */
  private static final class Receiver implements AutoCloseable {

    record Arrival(String messageId, String type, long timestampNanos, long arrivedNanos) {}

    private final Map<String, Arrival> byEvent = new ConcurrentHashMap<>();
    private final Map<String, List<Arrival>> byMessage = new ConcurrentHashMap<>();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong count = new AtomicLong();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    Receiver() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.setExecutor(executor);
      server.createContext(
          "/hook",
          ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            long arrived = epochNanos(Instant.now());
            ex.sendResponseHeaders(204, -1);
            ex.close();
            record(new String(body, StandardCharsets.UTF_8), arrived);
          });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private void record(String body, long arrived) {
      String type = group(TYPE, body);
      String timestamp = group(TIMESTAMP, body);
      String eventId = group(EVENT_ID, body);
      String messageId = group(MESSAGE_ID, body);
      if (type == null || timestamp == null || eventId == null || messageId == null) {
        return;
      }
      Arrival a = new Arrival(messageId, type, epochNanos(Instant.parse(timestamp)), arrived);
      if (byEvent.putIfAbsent(eventId, a) != null) {
        duplicates.incrementAndGet();
        return;
      }
      byMessage
          .computeIfAbsent(messageId, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(a);
      count.incrementAndGet();
    }

    private static String group(Pattern p, String s) {
      Matcher m = p.matcher(s);
      return m.find() ? m.group(1) : null;
    }

    long count() {
      return count.get();
    }

    long duplicates() {
      return duplicates.get();
    }

    /** Waits until each of {@code ids} has at least {@code perMessage} events. */
    boolean await(Collection<String> ids, int perMessage, long timeoutMillis)
        throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMillis;
      long lastProgress = System.currentTimeMillis();
      while (true) {
        long have = 0;
        for (String id : ids) {
          List<Arrival> l = byMessage.get(id);
          have += l == null ? 0 : Math.min(perMessage, l.size());
        }
        long want = (long) ids.size() * perMessage;
        if (have >= want) {
          return true;
        }
        long now = System.currentTimeMillis();
        if (now >= deadline) {
          return false;
        }
        if (now - lastProgress >= 5_000) {
          Bench.progress("webhook events: " + have + "/" + want + " received");
          lastProgress = now;
        }
        // A look every 100 ms, not at every arrival: a scan of all the ids per event would cost
        // this process (which shares the machine with UMS) a core while thousands arrive a second.
        synchronized (this) {
          wait(Math.min(100, deadline - now));
        }
      }
    }

    /** Timestamp-to-arrival of the events of {@code ids} (of {@code type}; null: all types). */
    Stats latency(Collection<String> ids, String type) {
      Stats s = new Stats();
      for (String id : ids) {
        for (Arrival a : byMessage.getOrDefault(id, new ArrayList<>())) {
          if (type == null || type.equals(a.type())) {
            s.add(Math.max(0, a.arrivedNanos() - a.timestampNanos()));
          }
        }
      }
      return s;
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
