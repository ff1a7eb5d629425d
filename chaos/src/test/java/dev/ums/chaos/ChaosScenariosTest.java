package dev.ums.chaos;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ums.testing.LocalPostgres.StopMode;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import dev.ums.testkit.smtp.ScriptedSmtpServer.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Whole-process fault scenarios against {@code app/target/ums.jar}. Each one checks the delivery
 * guarantees: nothing lost (every accepted message ends SENT and its Message-ID reached the relay),
 * nothing left SENDING, nothing dead-lettered, and duplicates (deliveries the relay counted beyond
 * the first per Message-ID) within the scenario's bound, which it reports beside the count.
 *
 * <p>Short form by default (a few hundred messages, outages of 15–20 s); {@code -Dchaos.long=true}
 * runs thousands of messages and the full durations (10-minute relay outage). One scenario: {@code
 * -Dtest='ChaosScenariosTest#relay_outage*'}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosScenariosTest {

  /** {@code ums.dispatch.workers} of every node. */
  static final int WORKERS = 4;

  /** {@code ums.dispatch.prefetch} of every node: claimed rows held beyond the workers. */
  static final int PREFETCH = 4;

  /**
   * What a killed node may leave to be sent again: rows it was sending (at most workers + prefetch)
   * and rows it had sent whose results were not yet written; the dispatcher holds at most four
   * times workers + prefetch claimed rows in all.
   */
  static final int KILL_BOUND = 4 * (WORKERS + PREFETCH);

  private static final boolean LONG = ChaosRun.LONG;
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(LONG ? 900 : 120);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

  @AfterAll
  static void printReport() {
    ChaosReport.printTable();
  }

  @Test
  @Order(1)
  void
      kill9_of_one_of_three_instances_mid_drain_loses_nothing_and_duplicates_at_most_its_in_flight()
          throws Exception {
    int n = LONG ? 20_000 : 600;
    try (ChaosRun run = ChaosRun.open("kill9")) {
      run.smtp.endOfDataDelay(Duration.ofMillis(50));
      List<UmsNode> nodes = run.start(3);
      List<UUID> ids = run.intake.batch(nodes.get(0), 0, n);
      run.awaitDeliveries(n / 4, STEP_TIMEOUT);
      UmsNode victim = busiest(run, nodes);
      Map<String, Integer> claimed = run.claimedBy();
      victim.kill9();
      Instant faultEnd = Instant.now();
      System.out.println("[chaos] kill -9 " + victim.name() + "; rows claimed then: " + claimed);
      verify(run, "kill -9 of 1 of 3 mid-drain", ids, KILL_BOUND, faultEnd, "n/a");
    }
  }

  @Test
  @Order(2)
  void relay_outage_delivers_everything_afterwards_without_dead_letters() throws Exception {
    Duration outage = LONG ? Duration.ofMinutes(10) : Duration.ofSeconds(20);
    relayFault(
        "outage",
        "relay outage (refused) " + outage.toSeconds() + " s",
        smtp -> smtp.fault(Fault.REFUSE),
        smtp -> smtp.fault(Fault.NONE),
        outage,
        LONG ? 3000 : 300,
        WORKERS);
  }

  @Test
  @Order(3)
  void black_hole_relay_delivers_everything_afterwards_without_dead_letters() throws Exception {
    Duration fault = LONG ? Duration.ofSeconds(60) : Duration.ofSeconds(20);
    relayFault(
        "blackhole",
        "black hole " + fault.toSeconds() + " s",
        smtp -> smtp.fault(Fault.BLACK_HOLE),
        smtp -> smtp.fault(Fault.NONE),
        fault,
        LONG ? 3000 : 300,
        0);
  }

  @Test
  @Order(4)
  void slow_relay_drains_at_workers_per_delay_without_duplicates_or_dead_letters()
      throws Exception {
    int workers = 8;
    int n = LONG ? 2000 : 400;
    Duration delay = Duration.ofMillis(500);
    try (ChaosRun run = ChaosRun.open("slow")) {
      run.smtp.endOfDataDelay(delay);
      List<UmsNode> nodes =
          run.start(1, "--ums.dispatch.workers=" + workers, "--ums.dispatch.prefetch=" + workers);
      Instant queued = Instant.now();
      List<UUID> ids = run.intake.batch(nodes.get(0), 0, n);
      ChaosRun.await(DRAIN_TIMEOUT, () -> run.smtp.distinct() >= n);
      Duration drain = Duration.between(queued, Instant.now());
      double rate = run.smtp.distinct() / (drain.toMillis() / 1000.0);
      double ideal = workers / (delay.toMillis() / 1000.0);
      System.out.printf(
          "[chaos] slow relay: %d distinct in %s, %.1f msg/s (workers / delay = %.1f msg/s)%n",
          run.smtp.distinct(), ChaosReport.seconds(drain), rate, ideal);
      verify(run, "slow relay (0.5 s per message)", ids, 0, queued, "n/a");
      assertTrue(
          rate >= 0.7 * ideal,
          String.format("throughput %.1f msg/s is below 70%% of %.1f msg/s", rate, ideal));
    }
  }

  @Test
  @Order(5)
  void a_451_storm_delivers_everything_afterwards_without_dead_letters() throws Exception {
    Duration storm = LONG ? Duration.ofSeconds(30) : Duration.ofSeconds(15);
    relayFault(
        "storm451",
        "451 storm " + storm.toSeconds() + " s",
        smtp -> smtp.rcptReply("451 4.7.1 try later"),
        smtp -> smtp.rcptReply("250 2.1.5 OK"),
        storm,
        LONG ? 3000 : 300,
        0);
  }

  @Test
  @Order(6)
  void database_restart_mid_drain_loses_nothing() throws Exception {
    int n = LONG ? 3000 : 400;
    try (ChaosRun run = ChaosRun.openWithOwnDatabaseServer("dbrestart")) {
      run.smtp.endOfDataDelay(Duration.ofMillis(20));
      List<UmsNode> nodes = run.start(2);
      List<UUID> ids = run.intake.batch(nodes.get(0), 0, n);
      run.awaitDeliveries(n / 4, STEP_TIMEOUT);
      run.pg.stop(StopMode.FAST);
      run.pg.start();
      Instant faultEnd = Instant.now();
      // No process dies: results held through the restart are recorded, never re-sent.
      verify(run, "database restart", ids, 0, faultEnd, "n/a");
    }
  }

  @Test
  @Order(7)
  void database_outage_longer_than_the_lease_loses_nothing() throws Exception {
    int n = LONG ? 3000 : 400;
    Duration outage = ChaosRun.LEASE.plus(Duration.ofSeconds(LONG ? 45 : 5));
    try (ChaosRun run = ChaosRun.openWithOwnDatabaseServer("dboutage")) {
      run.smtp.endOfDataDelay(Duration.ofMillis(20));
      List<UmsNode> nodes = run.start(2);
      List<UUID> ids = run.intake.batch(nodes.get(0), 0, n);
      run.awaitDeliveries(n / 4, STEP_TIMEOUT);
      run.pg.stop(StopMode.IMMEDIATE);
      Thread.sleep(outage.toMillis()); // the fault itself lasts this long
      run.pg.start();
      Instant faultEnd = Instant.now();
      verify(
          run,
          "database outage "
              + outage.toSeconds()
              + " s (lease "
              + ChaosRun.LEASE.toSeconds()
              + " s)",
          ids,
          0, // no process dies; the reaper's grace lets held results land first
          faultEnd,
          "n/a");
    }
  }

  @Test
  @Order(8)
  void sigterm_mid_drain_finishes_or_releases_its_sends_without_duplicates() throws Exception {
    int n = LONG ? 5000 : 600;
    try (ChaosRun run = ChaosRun.open("sigterm")) {
      run.smtp.endOfDataDelay(Duration.ofMillis(50));
      List<UmsNode> nodes = run.start(2);
      List<UUID> ids = run.intake.batch(nodes.get(0), 0, n);
      run.awaitDeliveries(n / 4, STEP_TIMEOUT);
      UmsNode victim = busiest(run, nodes);
      Instant signalled = Instant.now();
      boolean graceful = victim.sigterm(Duration.ofSeconds(40));
      Instant faultEnd = Instant.now();
      System.out.println(
          "[chaos] SIGTERM "
              + victim.name()
              + (graceful ? " exited in " : " was killed after ")
              + ChaosReport.seconds(Duration.between(signalled, faultEnd)));
      verify(run, "SIGTERM mid-drain", ids, 0, faultEnd, "n/a");
    }
  }

  @Test
  @Order(9)
  void every_idempotency_key_ends_as_one_delivered_message_when_the_serving_instance_is_killed()
      throws Exception {
    int keys = LONG ? 2000 : 300;
    try (ChaosRun run = ChaosRun.open("intake")) {
      run.smtp.endOfDataDelay(Duration.ofMillis(10));
      List<UmsNode> nodes = run.start(2);
      UmsNode serving = nodes.get(0);
      UmsNode other = nodes.get(1);
      Map<String, UUID> answers = new ConcurrentHashMap<>();
      AtomicInteger retries = new AtomicInteger();
      ExecutorService clients = Executors.newFixedThreadPool(8);
      for (int i = 0; i < keys; i++) {
        int k = i;
        clients.execute(
            () -> {
              String key = "intake-key-" + k;
              try {
                Optional<UUID> id = run.intake.send(serving.base(), key, k);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (id.isEmpty() && System.nanoTime() < deadline) {
                  retries.incrementAndGet();
                  Thread.sleep(100); // a client's back-off before it retries elsewhere
                  id = run.intake.send(other.base(), key, k);
                }
                id.ifPresent(v -> answers.put(key, v));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      }
      ChaosRun.await(STEP_TIMEOUT, () -> answers.size() >= keys / 3);
      serving.kill9();
      Instant faultEnd = Instant.now();
      clients.shutdown();
      assertTrue(clients.awaitTermination(3, TimeUnit.MINUTES), "clients did not finish");
      List<UUID> ids = new ArrayList<>(answers.values());
      Set<UUID> distinct = new HashSet<>(ids);
      int rows = run.statusCounts().values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf(
          "[chaos] intake: %d keys answered of %d, %d distinct ids, %d message rows, %d retries%n",
          answers.size(), keys, distinct.size(), rows, retries.get());
      assertAll(
          () -> assertEquals(keys, answers.size(), "keys that never got a 202"),
          () -> assertEquals(keys, distinct.size(), "distinct message ids over all keys"),
          () -> assertEquals(keys, rows, "message rows stored for " + keys + " keys"));
      verify(
          run,
          "intake retries, serving instance killed",
          List.copyOf(distinct),
          KILL_BOUND,
          faultEnd,
          "n/a");
    }
  }

  /**
   * Queues half the messages, applies {@code fault} to the relay mid-drain, queues the other half
   * during the fault, {@code repair}s it after {@code duration} and checks the outcome.
   */
  private static void relayFault(
      String name,
      String label,
      Consumer<ScriptedSmtpServer> fault,
      Consumer<ScriptedSmtpServer> repair,
      Duration duration,
      int n,
      int duplicateBound)
      throws Exception {
    try (ChaosRun run = ChaosRun.open(name)) {
      run.smtp.endOfDataDelay(Duration.ofMillis(20));
      List<UmsNode> nodes = run.start(1);
      List<UUID> ids = new ArrayList<>(run.intake.batch(nodes.get(0), 0, n / 2));
      run.awaitDeliveries(n / 8, STEP_TIMEOUT);
      String attempts = "ums_smtp_connections_opened_total";
      double attemptsBefore = nodes.get(0).counter(attempts);
      assertTrue(attemptsBefore >= 0, attempts + " is not exported");
      Instant faultStart = Instant.now();
      fault.accept(run.smtp);
      boolean refused = run.smtp.fault() == Fault.REFUSE;
      ids.addAll(run.intake.batch(nodes.get(0), n / 2, n - n / 2));
      Thread.sleep(
          Math.max(0, duration.minus(Duration.between(faultStart, Instant.now())).toMillis()));
      Instant faultEnd = Instant.now();
      double attemptsDuring = nodes.get(0).counter(attempts) - attemptsBefore;
      repair.accept(run.smtp);
      double minutes = Duration.between(faultStart, faultEnd).toMillis() / 60_000.0;
      // Refused connects never reach the relay, so they are counted where they start: UMS's own
      // count of connection attempts. For the other faults the relay counts what it accepted.
      double rate =
          (refused ? attemptsDuring : run.smtp.connectionsBetween(faultStart, faultEnd)) / minutes;
      String perMinute = String.format(java.util.Locale.ROOT, "%.0f", rate);
      verify(run, label, ids, duplicateBound, faultEnd, perMinute);
      assertTrue(
          rate < 100,
          String.format(
              java.util.Locale.ROOT,
              "%.0f relay connections per minute during the fault (limit 100)",
              rate));
    }
  }

  /** The node holding the most claimed rows right now (the first if none holds any). */
  private static UmsNode busiest(ChaosRun run, List<UmsNode> nodes) throws Exception {
    Map<String, Integer> claimed = run.claimedBy();
    return nodes.stream()
        .max((a, b) -> claimed.getOrDefault(a.name(), 0) - claimed.getOrDefault(b.name(), 0))
        .orElseThrow();
  }

  /** Waits for the drain, reports the figures, then asserts the guarantees. */
  private static void verify(
      ChaosRun run,
      String scenario,
      List<UUID> accepted,
      int duplicateBound,
      Instant faultEnd,
      String connectionsPerMinute)
      throws Exception {
    verify(run, scenario, accepted, duplicateBound, faultEnd, connectionsPerMinute, DRAIN_TIMEOUT);
  }

  /**
   * Waits up to {@code drainTimeout} for every accepted message to be final, reports the figures (a
   * {@link ChaosReport} row), then asserts the guarantees: nothing lost (SENT and relayed), nothing
   * SENDING, nothing FAILED, duplicates within {@code duplicateBound}.
   */
  static void verify(
      ChaosRun run,
      String scenario,
      List<UUID> accepted,
      int duplicateBound,
      Instant faultEnd,
      String connectionsPerMinute,
      Duration drainTimeout)
      throws Exception {
    boolean drained = run.awaitAllSent(accepted, drainTimeout) != null;
    Duration recovery = Duration.between(faultEnd, Instant.now());
    Map<String, Integer> counts = run.statusCounts();
    int notSent = accepted.size() - run.sent(accepted);
    int neverRelayed =
        (int)
            accepted.stream().filter(id -> run.smtp.deliveries(Intake.messageId(id)) == 0).count();
    int lost = Math.max(notSent, neverRelayed);
    int duplicates = run.smtp.duplicates();
    int stuck = counts.get("SENDING");
    int dead = counts.get("FAILED");
    System.out.println("[chaos] " + scenario + ": statuses " + counts);
    ChaosReport.add(
        new ChaosReport.Row(
            scenario,
            accepted.size(),
            lost,
            duplicates,
            duplicateBound,
            stuck,
            dead,
            drained ? recovery : null,
            connectionsPerMinute));
    assertAll(
        () -> assertEquals(0, notSent, "accepted messages not SENT"),
        () ->
            assertEquals(
                0, neverRelayed, "accepted messages whose Message-ID never reached the relay"),
        () -> assertEquals(0, stuck, "messages left SENDING"),
        () -> assertEquals(0, dead, "messages dead-lettered (FAILED)"),
        () ->
            assertTrue(
                duplicates <= duplicateBound,
                "duplicates " + duplicates + " exceed the bound " + duplicateBound));
  }
}
