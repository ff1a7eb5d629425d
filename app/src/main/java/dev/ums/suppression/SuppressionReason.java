package dev.ums.suppression;

/** Why an address is on a client's suppression list. */
public enum SuppressionReason {
  /** The recipient's server said the address does not exist (a permanent 5.1.x refusal). */
  HARD_BOUNCE,
  /** The recipient reported the client's mail as unwanted. */
  COMPLAINT,
  /** Added by the client (or an admin) through the API. */
  MANUAL
}
