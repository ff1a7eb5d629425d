package dev.ums.security;

/** What an API key may do. */
public enum Role {
  /** Send messages, and read and cancel its own client's messages. */
  SENDER,
  /** Everything under {@code /api/admin}, and any client's messages. */
  ADMIN
}
