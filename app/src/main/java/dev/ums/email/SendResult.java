package dev.ums.email;

import java.util.List;

/**
 * The outcome of a send that the server accepted for at least one recipient.
 *
 * @param reply the server's reply to the end of DATA (e.g. {@code 250 2.0.0 OK}), with anything
 *     that looks like an email address replaced by {@code <redacted>}; safe to store and log
 * @param refused recipients the server refused while accepting the others (empty when all were
 *     accepted). A 4xx entry may succeed if sent again to that recipient alone
 * @param simulated no relay was involved (magic recipients): says nothing about the relay's health
 */
public record SendResult(String reply, List<Refused> refused, boolean simulated) {

  public SendResult {
    refused = refused == null ? List.of() : List.copyOf(refused);
  }

  /** A relay's answer. */
  public SendResult(String reply, List<Refused> refused) {
    this(reply, refused, false);
  }

  /** True when every recipient was accepted. */
  public boolean complete() {
    return refused.isEmpty();
  }

  /**
   * One refused recipient.
   *
   * @param address the bare envelope address ({@code bob@example.com}). Personal data: keep it out
   *     of logs, metrics and exception messages
   * @param code the SMTP reply code to RCPT TO (e.g. 550, 452)
   * @param reply the server's reply text, addresses redacted
   */
  public record Refused(String address, int code, String reply) {

    @Override
    public String toString() {
      return "Refused[address=<redacted>, code=" + code + ", reply=" + reply + "]";
    }
  }
}
