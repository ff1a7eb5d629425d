package dev.ums.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Kafka transport under fire, whole processes: one relay process and two sender processes of
 * {@code app/target/ums.jar} ({@code ums.transport=kafka}) on one database and one broker, checked
 * against the same guarantees as {@link ChaosScenariosTest}: nothing lost, nothing left SENDING,
 * nothing dead-lettered, duplicates within the scenario's bound.
 *
 * <p>Needs a broker: {@code UMS_TEST_KAFKA=host:port} (see {@link KafkaBroker#sharedBootstrap});
 * skipped when unset, failed when unset under {@code CI=true}. Short form by default (2,000
 * messages); {@code -Dchaos.long=true} drains 20,000.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaFleetTest {

  /** {@code ums.kafka.sender.batch-size} of every sender: records one poll returns at most. */
  static final int BATCH = 50;

  /**
   * What a killed sender may leave to be sent again: the records of its consumed batch it had sent
   * but not recorded (at most {@link #BATCH}) plus the claims its dispatcher held unrecorded (at
   * most four times workers + prefetch, {@link ChaosScenariosTest#KILL_BOUND}). Every record it had
   * recorded is skipped by the sender that takes its partitions over, whatever offset it resumes
   * from.
   */
  static final int KILL_BOUND = BATCH + ChaosScenariosTest.KILL_BOUND;

  private static final boolean LONG = ChaosRun.LONG;
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(LONG ? 900 : 180);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(LONG ? 300 : 90);

  @AfterAll
  static void printReport() {
    ChaosReport.printTable();
  }

  @Test
  @Order(1)
  void kill9_of_one_of_two_senders_mid_drain_loses_nothing_and_duplicates_at_most_its_batch()
      throws Exception {
    String bootstrap = KafkaBroker.sharedBootstrap();
    int n = LONG ? 20_000 : 2_000;
    try (ChaosRun run = ChaosRun.open("kafkakill9")) {
      run.smtp.endOfDataDelay(Duration.ofMillis(10));
      Fleet fleet = Fleet.start(run, bootstrap);
      List<UUID> ids = run.intake.batch(fleet.relay(), 0, n);
      run.awaitDeliveries(n / 4, STEP_TIMEOUT);
      UmsNode victim = fleet.busiestSender();
      double victimSent = sent(victim);
      int deliveredBefore = run.smtp.deliveries();
      victim.kill9();
      Instant faultEnd = Instant.now();
      System.out.printf(
          "[chaos] kill -9 %s after it sent %.0f; %d of %d delivered then%n",
          victim.name(), victimSent, deliveredBefore, n);
      assertTrue(victimSent > 0, victim.name() + " had sent nothing: the kill proves nothing");
      assertTrue(
          deliveredBefore < n, "everything was delivered before the kill: the kill proves nothing");
      ChaosScenariosTest.verify(
          run,
          "Kafka: kill -9 of 1 of 2 senders mid-drain",
          ids,
          KILL_BOUND,
          faultEnd,
          "n/a",
          DRAIN_TIMEOUT);
      fleet.printCounters();
    }
  }

  @Test
  @Order(2)
  void broker_restart_mid_drain_loses_nothing_and_delivery_resumes_by_itself() throws Exception {
    KafkaBroker.sharedBootstrap(); // the Kafka scenarios run (or are skipped) together
    int n = LONG ? 5_000 : 1_000;
    try (ChaosRun run = ChaosRun.open("kafkarestart");
        KafkaBroker broker = KafkaBroker.startOwn(run.dir)) {
      run.smtp.endOfDataDelay(Duration.ofMillis(20));
      Fleet fleet = Fleet.start(run, broker.bootstrap());
      List<UUID> ids = new ArrayList<>(run.intake.batch(fleet.relay(), 0, n / 2));
      run.awaitDeliveries(n / 8, STEP_TIMEOUT);
      int deliveredBefore = run.smtp.deliveries();
      Instant outageStart = Instant.now();
      broker.stop();
      // Queued while the broker is away: the relay claims them, its publishes fail, the rows go
      // back to the queue and wait.
      ids.addAll(run.intake.batch(fleet.relay(), n / 2, n - n / 2));
      assertTrue(
          ChaosRun.await(STEP_TIMEOUT, Duration.ofMillis(500), () -> "DOWN".equals(kafka(fleet))),
          "health component kafka is not DOWN while the broker is stopped");
      broker.restart();
      Instant faultEnd = Instant.now();
      System.out.printf(
          "[chaos] broker stopped and started again on its data, outage %s; %d of %d delivered"
              + " before%n",
          ChaosReport.seconds(Duration.between(outageStart, faultEnd)), deliveredBefore, n);
      assertTrue(
          deliveredBefore < n / 2,
          "the first half was delivered before the broker stopped: the restart proves nothing");
      // No UMS process dies and none is restarted: the relay publishes again and the senders
      // consume again by themselves; what they had recorded before is skipped, never re-sent.
      ChaosScenariosTest.verify(
          run, "Kafka: broker restart mid-drain", ids, 0, faultEnd, "n/a", DRAIN_TIMEOUT);
      assertTrue(
          ChaosRun.await(STEP_TIMEOUT, Duration.ofMillis(500), () -> "UP".equals(kafka(fleet))),
          "health component kafka is not UP again after the restart");
      fleet.printCounters();
    }
  }

  /** The relay's {@code kafka} health component, null when it cannot be read. */
  private static String kafka(Fleet fleet) {
    try {
      return fleet.relay().health("kafka");
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Messages this node's dispatcher recorded as sent. */
  private static double sent(UmsNode node) throws Exception {
    return Math.max(0, node.counter("ums_dispatch_sent_total"));
  }

  /**
   * One relay ({@code ums.kafka.relay.enabled}, no sender) and two senders ({@code
   * ums.kafka.sender.enabled}, {@link #BATCH} records per poll) on a topic and consumer group of
   * the scenario's own.
   */
  private record Fleet(UmsNode relay, List<UmsNode> senders) {

    static Fleet start(ChaosRun run, String bootstrap) throws Exception {
      String topic = "ums.chaos." + run.scenario + "." + System.currentTimeMillis();
      String[] common = {
        "--ums.transport=kafka",
        "--ums.kafka.bootstrap-servers=" + bootstrap,
        "--ums.kafka.topic=" + topic,
        "--ums.kafka.group-id=" + topic + ".senders",
        "--ums.kafka.sender.batch-size=" + BATCH,
        // The relay publishes a claimed row within twice this; the chaos lease is 15 s.
        "--ums.kafka.request-timeout=5s"
      };
      UmsNode relay =
          run.start(
                  1,
                  with(
                      common, "--ums.kafka.relay.enabled=true", "--ums.kafka.sender.enabled=false"))
              .get(0);
      List<UmsNode> senders =
          run.start(
              2,
              with(common, "--ums.kafka.relay.enabled=false", "--ums.kafka.sender.enabled=true"));
      return new Fleet(relay, senders);
    }

    /** The sender that has sent the most so far. */
    UmsNode busiestSender() throws Exception {
      UmsNode busiest = senders.get(0);
      for (UmsNode s : senders) {
        if (sent(s) > sent(busiest)) {
          busiest = s;
        }
      }
      return busiest;
    }

    void printCounters() throws Exception {
      List<String> lines = new ArrayList<>();
      lines.add(
          relay.name() + " published " + (long) relay.counter("ums_kafka_relay_published_total"));
      for (UmsNode s : senders) {
        if (s.alive()) {
          lines.add(
              s.name()
                  + " sent "
                  + (long) sent(s)
                  + ", skipped "
                  + (long) s.counter("ums_kafka_sender_skipped_total"));
        }
      }
      System.out.println("[chaos] " + String.join("; ", lines));
    }

    private static String[] with(String[] common, String... more) {
      return Stream.concat(Stream.of(common), Stream.of(more)).toArray(String[]::new);
    }
  }
}
