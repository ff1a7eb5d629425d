package dev.ums.message;

/**
 * Published after an intake transaction commits, so a dispatcher on this instance can claim the new
 * rows at once instead of waiting for its next poll.
 *
 * @param count messages committed
 * @param immediate whether at least one of them is due now (not scheduled)
 */
public record MessagesAccepted(int count, boolean immediate) {}
