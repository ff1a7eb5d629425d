package dev.ums.email;

/** Why an SMTP hand-off failed, and so whether trying again later can help. */
public enum FailureClass {
  /** The server answered 4xx: try again later. */
  TRANSIENT,
  /** The server answered 5xx, or the message itself cannot be built: retrying will not help. */
  PERMANENT,
  /** The server did not answer within the connect, read or write timeout. */
  TIMEOUT,
  /** The server could not be reached or dropped the connection. */
  CONNECTION;

  /** True when a later attempt may succeed without anything being changed. */
  public boolean retryable() {
    return this != PERMANENT;
  }
}
