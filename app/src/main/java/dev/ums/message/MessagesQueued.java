package dev.ums.message;

/**
 * Published after a transaction that queued messages commits, so a dispatcher on this instance can
 * claim the new rows at once instead of waiting for its next poll, and metrics can count them.
 *
 * @param count messages queued
 * @param immediate whether at least one of them is due now (not scheduled)
 * @param cause what queued them: intake (a client's request) or a re-drive (an operator's)
 */
public record MessagesQueued(int count, boolean immediate, Cause cause) {

  /** What queued the messages. */
  public enum Cause {
    /** A client's send request was accepted. */
    INTAKE,
    /** An operator re-drove dead letters. */
    REDRIVE
  }
}
