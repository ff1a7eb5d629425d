package dev.ums.kafka;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Kafka transport settings ({@code ums.kafka.*}), read when {@code ums.transport=kafka}.
 *
 * @param bootstrapServers the brokers ({@code host:port,...}); required in Kafka mode
 * @param topic the hand-off topic, one record per claimed message
 * @param partitions partitions of the topic when UMS creates it (the most sender instances that can
 *     consume at once); an existing topic is used as it is
 * @param groupId the senders' consumer group
 * @param lease how long a published row stays leased to the senders: the longest a record may wait
 *     in the topic before the reaper returns the row (and the relay publishes it again). At least
 *     {@code ums.dispatch.lease}
 * @param requestTimeout how long one broker request may take (publish, metadata, health probe)
 * @param relay the relay role
 * @param sender the sender role
 */
@ConfigurationProperties("ums.kafka")
public record KafkaProperties(
    String bootstrapServers,
    @DefaultValue("ums.outbox") String topic,
    @DefaultValue("12") int partitions,
    @DefaultValue("ums-senders") String groupId,
    @DefaultValue("15m") Duration lease,
    @DefaultValue("10s") Duration requestTimeout,
    @DefaultValue Relay relay,
    @DefaultValue Sender sender) {

  public KafkaProperties {
    if (partitions < 1) {
      throw new IllegalArgumentException("ums.kafka.partitions must be at least 1");
    }
  }

  /**
   * {@code ums.kafka.relay.*}: claims due outbox rows and publishes them.
   *
   * @param enabled whether this instance runs the relay
   * @param batchSize most rows claimed and published at once
   * @param pollInterval fallback poll when no wake-up signal arrives
   */
  public record Relay(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("500") int batchSize,
      @DefaultValue("1s") Duration pollInterval) {}

  /**
   * {@code ums.kafka.sender.*}: consumes published rows and sends them (with {@code
   * ums.dispatch.workers} and {@code ums.dispatch.prefetch} as in database mode).
   *
   * @param enabled whether this instance sends
   * @param batchSize most records one poll returns ({@code max.poll.records})
   * @param pollTimeout how long one poll waits for records
   * @param sessionTimeout how long the group waits for a silent sender before its partitions move
   *     to the others
   */
  public record Sender(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("100") int batchSize,
      @DefaultValue("200ms") Duration pollTimeout,
      @DefaultValue("10s") Duration sessionTimeout) {}
}
