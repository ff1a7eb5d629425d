package dev.ums.webhook;

import java.util.List;

/** {@code POST /api/webhooks}: where to send, and which event types (none or empty: all). */
public record WebhookRequest(String url, List<String> eventTypes) {}
