package dev.ums.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker as this instance sees it: whether it answers (a cluster metadata request within the
 * request timeout, cached for {@link #CACHE}), and the hand-off topic, created with {@code
 * ums.kafka.partitions} partitions the first time the broker answers if it does not exist (its
 * replication factor is the broker's default).
 */
class Broker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Broker.class);
  static final Duration CACHE = Duration.ofSeconds(2);

  private final Admin admin;
  private final KafkaProperties props;
  private final Clock clock;
  private volatile boolean topicReady;
  private volatile State last;

  /** One probe's answer. */
  record State(boolean up, Instant at, String error, int nodes) {}

  Broker(KafkaProperties props, Clock clock) {
    this.props = props;
    this.clock = clock;
    int timeoutMs = (int) props.requestTimeout().toMillis();
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                props.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                timeoutMs,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "ums-admin"));
  }

  /** The last probe if younger than {@link #CACHE}, otherwise a new one. */
  State state() {
    State s = last;
    if (s != null && s.at().plus(CACHE).isAfter(clock.instant())) {
      return s;
    }
    return probe();
  }

  /** Probes now; when the broker answers, makes sure the topic exists. */
  synchronized State probe() {
    State s;
    try {
      int nodes =
          admin
              .describeCluster()
              .nodes()
              .get(props.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .size();
      s = new State(true, clock.instant(), null, nodes);
      if (!topicReady) {
        ensureTopic();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s = new State(false, clock.instant(), "interrupted", 0);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      s = new State(false, clock.instant(), cause.getClass().getSimpleName(), 0);
    }
    if (last != null && last.up() != s.up()) {
      if (s.up()) {
        log.info("event=kafka_broker_up nodes={}", s.nodes());
      } else {
        log.warn("event=kafka_broker_down error={}", s.error());
      }
    }
    last = s;
    return s;
  }

  private void ensureTopic() throws InterruptedException, ExecutionException, TimeoutException {
    try {
      admin
          .createTopics(
              List.of(
                  new NewTopic(props.topic(), Optional.of(props.partitions()), Optional.empty())))
          .all()
          .get(props.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
      log.info(
          "event=kafka_topic_created topic={} partitions={}", props.topic(), props.partitions());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    topicReady = true;
  }

  /** Total lag of {@code group} over the topic, or -1 when the broker does not answer. */
  long lag(String group) {
    try {
      var committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(props.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
      var latestQuery =
          new java.util.HashMap<
              org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec>();
      var topic =
          admin
              .describeTopics(List.of(props.topic()))
              .allTopicNames()
              .get(props.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .get(props.topic());
      for (var p : topic.partitions()) {
        latestQuery.put(
            new org.apache.kafka.common.TopicPartition(props.topic(), p.partition()),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      var latest =
          admin
              .listOffsets(latestQuery)
              .all()
              .get(props.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
      long lag = 0;
      for (var e : latest.entrySet()) {
        var c = committed.get(e.getKey());
        lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
      }
      return lag;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
