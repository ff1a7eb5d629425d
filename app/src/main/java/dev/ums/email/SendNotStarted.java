package dev.ums.email;

/**
 * A send with a deadline did not start: less than {@link EmailSender#sendBudget()} was left before
 * it. Nothing went to the relay, so the message may be given to another attempt without any risk of
 * a duplicate.
 */
public final class SendNotStarted extends Exception {

  SendNotStarted() {
    super("too little time left before the deadline to start a send", null, false, false);
  }
}
