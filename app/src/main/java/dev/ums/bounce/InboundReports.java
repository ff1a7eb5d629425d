package dev.ums.bounce;

import dev.ums.email.smtp.SmtpFailures;
import dev.ums.ledger.Bounce;
import dev.ums.ledger.BounceKind;
import dev.ums.ledger.Ledger;
import dev.ums.security.RecipientIndex;
import dev.ums.suppression.HardBounce;
import dev.ums.suppression.SuppressionReason;
import dev.ums.suppression.Suppressions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Handles one report the inbound listener received: parses it ({@link ReportParser}), matches it to
 * a sent message, records each recipient's bounce or complaint through the {@link Ledger} (the
 * {@code bounce} row, the event and, for a hard bounce, SENT → BOUNCED) and suppresses the address
 * (complaint: {@code COMPLAINT}; a hard bounce for the address itself, {@link
 * HardBounce#isAddressFailure(String, String)}: {@code HARD_BOUNCE}; a hard bounce for policy,
 * content or a full mailbox, and a soft bounce, suppress nothing), all in one transaction.
 *
 * <p>Matching: the message id in the return path the report was sent to ({@code RCPT TO}), else in
 * the return path the report names for the original message, else the returned {@code Message-ID}
 * ({@code <id@ums.mail.message-id-domain>}); the first id of an existing message wins. The
 * recipient: the report's original, then final recipient, accepted only when its blind-index digest
 * is one of the message's recipients (a report cannot suppress an address the message was not sent
 * to); when the report names none of them (a redacted feedback report, a forwarded address) and the
 * message had a single recipient, that one. Otherwise the bounce is recorded without a recipient
 * and nothing is suppressed.
 *
 * <p>A report that cannot be parsed or matched is counted and logged (ids only), never an error:
 * the sender's server gets {@code 250} and does not try again. Only a database failure throws, so
 * that the listener answers with a temporary error and the report comes back later.
 */
final class InboundReports {

  private static final Logger log = LoggerFactory.getLogger(InboundReports.class);

  /** Outcomes counted per kind in {@value #METRIC}. */
  enum Outcome {
    RECEIVED,
    MATCHED,
    UNMATCHED,
    UNPARSABLE,
    DUPLICATE
  }

  static final String METRIC = "ums.inbound.reports";

  private final Ledger ledger;
  private final Suppressions suppressions;
  private final RecipientIndex index;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final String bounceDomain;
  private final String messageIdDomain;
  private final MeterRegistry meters;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  InboundReports(
      Ledger ledger,
      Suppressions suppressions,
      RecipientIndex index,
      TransactionTemplate tx,
      Clock clock,
      String bounceDomain,
      String messageIdDomain,
      MeterRegistry meters) {
    this.ledger = ledger;
    this.suppressions = suppressions;
    this.index = index;
    this.tx = tx;
    this.clock = clock;
    this.bounceDomain = bounceDomain;
    this.messageIdDomain = messageIdDomain;
    this.meters = meters;
  }

