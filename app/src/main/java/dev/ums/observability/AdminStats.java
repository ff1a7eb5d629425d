package dev.ums.observability;

import dev.ums.ledger.MessageStatus;
import java.time.Instant;
import java.util.Map;

/**
 * What {@code GET /api/admin/stats} answers: a snapshot of the pipeline at {@code at}.
 *
 * @param messages messages per status, every status present
 * @param sentLastHour messages that reached SENT in the last hour ({@code sent_at})
 * @param failedAttemptsLastHour failed attempts (retried or not) in the last hour
 * @param deadLetteredLastHour messages that became FAILED in the last hour and are still FAILED
 * @param unresolvedDeadLetters FAILED messages nobody has re-driven or resolved
 * @param oldestPendingAgeSeconds age of the oldest due, unclaimed outbox row; 0 when none
 * @param outboxSize outbox rows (QUEUED and SENDING messages, scheduled ones included)
 */
record AdminStats(
    Instant at,
    Map<MessageStatus, Long> messages,
    long sentLastHour,
    long failedAttemptsLastHour,
    long deadLetteredLastHour,
    long unresolvedDeadLetters,
    long oldestPendingAgeSeconds,
    long outboxSize) {}
