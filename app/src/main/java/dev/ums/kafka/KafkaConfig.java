package dev.ums.kafka;

import dev.ums.delivery.DeliveryControl;
import dev.ums.dispatch.DispatchProperties;
import dev.ums.dispatch.InstanceId;
import dev.ums.dispatch.Transport;
import dev.ums.ledger.Ledger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Kafka mode ({@code ums.transport=kafka}): the broker probe and health, the relay where {@code
 * ums.kafka.relay.enabled}, and where {@code ums.kafka.sender.enabled} the claim source the
 * dispatcher takes its claims from. Start-up fails when a role is enabled but the mode is not, or
 * when the brokers are not named.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(KafkaConfig.KafkaMode.class)
@EnableConfigurationProperties(KafkaProperties.class)
class KafkaConfig {

  /** Matches when {@code ums.transport=kafka}. */
  static final class KafkaMode implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return Transport.of(context.getEnvironment()) == Transport.KAFKA;
    }
  }

  /** Matches in Kafka mode with the relay role on. */
  static final class RelayRole implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return new DispatchProperties.Enabled().matches(context, metadata)
          && context.getEnvironment().getProperty("ums.kafka.relay.enabled", Boolean.class, false);
    }
  }

  /** Matches in Kafka mode with the sender role on (and a dispatcher to drive it). */
  static final class SenderRole implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return new DispatchProperties.Sends().matches(context, metadata);
    }
  }

  @Bean(destroyMethod = "close")
  Broker kafkaBroker(KafkaProperties props, DispatchProperties dispatch, Clock clock) {
    if (props.bootstrapServers() == null || props.bootstrapServers().isBlank()) {
      throw new IllegalStateException(
          "ums.kafka.bootstrap-servers must be set when ums.transport=kafka");
    }
    if (props.lease().compareTo(dispatch.lease()) < 0) {
      throw new IllegalStateException(
          "ums.kafka.lease ("
              + props.lease()
              + ") must be at least ums.dispatch.lease ("
              + dispatch.lease()
              + ")");
    }
    Broker broker = new Broker(props, clock);
    broker.probe(); // creates the topic now if the broker answers; otherwise the relay will
    return broker;
  }

  @Bean
  KafkaHealth kafkaHealthIndicator(Broker broker, KafkaProperties props) {
    return new KafkaHealth(broker, props);
  }

  /** Fleet-wide lag of the senders' group, refreshed at most every few seconds. */
  @Bean
  Gauge kafkaConsumerLag(
      Broker broker, KafkaProperties props, MeterRegistry registry, Clock clock) {
    AtomicLong value = new AtomicLong(-1);
    AtomicLong at = new AtomicLong();
    return Gauge.builder(
            "ums.kafka.consumer.lag",
            value,
            v -> {
              long now = clock.millis();
              long last = at.get();
              if (now - last >= Broker.CACHE.toMillis() && at.compareAndSet(last, now)) {
                v.set(broker.lag(props.groupId()));
              }
              return v.get();
            })
        .description("Records published but not yet committed by the senders (-1: unknown)")
        .register(registry);
  }

  @Bean(destroyMethod = "close")
  @Conditional(RelayRole.class)
  Producer<byte[], byte[]> kafkaProducer(KafkaProperties props, InstanceId id) {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, props.bootstrapServers());
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "ums-relay-" + id.value());
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    int timeoutMs = (int) props.requestTimeout().toMillis();
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2 * timeoutMs + 2);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(c);
  }

  @Bean
  @Conditional(RelayRole.class)
  OutboxRelay outboxRelay(
      Ledger ledger,
      Producer<byte[], byte[]> producer,
      Broker broker,
      KafkaProperties props,
      DispatchProperties dispatch,
      InstanceId id,
      DeliveryControl control,
      MeterRegistry registry) {
    if (dispatch.lease().compareTo(props.requestTimeout().multipliedBy(3)) < 0) {
      throw new IllegalStateException(
          "ums.dispatch.lease must be at least 3 x ums.kafka.request-timeout: a claimed row is"
              + " published within twice the request timeout");
    }
    return new OutboxRelay(
        ledger, producer, broker, props, dispatch.lease(), id.value(), control, registry);
  }

  @Bean
  @Conditional(SenderRole.class)
  KafkaClaimSource kafkaClaimSource(
      Ledger ledger,
      KafkaProperties props,
      DispatchProperties dispatch,
      InstanceId id,
      MeterRegistry registry) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, props.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, props.groupId());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "ums-sender-" + id.value());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, props.sender().batchSize());
    c.put(
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) props.sender().sessionTimeout().toMillis());
    c.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        (int) Math.max(500, props.sender().sessionTimeout().toMillis() / 4));
    c.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Counter skipped =
        Counter.builder("ums.kafka.sender.skipped")
            .description("Records not sent: their message was no longer theirs to send")
            .register(registry);
    return new KafkaClaimSource(
        new KafkaConsumer<>(c), ledger, props, dispatch.shutdownTimeout(), skipped);
  }
}
