package dev.ums.message;

import java.util.List;
import java.util.Map;

/**
 * The JSON body of {@code POST /api/messages}. Addresses are RFC 5322 mailboxes ({@code
 * a@example.com} or {@code Name <a@example.com>}); {@code sendAt} is an ISO-8601 instant, kept as
 * text so a bad value is reported against its field.
 */
public record SendRequest(
    String from,
    List<String> to,
    List<String> cc,
    List<String> bcc,
    String replyTo,
    String subject,
    String text,
    String html,
    Map<String, String> headers,
    String sendAt,
    Map<String, String> metadata) {}
