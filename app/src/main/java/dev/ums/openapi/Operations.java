package dev.ums.openapi;

import java.util.Map;
import java.util.Set;

/** What the description says of each known endpoint, keyed by {@code METHOD path}. */
final class Operations {

  private Operations() {}

  /**
   * @param problems problem answers particular to this endpoint (HTTP statuses, see {@link
   *     Problems})
   * @param success the status of a successful answer when it is not 200
   */
  record Doc(
      String operationId, String summary, String description, int success, Set<Integer> problems) {}

  private static Doc doc(String id, String summary, String description, Integer... problems) {
    return new Doc(id, summary, description, 200, Set.of(problems));
  }

  private static Doc docStatus(
      String id, String summary, String description, int success, Integer... problems) {
    return new Doc(id, summary, description, success, Set.of(problems));
  }

  static String successText(int status) {
    return switch (status) {
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      default -> "OK";
    };
  }

  static final Map<String, Doc> ALL =
      Map.ofEntries(
          Map.entry(
              "POST /api/messages",
              docStatus(
                  "sendMessage",
                  "Send one message",
                  "Stores the message and its outbox row in one transaction and answers 202 once"
                      + " committed. `Idempotency-Key` (alias `X-Message-Id`) makes a retry safe:"
                      + " the same key and body replay the first answer with"
                      + " `Idempotency-Replay: true`.",
                  202,
                  413,
                  422,
                  429)),
          Map.entry(
              "POST /api/messages/batch",
              docStatus(
                  "sendBatch",
                  "Send up to 500 messages in one transaction",
                  "All or nothing: one invalid item refuses the batch, and the problem lists each"
                      + " bad item by `index` and `field`.",
                  202,
                  413,
                  422,
                  429)),
          Map.entry(
              "GET /api/messages/{id}",
              doc(
                  "getMessage",
                  "A message's status",
                  "State and timing only, never recipients or content. Another client's id is"
                      + " 404.")),
          Map.entry(
              "GET /api/messages/{id}/captured",
              doc(
                  "getCapturedMessage",
                  "What test mode captured of one of the client's messages",
                  "The content (addresses, subject, bodies, headers, attachments) of a message sent"
                      + " with a `test`-mode key, once it is SENT: test mode never hands mail to a"
                      + " relay. 404 for live mail, another client's message (admins included) or"
                      + " a test message not yet SENT; 410 when retention dropped the content.",
                  410)),
          Map.entry(
              "GET /api/messages/{id}/events",
              doc(
                  "getMessageEvents",
                  "A message's timeline",
                  "Every delivery event of the message, oldest first, each with its webhook"
                      + " deliveries. Ids, statuses and codes only. Another client's id is 404.")),
          Map.entry(
              "POST /api/suppressions",
              docStatus(
                  "addSuppression",
                  "Suppress an address for the caller's client",
                  "Stores only the address's blind-index digest; the answer carries an opaque id,"
                      + " never the address. Adding an address already listed replaces its reason"
                      + " and expiry.",
                  201)),
          Map.entry(
              "GET /api/suppressions",
              doc(
                  "listSuppressions",
                  "The caller's client's suppression list, newest first",
                  "Entries in force (expired ones are left out), without addresses.")),
          Map.entry(
              "DELETE /api/suppressions",
              docStatus(
                  "removeSuppressedAddress",
                  "Remove an address (given in the body) from the list",
                  "404 when the address is not on the caller's client's list.",
                  204,
                  404)),
          Map.entry(
              "DELETE /api/suppressions/{id}",
              docStatus("removeSuppression", "Remove one entry by its id", null, 204, 404)),
          Map.entry(
              "GET /api/admin/suppressions",
              doc(
                  "adminListSuppressions",
                  "Every client's suppression entries (or one client's)",
                  null)),
          Map.entry(
              "DELETE /api/admin/suppressions/{id}",
              docStatus("adminRemoveSuppression", "Remove any client's entry", null, 204, 404)),
          Map.entry(
              "DELETE /api/admin/suppressions",
              doc("adminClearSuppressions", "Clear one client's whole suppression list", null)),
          Map.entry(
              "GET /api/bounces",
              doc(
                  "listBounces",
                  "The bounces and complaints about the caller's client's mail, newest first",
                  "Filters: `since`/`until` (received), `type` (`hard`, `soft`, `complaint`),"
                      + " `messageId`; keyset paging with `cursor`. Ids, codes, the redacted"
                      + " diagnostic and whether the recipient was suppressed; never an address.")),
          Map.entry(
              "GET /api/admin/bounces",
              doc(
                  "adminListBounces",
                  "Every client's bounces and complaints (or one client's), newest first",
                  "As `GET /api/bounces`, with `clientId` to narrow it to one client.")),
          Map.entry(
              "POST /api/messages/{id}/cancel",
              doc(
                  "cancelMessage",
                  "Cancel a queued message",
                  "Only a QUEUED message no dispatcher has claimed; otherwise 409"
                      + " `/problems/not-cancellable` with `currentStatus`.",
                  409)),
          Map.entry(
              "POST /api/webhooks",
              docStatus(
                  "createWebhook",
                  "Create a webhook endpoint for the caller's client",
                  "The answer carries the signing secret (`whsec_...`), shown this once.",
                  201,
                  400,
                  409)),
          Map.entry(
              "GET /api/webhooks", doc("listWebhooks", "The client's webhook endpoints", null)),
          Map.entry(
              "GET /api/webhooks/{id}",
              doc("getWebhook", "One webhook endpoint, without its secret", null)),
          Map.entry(
              "DELETE /api/webhooks/{id}",
              docStatus(
                  "deleteWebhook", "Delete a webhook endpoint and its delivery log", null, 204)),
          Map.entry(
              "POST /api/webhooks/{id}/enable",
              doc("enableWebhook", "Put a disabled webhook endpoint back in service", null)),
          Map.entry(
              "GET /api/webhooks/{id}/deliveries",
              doc("listWebhookDeliveries", "The endpoint's delivery log, newest first", null)),
          Map.entry(
              "POST /api/webhooks/{id}/replay",
              docStatus(
                  "replayWebhook",
                  "Send one event, or every event of a time range, again",
                  "`{\"eventId\"}` or `{\"from\", \"to\"}`; answers how many were queued.",
                  202,
                  400)),
          Map.entry(
              "GET /api/admin/messages",
              doc(
                  "findMessages",
                  "Find any client's messages by recipient and/or domain",
                  "Through the blind index: no row is decrypted. Audited as `message.search`.")),
          Map.entry(
              "GET /api/admin/messages/{id}/content",
              doc(
                  "readMessageContent",
                  "The decrypted content of a message",
                  "Audited as `message.read_content`. 410 when retention dropped it.",
                  410)),
          Map.entry(
              "POST /api/admin/messages/{id}/cancel",
              doc("cancelAnyMessage", "Cancel any client's queued message", null, 409)),
          Map.entry(
              "GET /api/admin/dead-letters",
              doc(
                  "listDeadLetters",
                  "List dead letters (FAILED messages), newest first",
                  "Keyset paging with `cursor`; filters by time, class, recipient or domain.")),
          Map.entry(
              "POST /api/admin/dead-letters/redrive",
              doc(
                  "redriveDeadLetters",
                  "Re-drive every dead letter a filter matches",
                  "Idempotent: only what is FAILED at that moment moves. `{}` re-drives every"
                      + " unresolved dead letter.")),
          Map.entry(
              "POST /api/admin/dead-letters/{id}/redrive",
              doc(
                  "redriveDeadLetter",
                  "Re-drive one dead letter",
                  "FAILED → QUEUED with a fresh attempt budget; the failure history stays.",
                  409)),
          Map.entry(
              "POST /api/admin/dead-letters/{id}/resolve",
              doc(
                  "resolveDeadLetter",
                  "Mark a dead letter handled without resending",
                  "`by` and `reason` are kept with it, never logged.",
                  409)),
          Map.entry(
              "GET /api/admin/stats",
              doc("getStats", "Pipeline counts", "Messages per status, last hour, backlog.")),
          Map.entry(
              "GET /api/admin/delivery",
              doc(
                  "getDelivery",
                  "Delivery control",
                  "The global send rate and its budget, each rule's configured and current"
                      + " (adapted) rate, messages waiting per rule and per priority, per-client"
                      + " backlog.")),
          Map.entry(
              "POST /api/admin/keys",
              docStatus(
                  "createKey",
                  "Create an API key",
                  "The key is in this answer only; listings show its label. `mode`: `live`"
                      + " (default) or `test` (its messages run the whole pipeline but never reach"
                      + " a relay).",
                  201)),
          Map.entry("GET /api/admin/keys", doc("listKeys", "List API keys (labels only)", null)),
          Map.entry(
              "POST /api/admin/keys/{id}/revoke",
              doc("revokeKey", "Revoke an API key", "Takes effect on the next request.")),
          Map.entry(
              "GET /api/admin/audit",
              doc("listAuditEvents", "The audit trail, newest first", null)),
          Map.entry(
              "PUT /api/admin/clients/{clientId}/sender-domains",
              doc(
                  "setSenderDomains",
                  "Replace a client's sender domains",
                  "What a SENDER key of the client may use in `from` and `replyTo`.")),
          Map.entry(
              "GET /api/admin/clients/{clientId}/sender-domains",
              doc("getSenderDomains", "A client's sender domains", null)),
          Map.entry(
              "POST /api/admin/crypto/reencrypt",
              docStatus(
                  "startReencryption",
                  "Re-encrypt stored messages under the newest key",
                  "One run at a time: 409 while one runs.",
                  202,
                  409)),
          Map.entry(
              "GET /api/admin/crypto/reencrypt",
              doc("getReencryption", "Progress of the re-encryption run", null)),
          Map.entry(
              "GET /api/dev/inbox",
              doc(
                  "listCapturedMail",
                  "Mail caught by the capture inbox",
                  "Development mode without an SMTP relay only.")));
}
