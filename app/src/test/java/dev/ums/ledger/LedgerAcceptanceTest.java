package dev.ums.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.support.Dialect;
import dev.ums.testing.PostgresTestDatabase;
import dev.ums.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.assertj.core.groups.Tuple;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The message lifecycle as the ledger drives it — enqueue, claim, complete, retry, dead-letter,
 * release, reap, cancel, re-drive, resolve — as one suite run against each supported database, on a
 * schema Flyway migrates from that database's own migrations.
 */
class LedgerAcceptanceTest {

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnPostgresql extends Lifecycle {
    private String db;

    @BeforeAll
    void database() {
      db = PostgresTestDatabase.create("ums_ledger");
      open(
          new DriverManagerDataSource(
              PostgresTestDatabase.url(db), PostgresTestDatabase.user(), ""),
          Dialect.POSTGRESQL,
          "postgresql");
    }

    @AfterAll
    void dropDatabase() {
      PostgresTestDatabase.drop(db);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnH2 extends Lifecycle {
    @BeforeAll
    void database() {
      open(
          new DriverManagerDataSource(
              "jdbc:h2:mem:ledger" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", ""),
          Dialect.H2,
          "h2");
    }
  }

  abstract static class Lifecycle {
    final TestClock clock = new TestClock();
    JdbcTemplate jdbc;
    TransactionTemplate tx;
    Dialect dialect;
    Ledger ledger;

    void open(DataSource ds, Dialect dialect, String vendor) {
      Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/migration/" + vendor)
          .load()
          .migrate();
      jdbc = new JdbcTemplate(ds);
      tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
      this.dialect = dialect;
      ledger = new Ledger(jdbc, tx, clock, dialect);
    }

    @BeforeEach
    void empty() {
      clock.reset();
      // The suite's own database, on H2 or PostgreSQL; the ledger deletes no message by design.
      jdbc.update("DELETE FROM bounce");
      jdbc.update("DELETE FROM event_outbox");
      jdbc.update("DELETE FROM message_event");
      jdbc.update("DELETE FROM send_failure");
      jdbc.update("DELETE FROM outbox");
      jdbc.update("DELETE FROM message");
    }

    /** A live message of c1 to {@code recipients}, {@code suppressed} of them on its list. */
    static NewMessage suppressedOf(
        UUID id, int recipients, int suppressed, boolean allSuppressed, Instant at) {
      return new NewMessage(
          id,
          "c1",
          new byte[] {1},
          recipients,
          null,
          null,
          at,
          null,
          null,
          null,
          DeliveryMode.LIVE,
          suppressed,
          allSuppressed);
    }

    /** A message of c1 sent with a key in {@code mode}. */
    static NewMessage inMode(UUID id, DeliveryMode mode, Instant at) {
      return new NewMessage(id, "c1", new byte[] {1}, 1, null, null, at, null, null, null, mode);
    }

    /** A live message of c1 carrying {@code tags}. */
    static NewMessage tagged(UUID id, Instant at, String... tags) {
      return new NewMessage(id, "c1", new byte[] {1}, 1, null, null, at, tags, null, null);
    }

    UUID enqueue() {
      return enqueue(null);
    }

    UUID enqueue(Instant sendAt) {
      UUID id = UUID.randomUUID();
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      ledger.enqueue(
          List.of(new NewMessage(id, "c1", new byte[] {1}, 1, new String[] {"d"}, sendAt, now)));
      return id;
    }

    @Test
    void enqueue_stores_tags_that_the_dialect_filters_on() {
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      UUID receipt = UUID.randomUUID();
      UUID reset = UUID.randomUUID();
      UUID none = UUID.randomUUID();
      ledger.enqueue(
          List.of(
              tagged(receipt, now, "kind:receipt", "shop:eu"),
              tagged(reset, now, "kind:reset"),
              new NewMessage(none, "c1", new byte[] {1}, 1, null, null, now)));
      UUID one = UUID.randomUUID();
      if (dialect.writesInOneStatement()) {
        ledger.enqueueOne(tagged(one, now, "kind:receipt"), null);
        ledger.enqueueOne(
            new NewMessage(UUID.randomUUID(), "c1", new byte[] {1}, 1, null, null, now),
            new KeyClaim("k", "f".repeat(64), 202, "{}", now.plusSeconds(60)));
      }

      List<UUID> found =
          jdbc.queryForList(
              "SELECT id FROM message WHERE " + dialect.arrayContains("tags"),
              UUID.class,
              "kind:receipt");
      if (dialect.writesInOneStatement()) {
        assertThat(found).containsExactlyInAnyOrder(receipt, one);
      } else {
        assertThat(found).containsExactly(receipt);
      }
      assertThat(
              jdbc.queryForList(
                  "SELECT id FROM message WHERE "
                      + dialect.arrayContains("tags")
                      + " AND "
                      + dialect.arrayContains("tags"),
                  UUID.class,
                  "kind:receipt",
                  "shop:eu"))
          .containsExactly(receipt);
      assertThat(
              jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE tags IS NULL", Integer.class))
          .isEqualTo(dialect.writesInOneStatement() ? 2 : 1);
    }

    String status(UUID id) {
      return jdbc.queryForObject("SELECT status FROM message WHERE id = ?", String.class, id);
    }

    int attempts(UUID id) {
      return jdbc.queryForObject("SELECT attempts FROM message WHERE id = ?", Integer.class, id);
    }

    int outbox(UUID id) {
      return jdbc.queryForObject(
          "SELECT COUNT(*) FROM outbox WHERE message_id = ?", Integer.class, id);
    }

    Claim claimOne() {
      List<Claim> claimed = ledger.claim("test", 10, Duration.ofMinutes(1));
      assertThat(claimed).hasSize(1);
      return claimed.get(0);
    }

    Outcome.Failed failure(Claim c, Instant retryAt, boolean charged) {
      return new Outcome.Failed(
          c,
          FailureClass.TRANSIENT,
          451,
          "try later",
          retryAt,
          retryAt == null ? "attempts spent" : null,
          clock.instant(),
          charged);
    }

    @Test
    void enqueue_claim_and_complete() {
      UUID id = enqueue();
      assertThat(status(id)).isEqualTo("QUEUED");

      Claim c = claimOne();
      assertThat(c.messageId()).isEqualTo(id);
      assertThat(c.attempt()).isEqualTo(1);
      assertThat(c.clientId()).isEqualTo("c1");
      assertThat(status(id)).isEqualTo("SENDING");
      assertThat(ledger.claim("other", 10, Duration.ofMinutes(1))).isEmpty();

      Ledger.Recorded r =
          ledger.record(List.of(new Outcome.Sent(c, "250 ok", null, clock.instant())));
      assertThat(r.applied()).isEqualTo(1);
      assertThat(status(id)).isEqualTo("SENT");
      assertThat(outbox(id)).isZero();
    }

    @Test
    void a_message_whose_recipients_are_all_suppressed_is_stored_suppressed_and_never_claimed() {
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      UUID suppressed = UUID.randomUUID();
      UUID partly = UUID.randomUUID();
      ledger.enqueue(
          List.of(
              suppressedOf(suppressed, 2, 2, true, now), suppressedOf(partly, 2, 1, false, now)));

      assertThat(status(suppressed)).isEqualTo("SUPPRESSED");
      assertThat(outbox(suppressed)).isZero();
      assertThat(status(partly)).isEqualTo("QUEUED");
      assertThat(ledger.events(suppressed))
          .extracting(MessageEvent::type, MessageEvent::status, MessageEvent::suppressed)
          .containsExactly(Tuple.tuple(EventType.SUPPRESSED, MessageStatus.SUPPRESSED, 2));
      assertThat(ledger.events(partly))
          .extracting(MessageEvent::type, MessageEvent::suppressed)
          .containsExactly(Tuple.tuple(EventType.QUEUED, 1));
      assertThat(claimOne().messageId()).isEqualTo(partly);
      if (dialect.writesInOneStatement()) {
        assertThatThrownBy(
                () -> ledger.enqueueOne(suppressedOf(UUID.randomUUID(), 1, 1, true, now), null))
            .isInstanceOf(IllegalArgumentException.class);
        UUID one = UUID.randomUUID();
        ledger.enqueueOne(suppressedOf(one, 2, 1, false, now), null);
        assertThat(ledger.events(one))
            .extracting(MessageEvent::type, MessageEvent::suppressed)
            .containsExactly(Tuple.tuple(EventType.QUEUED, 1));
      }
    }

    @Test
    void
        a_claimed_message_found_suppressed_at_dispatch_is_suppressed_with_its_attempt_given_back() {
      UUID id = enqueue();
      Claim c = claimOne();

      Ledger.Recorded r = ledger.record(List.of(new Outcome.Suppressed(c, 1, clock.instant())));

      assertThat(r.applied()).isEqualTo(1);
      assertThat(status(id)).isEqualTo("SUPPRESSED");
      assertThat(attempts(id)).isZero();
      assertThat(outbox(id)).isZero();
      assertThat(ledger.events(id))
          .extracting(MessageEvent::type, MessageEvent::suppressed)
          .containsExactly(
              Tuple.tuple(EventType.QUEUED, null), Tuple.tuple(EventType.SUPPRESSED, 1));
      // A stale claim's suppression is dropped like any other stale result.
      assertThat(ledger.record(List.of(new Outcome.Suppressed(c, 1, clock.instant()))).dropped())
          .isEqualTo(1);
    }

    @Test
    void a_sent_outcome_carries_how_many_recipients_were_left_out() {
      UUID id = enqueue();
      Claim c = claimOne();

      ledger.record(List.of(new Outcome.Sent(c, "250 ok", null, clock.instant(), 2)));

      assertThat(status(id)).isEqualTo("SENT");
      assertThat(ledger.events(id).get(1).suppressed()).isEqualTo(2);
    }

    @Test
    void a_scheduled_message_is_not_claimed_before_its_time() {
      UUID id = enqueue(clock.instant().plusSeconds(60));
      assertThat(ledger.claim("test", 10, Duration.ofMinutes(1))).isEmpty();

      clock.advance(Duration.ofSeconds(61));
      assertThat(claimOne().messageId()).isEqualTo(id);
    }

    @Test
    void retry_goes_back_to_the_queue_due_at_its_time_and_counts_the_attempt() {
      UUID id = enqueue();
      Claim c = claimOne();
      ledger.record(List.of(failure(c, clock.instant().plusSeconds(30), true)));

      assertThat(status(id)).isEqualTo("QUEUED");
      assertThat(attempts(id)).isEqualTo(1);
      assertThat(ledger.claim("test", 10, Duration.ofMinutes(1))).isEmpty();
      clock.advance(Duration.ofSeconds(31));
      assertThat(claimOne().attempt()).isEqualTo(2);
    }

    @Test
    void an_uncharged_failure_and_a_release_give_the_attempt_back() {
      UUID id = enqueue();
      ledger.record(List.of(failure(claimOne(), clock.instant(), false)));
      assertThat(attempts(id)).isZero();

      ledger.record(List.of(new Outcome.Unsent(claimOne())));
      assertThat(status(id)).isEqualTo("QUEUED");
      assertThat(attempts(id)).isZero();
      assertThat(claimOne().attempt()).isEqualTo(1);
    }

    @Test
    void a_release_with_a_due_time_waits_for_it_uncharged_and_records_no_failure() {
      UUID id = enqueue();
      ledger.record(
          List.of(new Outcome.Unsent(claimOne(), clock.instant().plus(Duration.ofSeconds(30)))));
      assertThat(status(id)).isEqualTo("QUEUED");
      assertThat(attempts(id)).isZero();
      assertThat(ledger.claim("test", 10, Duration.ofMinutes(1))).isEmpty();
      assertThat(ledger.events(id)).noneMatch(e -> e.type() == EventType.DEFERRED);
      assertThat(
              jdbc.queryForObject(
                  "SELECT COUNT(*) FROM send_failure WHERE message_id = ?", Integer.class, id))
          .isZero();

      clock.advance(Duration.ofSeconds(31));
      assertThat(claimOne().attempt()).isEqualTo(1);
    }

    @Test
    void dead_letter_then_resolve_then_redrive_once() {
      UUID id = enqueue();
      ledger.record(List.of(failure(claimOne(), null, true)));
      assertThat(status(id)).isEqualTo("FAILED");
      assertThat(outbox(id)).isZero();

      assertThat(ledger.resolve(id, "ops", "handled", clock.instant())).isTrue();
      assertThat(ledger.redrive(List.of(id), false, clock.instant())).isZero();
      assertThat(ledger.redrive(List.of(id), true, clock.instant())).isEqualTo(1);
      assertThat(ledger.redrive(List.of(id), true, clock.instant())).isZero();
      assertThat(status(id)).isEqualTo("QUEUED");
      assertThat(outbox(id)).isEqualTo(1);
      assertThat(claimOne().attempt()).isEqualTo(1);
    }

    @Test
    void an_expired_lease_is_found_and_a_late_result_is_dropped() {
      UUID id = enqueue();
      Claim c = claimOne();
      assertThat(ledger.expiredLeases(10)).isEmpty();

      clock.advance(Duration.ofMinutes(2));
      List<Claim> expired = ledger.expiredLeases(10);
      assertThat(expired).extracting(Claim::messageId).containsExactly(id);
      Outcome.Failed reaped =
          new Outcome.Failed(
              expired.get(0),
              FailureClass.LEASE_EXPIRED,
              null,
              "lease expired",
              clock.instant(),
              null,
              clock.instant(),
              true);
      assertThat(ledger.record(List.of(reaped)).applied()).isEqualTo(1);

      Ledger.Recorded late =
          ledger.record(List.of(new Outcome.Sent(c, "250 ok", null, clock.instant())));
      assertThat(late.dropped()).isEqualTo(1);
      assertThat(status(id)).isEqualTo("QUEUED");
    }

    @Test
    void a_handed_off_claim_is_still_claimed_under_its_token_only_until_recorded_or_reaped() {
      UUID id = enqueue();
      UUID other = enqueue();
      List<Claim> claims =
          ledger.claimForHandOff("relay", 10, Duration.ofMinutes(1), ClaimScope.ALL);
      assertThat(claims).hasSize(2);
      // The relay publishes ids only: the content is left to the sender's read.
      assertThat(claims).allSatisfy(x -> assertThat(x.content()).isNull());
      assertThat(status(id)).isEqualTo("SENDING");
      Claim c = claims.stream().filter(x -> x.messageId().equals(id)).findFirst().orElseThrow();
      Ledger.Handoff current = new Ledger.Handoff(id, c.claimToken());
      Ledger.Handoff stale = new Ledger.Handoff(other, UUID.randomUUID());

      // Published: the lease now covers the hand-off; a stale token extends nothing.
      assertThat(ledger.handOff(List.of(current, stale), Duration.ofMinutes(15))).isEqualTo(1);
      clock.advance(Duration.ofMinutes(2));
      assertThat(ledger.expiredLeases(10)).extracting(Claim::messageId).containsExactly(other);

      List<Claim> still = ledger.stillClaimed(List.of(current, stale));
      assertThat(still).extracting(Claim::messageId).containsExactly(id);
      Claim s = still.get(0);
      assertThat(s.claimToken()).isEqualTo(c.claimToken());
      assertThat(s.attempt()).isEqualTo(1);
      assertThat(s.content()).isNotNull();
      assertThat(s.clientId()).isEqualTo("c1");
      long leftMinutes = Duration.ofNanos(s.leaseEndsNanos() - System.nanoTime()).toMinutes();
      assertThat(leftMinutes).isBetween(12L, 13L);

      ledger.record(List.of(new Outcome.Sent(s, "250 ok", null, clock.instant())));
      assertThat(ledger.stillClaimed(List.of(current))).isEmpty();

      // A hand-off whose lease ran out is reaped like any claim, and its record is stale then.
      UUID third = enqueue();
      UUID fourth = enqueue();
      List<Claim> both = ledger.claimForHandOff("relay", 10, Duration.ofMinutes(1), ClaimScope.ALL);
      assertThat(both).extracting(Claim::messageId).containsExactlyInAnyOrder(third, fourth);
      List<Ledger.Handoff> hs =
          both.stream().map(x -> new Ledger.Handoff(x.messageId(), x.claimToken())).toList();
      Ledger.Handoff h =
          hs.stream().filter(x -> x.messageId().equals(third)).findFirst().orElseThrow();
      assertThat(ledger.handOff(hs, Duration.ofMinutes(15))).isEqualTo(2);
      clock.advance(Duration.ofMinutes(2));
      assertThat(ledger.expiredLeases(10)).extracting(Claim::messageId).doesNotContain(third);
      clock.advance(Duration.ofMinutes(14));
      List<Claim> expired = ledger.expiredLeases(10);
      assertThat(expired).extracting(Claim::messageId).contains(third, fourth);
      ledger.record(
          expired.stream()
              .<Outcome>map(
                  e ->
                      new Outcome.Failed(
                          e,
                          FailureClass.LEASE_EXPIRED,
                          null,
                          "lease expired",
                          clock.instant(),
                          null,
                          clock.instant(),
                          true))
              .toList());
      assertThat(ledger.stillClaimed(List.of(h))).isEmpty();
      assertThat(status(third)).isEqualTo("QUEUED");
    }

    @Test
    void cancel_takes_only_an_unclaimed_queued_message_of_its_client() {
      UUID queued = enqueue();
      assertThat(ledger.cancel(queued, "someone-else", clock.instant())).isFalse();
      assertThat(ledger.cancel(queued, "c1", clock.instant())).isTrue();
      assertThat(status(queued)).isEqualTo("CANCELLED");
      assertThat(outbox(queued)).isZero();

      UUID claimed = enqueue();
      claimOne();
      assertThat(ledger.cancel(claimed, null, clock.instant())).isFalse();
      assertThat(status(claimed)).isEqualTo("SENDING");
    }

    @Test
    void retention_drops_the_content_of_old_sent_bounced_and_suppressed_messages_only() {
      UUID id = enqueue();
      Claim c = claimOne();
      ledger.record(List.of(new Outcome.Sent(c, "250 ok", null, clock.instant())));
      UUID bounced = sentTo2();
      ledger.recordBounce(bounce(bounced, BounceKind.HARD, "5.1.1", null, "d1"));
      UUID suppressed = UUID.randomUUID();
      ledger.enqueue(
          List.of(
              suppressedOf(
                  suppressed, 1, 1, true, clock.instant().truncatedTo(ChronoUnit.MICROS))));
      UUID waiting = enqueue();

      clock.advance(Duration.ofDays(31));
      Instant cutoff = clock.instant().minus(Duration.ofDays(30));
      assertThat(ledger.dropContent(cutoff, "{}".getBytes(), clock.instant(), 1)).isEqualTo(1);
      assertThat(ledger.dropContent(cutoff, "{}".getBytes(), clock.instant(), 10)).isEqualTo(2);
      assertThat(ledger.dropContent(cutoff, "{}".getBytes(), clock.instant(), 10)).isZero();
      assertThat(
              jdbc.queryForList(
                  "SELECT id FROM message WHERE content_dropped_at IS NOT NULL", UUID.class))
          .containsExactlyInAnyOrder(id, bounced, suppressed)
          .doesNotContain(waiting);
      // The bounce row stays (it holds a digest and codes only); the message's digests go.
      assertThat(bounceRows(bounced)).isEqualTo(1);
      assertThat(ledger.bounceTarget(bounced).orElseThrow().recipientDigests()).isEmpty();
    }

    List<String> events(UUID id) {
      return ledger.events(id).stream().map(e -> e.type().wireName() + ":" + e.status()).toList();
    }

    List<UUID> unrelayed() {
      return jdbc.queryForList("SELECT event_id FROM event_outbox", UUID.class);
    }

    @Test
    void events_are_read_with_their_messages_tags_and_metadata() {
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      UUID labelled = UUID.randomUUID();
      UUID plain = UUID.randomUUID();
      ledger.enqueue(
          List.of(
              new NewMessage(
                  labelled,
                  "c1",
                  new byte[] {1},
                  1,
                  null,
                  null,
                  now,
                  new String[] {"kind:receipt", "a:b:c"},
                  null,
                  null,
                  DeliveryMode.LIVE,
                  0,
                  false,
                  "{\"order\":\"42\"}"),
              tagged(plain, now)));
      if (dialect.writesInOneStatement()) {
        UUID one = UUID.randomUUID();
        ledger.enqueueOne(
            new NewMessage(
                one,
                "c1",
                new byte[] {1},
                1,
                null,
                null,
                now,
                new String[] {"kind:one"},
                null,
                null,
                DeliveryMode.LIVE,
                0,
                false,
                "{\"x\":\"y\"}"),
            null);
        assertThat(ledger.events(one).get(0).metadata()).isEqualTo("{\"x\":\"y\"}");
        assertThat(ledger.events(one).get(0).tags()).containsExactly(Map.entry("kind", "one"));
      }

      MessageEvent e = ledger.events(labelled).get(0);
      assertThat(e.tags()).containsExactly(Map.entry("a", "b:c"), Map.entry("kind", "receipt"));
      assertThat(e.metadata()).isEqualTo("{\"order\":\"42\"}");
      assertThat(ledger.events(plain).get(0).tags()).isEmpty();
      assertThat(ledger.events(plain).get(0).metadata()).isNull();
    }

    @Test
    void purging_events_deletes_the_oldest_before_the_cutoff_in_batches_with_their_outbox_rows() {
      Instant t0 = clock.instant().truncatedTo(ChronoUnit.MICROS);
      UUID a = enqueue();
      UUID b = enqueue();
      clock.advance(Duration.ofDays(2));
      UUID c = enqueue();
      assertThat(unrelayed()).hasSize(3);

      Instant cutoff = t0.plus(Duration.ofDays(1));
      assertThat(ledger.purgeEvents(cutoff, 1)).isEqualTo(1);
      assertThat(events(a)).isEmpty();
      assertThat(events(b)).hasSize(1);
      assertThat(ledger.purgeEvents(cutoff, 10)).isEqualTo(1);
      assertThat(ledger.purgeEvents(cutoff, 10)).isZero();
      assertThat(events(b)).isEmpty();
      assertThat(events(c)).containsExactly("message.queued:QUEUED");
      assertThat(unrelayed()).hasSize(1);
      assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message", Integer.class)).isEqualTo(3);
    }

    @Test
    void every_transition_writes_its_event_with_the_status_it_left() {
      UUID sent = enqueue();
      ledger.record(List.of(failure(claimOne(), clock.instant(), true)));
      ledger.record(List.of(new Outcome.Sent(claimOne(), "250 2.0.0 ok", null, clock.instant())));
      assertThat(events(sent))
          .containsExactly("message.queued:QUEUED", "message.deferred:QUEUED", "message.sent:SENT");
      MessageEvent deferred = ledger.events(sent).get(1);
      assertThat(deferred.attempt()).isEqualTo(1);
      assertThat(deferred.replyCode()).isEqualTo(451);
      assertThat(deferred.failureClass()).isEqualTo(FailureClass.TRANSIENT);
      assertThat(deferred.nextAttemptAt()).isNotNull();
      assertThat(ledger.events(sent).get(2).replyCode()).isEqualTo(250);
      assertThat(ledger.events(sent).get(2).clientId()).isEqualTo("c1");

      UUID dead = enqueue();
      ledger.record(List.of(failure(claimOne(), null, true)));
      ledger.redrive(List.of(dead), false, clock.instant());
      assertThat(ledger.cancel(dead, "c1", clock.instant())).isTrue();
      assertThat(events(dead))
          .containsExactly(
              "message.queued:QUEUED",
              "message.failed:FAILED",
              "message.redriven:QUEUED",
              "message.cancelled:CANCELLED");
      // Claims and releases are the dispatcher's business: no event.
      UUID released = enqueue();
      ledger.record(List.of(new Outcome.Unsent(claimOne())));
      assertThat(events(released)).containsExactly("message.queued:QUEUED");
      assertThat(unrelayed()).hasSize(3 + 4 + 1);
    }

    /** A SENT message of c1 to two recipients whose digests are d1 and d2. */
    UUID sentTo2() {
      UUID id = UUID.randomUUID();
      ledger.enqueue(
          List.of(
              new NewMessage(
                  id,
                  "c1",
                  new byte[] {1},
                  2,
                  new String[] {"d1", "d2", "dom"},
                  null,
                  clock.instant().truncatedTo(ChronoUnit.MICROS))));
      Claim c = claimOne();
      ledger.record(List.of(new Outcome.Sent(c, "250 ok", null, clock.instant())));
      return id;
    }

    Bounce bounce(UUID id, BounceKind kind, String code, String feedback, String digest) {
      return new Bounce(
          id,
          kind,
          code,
          feedback,
          "550 5.1.1 <[redacted]>: unknown",
          digest,
          digest != null && kind != BounceKind.SOFT,
          clock.instant());
    }

    int bounceRows(UUID id) {
      return jdbc.queryForObject(
          "SELECT COUNT(*) FROM bounce WHERE message_id = ?", Integer.class, id);
    }

    @Test
    void a_bounce_target_is_the_message_s_owner_status_and_recipient_digests() {
      UUID id = sentTo2();

      Ledger.BounceTarget t = ledger.bounceTarget(id).orElseThrow();
      assertThat(t.clientId()).isEqualTo("c1");
      assertThat(t.status()).isEqualTo(MessageStatus.SENT);
      assertThat(t.hasRecipient("d2")).isTrue();
      assertThat(t.hasRecipient("x")).isFalse();
      assertThat(t.onlyRecipient()).isNull(); // two recipients
      assertThat(ledger.bounceTarget(UUID.randomUUID())).isEmpty();
    }

    @Test
    void a_hard_bounce_moves_a_sent_message_to_bounced_with_its_row_and_event_once() {
      UUID id = sentTo2();

      assertThat(ledger.recordBounce(bounce(id, BounceKind.HARD, "5.1.1", null, "d1")))
          .isEqualTo(Ledger.BounceRecorded.RECORDED);
      assertThat(status(id)).isEqualTo("BOUNCED");
      assertThat(bounceRows(id)).isEqualTo(1);
      MessageEvent e = ledger.events(id).get(ledger.events(id).size() - 1);
      assertThat(e.type()).isEqualTo(EventType.BOUNCED);
      assertThat(e.status()).isEqualTo(MessageStatus.BOUNCED);
      assertThat(e.bounceType()).isEqualTo("hard");
      assertThat(e.statusCode()).isEqualTo("5.1.1");
      assertThat(e.clientId()).isEqualTo("c1");
      Map<String, Object> row =
          jdbc.queryForMap(
              "SELECT client_id, kind, status_code, diagnostic, recipient_digest FROM bounce"
                  + " WHERE message_id = ?",
              id);
      assertThat(row)
          .containsEntry("client_id", "c1")
          .containsEntry("kind", "HARD")
          .containsEntry("status_code", "5.1.1")
          .containsEntry("recipient_digest", "d1");

      // The same report again: nothing new. The other recipient's: recorded, still BOUNCED.
      assertThat(ledger.recordBounce(bounce(id, BounceKind.HARD, "5.1.1", null, "d1")))
          .isEqualTo(Ledger.BounceRecorded.DUPLICATE);
      assertThat(ledger.recordBounce(bounce(id, BounceKind.HARD, "5.1.1", null, "d2")))
          .isEqualTo(Ledger.BounceRecorded.RECORDED);
      assertThat(bounceRows(id)).isEqualTo(2);
      assertThat(events(id))
          .containsExactly(
              "message.queued:QUEUED",
              "message.sent:SENT",
              "message.bounced:BOUNCED",
              "message.bounced:BOUNCED");
    }

    @Test
    void soft_bounces_and_complaints_leave_the_status_as_it_is() {
      UUID id = sentTo2();

      ledger.recordBounce(bounce(id, BounceKind.SOFT, "4.4.1", null, "d1"));
      ledger.recordBounce(bounce(id, BounceKind.COMPLAINT, null, "abuse", "d2"));
      // No recipient known: still one row per report.
      ledger.recordBounce(bounce(id, BounceKind.COMPLAINT, null, "abuse", null));
      assertThat(ledger.recordBounce(bounce(id, BounceKind.COMPLAINT, null, "abuse", null)))
          .isEqualTo(Ledger.BounceRecorded.DUPLICATE);

      assertThat(status(id)).isEqualTo("SENT");
      assertThat(bounceRows(id)).isEqualTo(3);
      List<MessageEvent> events = ledger.events(id);
      assertThat(events.get(2).type()).isEqualTo(EventType.BOUNCED);
      assertThat(events.get(2).bounceType()).isEqualTo("soft");
      assertThat(events.get(2).status()).isEqualTo(MessageStatus.SENT);
      assertThat(events.get(3).type()).isEqualTo(EventType.COMPLAINED);
      assertThat(events.get(3).bounceType()).isNull();
      assertThat(events.get(3).feedbackType()).isEqualTo("abuse");
      assertThat(events).hasSize(5);
    }

    @Test
    void a_bounce_of_an_unknown_message_writes_nothing() {
      assertThat(
              ledger.recordBounce(bounce(UUID.randomUUID(), BounceKind.HARD, "5.1.1", null, "d")))
          .isEqualTo(Ledger.BounceRecorded.NO_MESSAGE);
      assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM bounce", Integer.class)).isZero();
      assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message_event", Integer.class)).isZero();
    }

    @Test
    void a_rolled_back_bounce_leaves_no_row_no_event_and_the_status() {
      UUID id = sentTo2();
      tx.executeWithoutResult(
          s -> {
            ledger.recordBounce(bounce(id, BounceKind.HARD, "5.1.1", null, "d1"));
            s.setRollbackOnly();
          });

      assertThat(status(id)).isEqualTo("SENT");
      assertThat(bounceRows(id)).isZero();
      assertThat(events(id)).containsExactly("message.queued:QUEUED", "message.sent:SENT");
    }

    @Test
    void a_rolled_back_transition_writes_no_event() {
      UUID id = enqueue();
      Claim c = claimOne();
      tx.executeWithoutResult(
          s -> {
            ledger.record(List.of(new Outcome.Sent(c, "250 ok", null, clock.instant())));
            s.setRollbackOnly();
          });
      UUID other = UUID.randomUUID();
      tx.executeWithoutResult(
          s -> {
            ledger.enqueue(
                List.of(
                    new NewMessage(
                        other,
                        "c1",
                        new byte[] {1},
                        1,
                        new String[] {"d"},
                        null,
                        clock.instant())));
            s.setRollbackOnly();
          });

      assertThat(status(id)).isEqualTo("SENDING");
      assertThat(events(id)).containsExactly("message.queued:QUEUED");
      assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message_event", Integer.class))
          .isEqualTo(1);
      assertThat(unrelayed()).hasSize(1);
    }

    @Test
    void the_single_statement_enqueue_writes_the_queued_event_too() {
      org.junit.jupiter.api.Assumptions.assumeTrue(dialect.writesInOneStatement());
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      UUID plain = UUID.randomUUID();
      UUID keyed = UUID.randomUUID();
      assertThat(
              ledger.enqueueOne(
                  new NewMessage(plain, "c1", new byte[] {1}, 1, new String[] {"d"}, null, now),
                  null))
          .isTrue();
      KeyClaim key = new KeyClaim("k1", "f".repeat(64), 202, "{}", now.plusSeconds(60));
      assertThat(
              ledger.enqueueOne(
                  new NewMessage(keyed, "c1", new byte[] {1}, 1, new String[] {"d"}, null, now),
                  key))
          .isTrue();
      assertThat(
              ledger.enqueueOne(
                  new NewMessage(
                      UUID.randomUUID(), "c1", new byte[] {1}, 1, new String[] {"d"}, null, now),
                  key))
          .isFalse();

      assertThat(events(plain)).containsExactly("message.queued:QUEUED");
      assertThat(events(keyed)).containsExactly("message.queued:QUEUED");
      assertThat(unrelayed()).hasSize(2);
      jdbc.update("DELETE FROM idempotency_record");
    }

    @Test
    void every_enqueue_path_keeps_the_mode_for_the_claim_and_the_events() {
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      UUID batched = UUID.randomUUID();
      UUID live = UUID.randomUUID();
      tx.executeWithoutResult(
          s ->
              ledger.enqueue(
                  List.of(
                      inMode(batched, DeliveryMode.TEST, now),
                      new NewMessage(live, "c1", new byte[] {1}, 1, null, null, now))));
      java.util.Set<UUID> test = new java.util.HashSet<>(List.of(batched));
      if (dialect.writesInOneStatement()) {
        UUID plain = UUID.randomUUID();
        UUID keyed = UUID.randomUUID();
        KeyClaim key = new KeyClaim("km", "f".repeat(64), 202, "{}", now.plusSeconds(60));
        ledger.enqueueOne(inMode(plain, DeliveryMode.TEST, now), null);
        ledger.enqueueOne(inMode(keyed, DeliveryMode.TEST, now), key);
        test.addAll(List.of(plain, keyed));
      }

      List<Claim> claims = ledger.claim("i1", 10, Duration.ofMinutes(1));
      assertThat(claims).hasSize(test.size() + 1);
      for (Claim c : claims) {
        DeliveryMode expected =
            test.contains(c.messageId()) ? DeliveryMode.TEST : DeliveryMode.LIVE;
        assertThat(c.mode()).as(c.messageId().toString()).isEqualTo(expected);
        ledger.record(List.of(new Outcome.Sent(c, "250 ok", null, clock.instant())));
        assertThat(ledger.events(c.messageId()))
            .hasSize(2)
            .allSatisfy(e -> assertThat(e.mode()).isEqualTo(expected));
      }
      jdbc.update("DELETE FROM idempotency_record");
    }

    @Test
    void relayed_events_are_handed_over_once_in_order_and_a_failed_relay_hands_them_again() {
      UUID id = enqueue();
      ledger.record(List.of(new Outcome.Sent(claimOne(), "250 ok", null, clock.instant())));

      assertThatThrownBy(
              () ->
                  ledger.relayEvents(
                      10,
                      e -> {
                        throw new IllegalStateException("receiver table gone");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(unrelayed()).hasSize(2);

      List<MessageEvent> relayed = new java.util.ArrayList<>();
      assertThat(ledger.relayEvents(10, relayed::addAll)).isEqualTo(2);
      assertThat(relayed)
          .extracting(e -> e.type().wireName())
          .containsExactly("message.queued", "message.sent");
      assertThat(relayed).allSatisfy(e -> assertThat(e.messageId()).isEqualTo(id));
      assertThat(ledger.relayEvents(10, relayed::addAll)).isZero();
    }

    UUID enqueue(String client, Priority priority, String rule) {
      UUID id = UUID.randomUUID();
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      ledger.enqueue(
          List.of(
              new NewMessage(
                  id,
                  client,
                  new byte[] {1},
                  1,
                  new String[] {"d"},
                  null,
                  now,
                  null,
                  priority,
                  rule)));
      return id;
    }

    @Test
    void higher_priority_is_claimed_first_then_the_longest_due() {
      UUID bulk = enqueue("c1", Priority.BULK, null);
      clock.advance(Duration.ofSeconds(1));
      UUID normal = enqueue("c1", Priority.NORMAL, null);
      clock.advance(Duration.ofSeconds(1));
      UUID high = enqueue("c1", Priority.HIGH, null);
      clock.advance(Duration.ofSeconds(1));
      UUID laterHigh = enqueue("c1", Priority.HIGH, null);

      List<UUID> order =
          List.of(
              ledger.claim("t", 1, Duration.ofMinutes(1)).get(0).messageId(),
              ledger.claim("t", 1, Duration.ofMinutes(1)).get(0).messageId(),
              ledger.claim("t", 1, Duration.ofMinutes(1)).get(0).messageId(),
              ledger.claim("t", 1, Duration.ofMinutes(1)).get(0).messageId());
      assertThat(order).containsExactly(high, laterHigh, normal, bulk);
    }

    @Test
    void a_claim_scope_takes_one_rule_or_all_rules_but_some_and_one_client() {
      UUID slow = enqueue("a", Priority.NORMAL, "slow");
      UUID other = enqueue("a", Priority.NORMAL, null);
      UUID otherOfB = enqueue("b", Priority.NORMAL, "fast");

      assertThat(
              ledger.claim("t", 10, Duration.ofMinutes(1), ClaimScope.rules(List.of("none", "x"))))
          .isEmpty();
      List<Claim> ofSlow = ledger.claim("t", 10, Duration.ofMinutes(1), ClaimScope.rule("slow"));
      assertThat(ofSlow).extracting(Claim::messageId).containsExactly(slow);
      assertThat(ofSlow.get(0).deliveryRule()).isEqualTo("slow");

      List<Claim> ofB =
          ledger.claim(
              "t", 10, Duration.ofMinutes(1), ClaimScope.except(List.of("slow")).client("b"));
      assertThat(ofB).extracting(Claim::messageId).containsExactly(otherOfB);
      List<Claim> rest =
          ledger.claim("t", 10, Duration.ofMinutes(1), ClaimScope.except(List.of("slow")));
      assertThat(rest).extracting(Claim::messageId).containsExactly(other);
      assertThat(rest.get(0).deliveryRule()).isEqualTo(NewMessage.DEFAULT_RULE);
    }

    @Test
    void a_redriven_message_keeps_its_priority_rule_and_client() {
      UUID id = enqueue("b", Priority.HIGH, "slow");
      Claim c = ledger.claim("t", 1, Duration.ofMinutes(1)).get(0);
      ledger.record(
          List.of(
              new Outcome.Failed(
                  c, FailureClass.PERMANENT, 550, "no", null, "permanent", clock.instant(), true)));
      assertThat(ledger.redrive(List.of(id), false, clock.instant())).isEqualTo(1);
      assertThat(
              jdbc.queryForMap(
                  "SELECT priority, delivery_rule, client_id FROM outbox WHERE message_id = ?", id))
          .containsValues("slow", "b")
          .satisfies(m -> assertThat(((Number) m.values().iterator().next()).intValue()).isZero());
    }
  }
}
