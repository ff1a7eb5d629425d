package dev.ums.bounce;

import java.util.List;

/**
 * What an inbound report says, parsed ({@link ReportParser}); personal data lives only in this
 * object while one report is handled, and is never stored or logged.
 *
 * @param recipients one entry per recipient the report is about
 * @param returnPaths envelope senders the report names for the original message (its returned
 *     {@code Return-Path}, a feedback report's {@code Original-Mail-From}), in that order
 * @param messageIds the {@code Message-ID} of the returned message, if it has one
 */
record Report(List<Recipient> recipients, List<String> returnPaths, List<String> messageIds) {

  /**
   * One recipient's part of a report.
   *
   * @param kind hard, soft or complaint; null for a DSN that reports a delivery (nothing to record)
   * @param statusCode the enhanced status code ({@code 5.1.1}), if any
   * @param feedbackType a complaint's feedback type ({@code abuse}), if any
   * @param diagnostic the remote diagnostic, unfolded (addresses still in it)
   * @param addresses the recipient as the report names it: original recipient first, then final
   */
  record Recipient(
      dev.ums.ledger.BounceKind kind,
      String statusCode,
      String feedbackType,
      String diagnostic,
      List<String> addresses) {}
}