  /**
   * Handles the report {@code raw} that arrived for {@code rcptTo} (addresses at the bounce
   * domain).
   *
   * @throws org.springframework.dao.DataAccessException when the database failed; nothing was
   *     recorded
   */
  void handle(List<String> rcptTo, byte[] raw) {
    Instant now = clock.instant();
    Report report;
    try {
      report = ReportParser.parse(raw);
    } catch (ReportParser.Unparsable e) {
      count(Outcome.RECEIVED, null);
      count(Outcome.UNPARSABLE, null);
      log.info("event=inbound_unparsable reason={} bytes={}", e.getMessage(), raw.length);
      return;
    }
    for (Report.Recipient r : report.recipients()) {
      count(Outcome.RECEIVED, r.kind());
    }
    Optional<Ledger.BounceTarget> target = match(rcptTo, report);
    if (target.isEmpty()) {
      for (Report.Recipient r : report.recipients()) {
        count(Outcome.UNMATCHED, r.kind());
      }
      log.info("event=inbound_unmatched recipients={}", report.recipients().size());
      return;
    }
    Ledger.BounceTarget t = target.get();
    for (Report.Recipient r : report.recipients()) {
      if (r.kind() == null) {
        continue; // a delivery report: nothing to record
      }
      String digest = recipient(t, r);
      Bounce b =
          new Bounce(
              t.messageId(),
              r.kind(),
              r.statusCode(),
              r.feedbackType(),
              SmtpFailures.redact(r.diagnostic()),
              digest,
              digest != null && suppresses(r),
              now);
      Ledger.BounceRecorded done =
          tx.execute(
              s -> {
                Ledger.BounceRecorded recorded = ledger.recordBounce(b);
                if (recorded == Ledger.BounceRecorded.RECORDED && b.suppresses()) {
                  suppressions.addDigests(
                      t.clientId(),
                      List.of(digest),
                      r.kind() == BounceKind.HARD
                          ? SuppressionReason.HARD_BOUNCE
                          : SuppressionReason.COMPLAINT);
                }
                return recorded;
              });
      if (done == Ledger.BounceRecorded.NO_MESSAGE) {
        count(Outcome.UNMATCHED, r.kind());
        continue;
      }
      count(
          done == Ledger.BounceRecorded.DUPLICATE ? Outcome.DUPLICATE : Outcome.MATCHED, r.kind());
      log.info(
          "event=inbound_{} message_id={} kind={} status_code={} recipient_known={} client={}",
          done == Ledger.BounceRecorded.DUPLICATE ? "duplicate" : "recorded",
          t.messageId(),
          r.kind().wireName(),
          r.statusCode(),
          digest != null,
          t.clientId());
    }
  }

  /** The first message that a candidate id names and that exists. */
  /** Whether {@code r} puts its address on the suppression list. */
  private static boolean suppresses(Report.Recipient r) {
    return switch (r.kind()) {
      case COMPLAINT -> true;
      case HARD -> HardBounce.isAddressFailure(r.statusCode(), r.diagnostic());
      case SOFT -> false;
    };
  }

  private Optional<Ledger.BounceTarget> match(List<String> rcptTo, Report report) {
    List<UUID> ids = new ArrayList<>();
    for (String a : rcptTo) {
      ReturnPath.messageId(a, bounceDomain).ifPresent(ids::add);
    }
    for (String a : report.returnPaths()) {
      ReturnPath.messageId(a, bounceDomain).ifPresent(ids::add);
    }
    for (String m : report.messageIds()) {
      messageId(m).ifPresent(ids::add);
    }
    for (UUID id : ids.stream().distinct().limit(5).toList()) {
      Optional<Ledger.BounceTarget> t = ledger.bounceTarget(id);
      if (t.isPresent()) {
        return t;
      }
    }
    return Optional.empty();
  }

  /** {@code <uuid@message-id-domain>} → the uuid; anything else → empty. */
  Optional<UUID> messageId(String header) {
    String h = header.strip();
    if (h.startsWith("<") && h.endsWith(">")) {
      h = h.substring(1, h.length() - 1);
    }
    int at = h.lastIndexOf('@');
    if (at < 0 || !h.substring(at + 1).equalsIgnoreCase(messageIdDomain)) {
      return Optional.empty();
    }
    return ReturnPath.uuid(h.substring(0, at));
  }

  /** The digest of the message's recipient this part of the report is about, or null. */
  private String recipient(Ledger.BounceTarget t, Report.Recipient r) {
    for (String a : r.addresses()) {
      String d = index.address(a);
      if (t.hasRecipient(d)) {
        return d;
      }
    }
    return t.onlyRecipient();
  }

  private void count(Outcome outcome, BounceKind kind) {
    String k = kind == null ? "none" : kind.wireName();
    counters
        .computeIfAbsent(
            outcome.name() + "/" + k,
            key ->
                Counter.builder(METRIC)
                    .description("Reports received by the inbound listener, by outcome and kind")
                    .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                    .tag("kind", k)
                    .register(meters))
        .increment();
  }
}
