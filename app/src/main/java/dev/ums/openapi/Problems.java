package dev.ums.openapi;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.parameters.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The problem+json answers of the API, and which endpoints can give which. */
final class Problems {

  private Problems() {}

  /** One problem type as it is written (see {@code ApiProblem} and {@code ProblemWriter}). */
  record Sample(String type, String title, String detail) {
    Map<String, Object> body(int status) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", "/problems/" + type);
      m.put("title", title);
      m.put("status", status);
      m.put("detail", detail);
      return m;
    }
  }

  /** The answers with one status. */
  record Kind(int status, String description, List<Sample> samples) {}

  static final Map<Integer, Kind> KINDS = new LinkedHashMap<>();

  private static void kind(int status, String description, Sample... samples) {
    KINDS.put(status, new Kind(status, description, List.of(samples)));
  }

  static {
    kind(
        400,
        "Invalid request: a bad field, parameter or id, or malformed JSON",
        new Sample("validation", "Invalid request", "to[0]: not a valid RFC 5322 address"),
        new Sample("malformed-json", "Malformed JSON", "The request body is not valid JSON"));
    kind(
        401,
        "No key, or an unknown, revoked or malformed one",
        new Sample("unauthorized", "Unauthorized", "The API key is unknown, revoked or malformed"));
    kind(
        403,
        "The key's role may not do this (a SENDER key on an admin endpoint)",
        new Sample("forbidden", "Forbidden", "This API key's role may not do this"));
    kind(
        404,
        "Unknown id (or another client's)",
        new Sample("not-found", "Not found", "Message not found"));
    kind(
        409,
        "The message is not in a state that allows this; `currentStatus` says which it is",
        new Sample(
            "not-failed",
            "Not a dead letter",
            "Only a FAILED message can be re-driven; this one is SENT"),
        new Sample(
            "not-cancellable",
            "Not cancellable",
            "Only a QUEUED message that no dispatcher has claimed can be cancelled; this one is"
                + " SENDING"));
    kind(
        410,
        "The content was removed by the retention policy",
        new Sample(
            "content-dropped", "Content dropped", "The content of this message was removed"));
    kind(
        413,
        "Message content or request body too large",
        new Sample("too-large", "Content Too Large", "The message is larger than 10485760 bytes"));
    kind(
        415,
        "Content type other than application/json",
        new Sample("http-415", "Unsupported Media Type", "Use Content-Type: application/json"));
    kind(
        422,
        "Idempotency key reused for another request, or a sender the client may not use",
        new Sample(
            "idempotency-key-reused",
            "Idempotency key reused",
            "This Idempotency-Key was used for a different request"),
        new Sample(
            "sender-not-allowed",
            "Sender not allowed",
            "from: the domain is not one of this client's sender domains"));
    kind(
        429,
        "Too many requests (the client's rate, or failed authentications from this address);"
            + " see Retry-After",
        new Sample("rate-limited", "Too many requests", "Request rate limit exceeded"),
        new Sample(
            "too-many-failed-authentications",
            "Too many failed authentications",
            "Too many requests from this address presented a bad API key. Retry later."));
    kind(
        503,
        "The database is unreachable; nothing was stored (Retry-After: 5)",
        new Sample("unavailable", "Service unavailable", "The database is unreachable"));
  }

  /** The problem answers {@code METHOD path} can give, in status order. */
  static List<Kind> forOperation(String method, String path, Operation op, Operations.Doc doc) {
    TreeSet<Integer> statuses = new TreeSet<>(List.of(401, 429, 503));
    if (path.startsWith("/api/admin/") || path.startsWith("/api/dev/")) {
      statuses.add(403);
    }
    boolean parameters = op.getParameters() != null && !op.getParameters().isEmpty();
    if (op.getRequestBody() != null) {
      statuses.add(400);
      statuses.add(415);
    }
    if (parameters) {
      statuses.add(400);
    }
    if (op.getParameters() != null) {
      for (Parameter p : op.getParameters()) {
        if ("path".equals(p.getIn()) && "id".equals(p.getName())) {
          statuses.add(404);
        }
      }
    }
    if (doc != null) {
      statuses.addAll(doc.problems());
    }
    List<Kind> out = new ArrayList<>();
    for (Integer s : statuses) {
      out.add(KINDS.get(s));
    }
    return out;
  }
}
