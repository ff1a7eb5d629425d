package dev.ums.message;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code ums.limits.*}: what one request may hold.
 *
 * @param maxMessageBytes subject + bodies + headers of one message, UTF-8
 * @param maxRecipients to + cc + bcc of one message
 * @param maxBatchSize messages in one batch request
 * @param maxRequestBytes raw HTTP body, checked against {@code Content-Length} before reading and
 *     counted while reading (chunked bodies too)
 * @param maxSchedule how far ahead {@code sendAt} may be
 * @param deniedHeaderPrefixes custom header names that start with any of these (ignoring case) are
 *     refused, as mail systems trust such headers; setting it replaces the whole list
 */
@ConfigurationProperties("ums.limits")
record LimitsProperties(
    @DefaultValue("10MB") DataSize maxMessageBytes,
    @DefaultValue("50") int maxRecipients,
    @DefaultValue("500") int maxBatchSize,
    @DefaultValue("64MB") DataSize maxRequestBytes,
    @DefaultValue("30d") Duration maxSchedule,
    @DefaultValue({
          // Microsoft 365 / Exchange: X-MS-Exchange-Organization-* (SCL, AuthAs, ...) and
          // transport headers, the anti-spam verdicts
          "X-MS-Exchange-",
          "X-Microsoft-Antispam",
          "X-Forefront-",
          // spam and virus filter verdicts (SpamAssassin, Rspamd, ClamAV, ...)
          "X-Spam-",
          "X-Virus-",
          // what receiving and filtering systems add about a message's origin and checks
          "X-Originating-IP",
          "X-Authenticated-",
          "X-Original-",
          "X-Received",
          "X-Google-",
          "X-Gm-",
          "X-Proofpoint-",
          "X-Mimecast-",
          "X-Barracuda-",
          "X-IronPort-",
          // not X- names, so already refused; listed so that stays true if that rule changes
          "Authentication-Results",
          "ARC-",
          "DKIM-Signature",
          "DomainKey-Signature",
          "Received",
          "Return-Path",
          "Delivered-To"
        })
        List<String> deniedHeaderPrefixes) {

  LimitsProperties {
    deniedHeaderPrefixes = deniedHeaderPrefixes == null ? List.of() : deniedHeaderPrefixes;
    if (deniedHeaderPrefixes.stream().anyMatch(p -> p == null || p.isBlank())) {
      throw new IllegalArgumentException("ums.limits.denied-header-prefixes has a blank entry");
    }
    deniedHeaderPrefixes = List.copyOf(deniedHeaderPrefixes);
  }
}
